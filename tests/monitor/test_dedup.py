"""Tests of the deduplicator: one named case per identity rule and per look-alike kept apart.

Pure tests, no I/O. The eval set, real feeds and the JSONL driver are in test_dedup_data.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.dedup.deduplicator import Deduplicator
from monitor.dedup.features import DedupItem

NOW = datetime(2024, 4, 6, 12, 0, tzinfo=UTC)

WIRE = (
    "Police in Ecuador broke into the Mexican Embassy in Quito late Friday and arrested former "
    "Vice President Jorge Glas, hours after Mexico granted him political asylum. Mexican "
    "President Andres Manuel Lopez Obrador called the raid an authoritarian act."
)
WIRE_EDITED = (
    "Police in Ecuador broke into Mexico's embassy in Quito late Friday and arrested former "
    "Vice President Jorge Glas, just hours after Mexico had granted him political asylum. "
    "President Andres Manuel Lopez Obrador called it an authoritarian act."
)
OTHER = (
    "Freezing rain coated trees and power lines across the Portland metro area, knocking out "
    "electricity to tens of thousands of customers and closing schools for a third day."
)


def item(ident: str, **fields: object) -> DedupItem:
    base: dict[str, object] = {
        "id": ident,
        "feed": "https://apnews.com/feed",
        "guid": None,
        "url": f"https://apnews.com/article/{ident}",
        "title": "Ecuador police raid Mexican Embassy to arrest former vice president Jorge Glas",
        "summary": WIRE,
        "published": NOW - timedelta(hours=1),
        "source": "AP",
    }
    base.update(fields)
    return DedupItem(**base)  # type: ignore[arg-type]


def run(*items: DedupItem) -> list[tuple[str, str, str]]:
    dedup = Deduplicator()
    out = []
    for step, it in enumerate(items):
        decision = dedup.decide(it, NOW + timedelta(minutes=step))
        out.append((decision.kind, decision.story, decision.cluster))
    return out


# -- identity rules --------------------------------------------------------------------

IDENTITY = [
    ("same-guid-same-feed", item("a", guid="g1"), item("b", guid="g1"), ("same", "a", "a")),
    (
        "same-guid-edited-headline",
        item("a", guid="g1"),
        item("b", guid="g1", url="https://apnews.com/article/a", title="Mexico cuts ties"),
        ("update", "a", "a"),
    ),
    ("rotating-guid-same-url", item("a", guid="g1"), item("b", guid="g2"), ("same", "a", "a")),
    (
        "tracking-params-same-url",
        item("a"),
        item("b", url="https://apnews.com/article/a?utm_source=rss&utm_medium=feed"),
        ("same", "a", "a"),
    ),
    (
        "http-and-https",
        item("a"),
        item("b", url="http://www.apnews.com/article/a"),
        ("same", "a", "a"),
    ),
    (
        "amp-variant",
        item("a"),
        item("b", url="https://apnews.com/article/a/amp"),
        ("same", "a", "a"),
    ),
    (
        "same-url-updated-headline",
        item("a"),
        item("b", url="https://apnews.com/article/a", title="Mexico cuts ties"),
        ("update", "a", "a"),
    ),
    (
        "html-and-entities-only",
        item("a"),
        item("b", url=None, summary=f"<p>{WIRE}</p>"),
        ("same", "a", "a"),
    ),
    ("identical-text-same-feed-new-url", item("a"), item("b"), ("same", "a", "a")),
    (
        "identical-text-other-feed",
        item("a"),
        item("b", feed="https://abcnews.go.com/rss", url="https://abcnews.go.com/x/b"),
        ("cluster", "b", "a"),
    ),
    (
        "wire-copy-light-edit",
        item("a"),
        item(
            "b",
            feed="https://abcnews.go.com/rss",
            url="https://abcnews.go.com/x/b",
            summary=WIRE_EDITED,
        ),
        ("cluster", "b", "a"),
    ),
    (
        "other-feed-same-url",
        item("a"),
        item("b", feed="https://apnews.com/world", url="https://apnews.com/article/a"),
        ("same", "a", "a"),
    ),
    ("no-url-no-guid-identical", item("a", url=None), item("b", url=None), ("same", "a", "a")),
]


@pytest.mark.parametrize(
    ("first", "second", "expected"), [c[1:] for c in IDENTITY], ids=[c[0] for c in IDENTITY]
)
def test_identity_rules(first: DedupItem, second: DedupItem, expected: tuple[str, ...]) -> None:
    assert run(first, second)[1] == expected


def test_guid_shared_by_every_item_loses_nothing() -> None:
    a = item("a", guid="same-for-all")
    b = item(
        "b", guid="same-for-all", title="Ice storm leaves thousands without power", summary=OTHER
    )
    assert [k for k, _, _ in run(a, b)] == ["new", "new"]


def test_repeated_fetch_of_reused_guid_feed_is_same() -> None:
    a = item("a", guid="x")
    b = item("b", guid="x", title="Ice storm leaves thousands without power", summary=OTHER)
    dedup = Deduplicator()
    kinds = [dedup.decide(it, NOW).kind for it in (a, b, replace(a, id="a2"), replace(b, id="b2"))]
    assert kinds == ["new", "new", "same", "same"]


def test_remember_seeds_identity() -> None:
    dedup = Deduplicator()
    dedup.remember(item("stored", guid="g"), story="s1", cluster="c1")
    decision = dedup.decide(item("b", guid="g"), NOW)
    assert (decision.kind, decision.story, decision.cluster) == ("same", "s1", "c1")


def test_naive_datetimes_are_taken_as_utc() -> None:
    dedup = Deduplicator()
    naive = NOW.replace(tzinfo=None)
    dedup.remember(item("s", published=naive - timedelta(hours=2)), story="s", cluster="s")
    copy = item("b", url="https://abcnews.go.com/x/b", summary=WIRE_EDITED, published=naive)
    assert dedup.decide(copy, naive).kind == "cluster"


def test_fingerprint_is_stable_hex() -> None:
    fp = Deduplicator.fingerprint(item("a"))
    assert fp == Deduplicator.fingerprint_of(item("a").title, f"<p>{WIRE}</p>")
    assert len(fp) == 32 and int(fp, 16) >= 0


# -- look-alikes that must stay apart ---------------------------------------------------

GOLD = (
    "Gold prices in India today for 22 carat and 24 carat gold in major cities including "
    "Delhi, Mumbai, Chennai and Kolkata, with rates for ten grams and one gram."
)
CALENDAR = (
    "Most Wonderful Plants in the World: a presentation on the 700 species that survive by "
    "capturing small animals, and the implications for the study of wellness."
)
NEWSLETTER = (
    "Sign up for our morning newsletter to get the biggest stories of the day, our best "
    "analysis and the weekend reads delivered to your inbox. Continue reading..."
)
WEATHER = (
    "El Servicio Meteorológico Nacional anticipa que este jueves, la temperatura rondará entre "
    "20 y 26; la probabilidad de lluvias alcanzará el 10 y 40 por ciento"
)
LOCAL_TV = (
    "A federal immigration officer walked up to the Ecuadorian consulate on Lake Street and "
    "asked to come in, according to staff, who refused him entry. Community groups gathered "
    "outside later in the afternoon to protest the visit."
)
WIRE_EVENT = (
    "Ecuador's foreign ministry said an agent of U.S. Immigration and Customs Enforcement tried "
    "to enter its consulate in Minneapolis on Tuesday and was stopped at the door by consular "
    "staff. Quito sent a note of protest to the U.S. embassy."
)


def pair(title_a: str, summary_a: str, title_b: str, summary_b: str, **b: object) -> tuple:
    first = item(
        "a",
        title=title_a,
        summary=summary_a,
        url="https://one.example/a",
        feed="https://one.example/feed",
    )
    fields: dict[str, object] = {"url": "https://two.example/b", "feed": "https://two.example/f"}
    fields.update(b)
    second = item("b", title=title_b, summary=summary_b, **fields)
    return first, second


APART = [
    (
        "daily-series-date",
        *pair("Gold rate today - 01 November", GOLD, "Gold rate today - 02 November", GOLD),
    ),
    (
        "daily-series-number",
        *pair(
            "Mortgage rates today: 30-year rate at 6.8%",
            GOLD,
            "Mortgage rates today: 30-year rate at 6.9%",
            GOLD,
        ),
    ),
    (
        "weekly-column-same-headline",
        *pair(
            "The week in review",
            "Continue reading...",
            "The week in review",
            "Continue reading...",
            published=NOW - timedelta(days=7),
        ),
    ),
    (
        "boilerplate-newsletter-summary",
        *pair(
            "Ecuador cuts ties with Mexico", NEWSLETTER, "Panthers win the Stanley Cup", NEWSLETTER
        ),
    ),
    ("live-updates-headline", *pair("Live updates", WIRE, "Live updates", OTHER)),
    (
        "same-outlet-other-feed-other-story",
        *pair(
            "Ecuador police raid Mexican Embassy",
            WIRE + " The post Raid appeared first on X.",
            "Ice storm leaves thousands without power",
            OTHER + " The post Ice appeared first on X.",
            feed="https://one.example/other-feed",
        ),
    ),
    (
        "same-event-independent-reports",
        *pair(
            "Ecuador protests after ICE agent tries to enter its Minneapolis consulate",
            WIRE_EVENT,
            "ICE officer turned away at Ecuadorian consulate in Minneapolis",
            LOCAL_TV,
        ),
    ),
    (
        "templated-weather-cities",
        *pair(
            "Clima en Rosario hoy: cuál es el pronóstico del tiempo para el 7 de abril",
            WEATHER,
            "Clima en San Luis hoy: cuál es el pronóstico del tiempo para el 7 de abril",
            WEATHER,
        ),
    ),
    (
        "templated-analyst-ratings",
        *pair(
            "Gartner Outperform",
            "Der Analyst BMO Capital Markets hat Gartner Inc. von Market Perform auf "
            "Outperform hochgestuft, das Kursziel bleibt unverändert.",
            "Pure Storage A Outperform",
            "Der Analyst BMO Capital Markets hat Pure Storage Inc (A) von Market Perform auf "
            "Outperform hochgestuft, das Kursziel bleibt unverändert.",
        ),
    ),
    (
        "blurb-same-feed-similar-headlines",
        *pair(
            "Morning briefing: what to know today about the markets",
            NEWSLETTER,
            "Morning briefing: what to know today about the weather",
            NEWSLETTER,
            feed="https://one.example/feed",
        ),
    ),
    (
        "title-case-template-swapped-city",
        *pair(
            "Weather Forecast for Chicago: Rain Expected This Weekend",
            "Forecasters expect steady rain through the weekend with cooler temperatures, "
            "gusty winds overnight and a chance of thunderstorms late on the second evening.",
            "Weather Forecast for Boston: Rain Expected This Weekend",
            "Forecasters expect steady rain through the weekend with cooler temperatures, "
            "gusty winds overnight and a chance of thunderstorms late on the second evening.",
        ),
    ),
    (
        "weekly-calendar-same-listing",  # washingtonpost-2.xml, a week apart in real life
        *pair(
            "D.C. wellness calendar, Aug. 16-23",
            CALENDAR + " Thursday, 1-1:30 p.m. U.S. Botanic Garden, 100 Maryland Ave. SW.",
            "D.C. wellness calendar, Aug. 9-16",
            CALENDAR + " Thursday, noon and 6 p.m. U.S. Botanic Garden, 100 Maryland Ave. SW.",
        ),
    ),
    ("title-only-identical-headlines", *pair("Breaking news", "", "Breaking news", "")),
    (
        "short-summaries",
        *pair(
            "Stocks rise", "Markets were up on Monday.", "Stocks rise", "Markets were up on Monday."
        ),
    ),
    (
        "wire-copy-outside-window",
        *pair(
            "Ecuador police raid Mexican Embassy",
            WIRE,
            "Ecuador police raid Mexican Embassy",
            WIRE_EDITED,
            published=NOW + timedelta(days=5),
        ),
    ),
    (
        "same-summary-unrelated-titles",
        *pair(
            "Ecuador police raid Mexican Embassy to arrest Jorge Glas",
            WIRE,
            "Panthers beat Oilers in Game 7 to win first Stanley Cup",
            WIRE,
        ),
    ),
]


@pytest.mark.parametrize(("first", "second"), [c[1:] for c in APART], ids=[c[0] for c in APART])
def test_look_alikes_stay_apart(first: DedupItem, second: DedupItem) -> None:
    dedup = Deduplicator()
    dedup.decide(first, NOW)
    later = max(NOW, second.published or NOW)
    assert dedup.decide(second, later).kind == "new"


def test_guid_reused_for_unrelated_items_loses_nothing() -> None:
    a = item("a", guid="g", url="https://x.example/1")
    b = item("b", guid="g", url="https://x.example/2", title="Ice storm hits", summary=OTHER)
    assert [k for k, _, _ in run(a, b)] == ["new", "new"]


def test_guid_and_url_shared_by_unrelated_items_lose_nothing() -> None:
    a = item("a", guid="g", url="https://x.example/live")
    b = item(
        "b",
        guid="g",
        url="https://x.example/live",
        title="Ice storm leaves thousands without power in Portland",
        summary=OTHER,
    )
    assert [k for k, _, _ in run(a, b)] == ["new", "new"]


def test_shared_url_with_unrelated_text_loses_nothing() -> None:
    a = item("a", url="http://www.aif.ru/politics/world/x")
    b = item(
        "b",
        url="http://www.aif.ru/politics/world/x",
        title="Ice storm leaves thousands without power in Portland",
        summary=OTHER,
    )
    assert [k for k, _, _ in run(a, b)] == ["new", "new"]


def test_front_page_links_do_not_merge() -> None:
    a = item("a", url="https://www.example.com/")
    b = item("b", url="https://example.com", title="Ice storm hits Portland", summary=OTHER)
    assert [k for k, _, _ in run(a, b)] == ["new", "new"]


def test_edit_then_revert_is_same() -> None:
    a = item("a", guid="g")
    edited = item("b", guid="g", url="https://apnews.com/article/a", title="Mexico cuts ties")
    kinds = [k for k, _, _ in run(a, edited, replace(a, id="c"))]
    assert kinds == ["new", "update", "same"]


def test_identities_are_forgotten_after_retain() -> None:
    dedup = Deduplicator(window=timedelta(days=1), retain=timedelta(days=2))
    dedup.decide(item("a", guid="g"), NOW)
    assert dedup.decide(item("b", guid="g"), NOW + timedelta(days=1)).kind == "same"
    later = item("c", guid="g", published=NOW + timedelta(days=5))
    assert dedup.decide(later, NOW + timedelta(days=5)).kind == "new"
    assert len(dedup) == 1
