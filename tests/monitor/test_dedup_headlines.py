"""Tests of headline identity: one story across outlets whatever their ledes, series kept apart.

Pure tests, no I/O. Cases are written from what outlets do (see ``monitor.dedup.headline``); the
real feeds with such copies are in test_dedup_data.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.dedup.deduplicator import Deduplicator
from monitor.dedup.features import DedupItem
from monitor.dedup.headline import headline_tokens, identifying

NOW = datetime(2024, 4, 6, 12, 0, tzinfo=UTC)

HEADLINE = (
    "Global wine production falls to its lowest level since 1961 as extreme weather hits "
    "vineyards in Italy, Spain and France"
)
LEDES = [
    "World wine output will fall seven percent this year, the International Organisation of "
    "Vine and Wine said on Tuesday, blaming drought, heat waves and fires.",
    "Vintners from Bordeaux to Sicily are counting the cost of a brutal summer: mildew in the "
    "north, wildfires in the south and grapes shrivelled on the vine.",
    "A trade body based in Paris published its first estimate of the harvest, the smallest in "
    "more than sixty years, with Australia and Chile also down sharply.",
    "Prices for bulk wine could rise next year after the smallest grape harvest in decades, "
    "analysts at Rabobank warned in a note to clients published on Tuesday morning.",
]


def item(ident: str, feed: str, title: str, summary: str = "", **fields: object) -> DedupItem:
    base: dict[str, object] = {
        "id": ident,
        "feed": f"https://{feed}/rss",
        "guid": f"{feed}-{ident}",
        "url": f"https://{feed}/news/{ident}",
        "title": title,
        "summary": summary,
        "published": NOW - timedelta(hours=1),
        "source": feed,
    }
    base.update(fields)
    return DedupItem(**base)  # type: ignore[arg-type]


def clusters(*items: DedupItem, dedup: Deduplicator | None = None) -> list[str]:
    dedup = dedup or Deduplicator()
    return [dedup.decide(it, NOW + timedelta(minutes=n)).cluster for n, it in enumerate(items)]


def test_one_long_headline_from_four_feeds_with_four_ledes_is_one_story() -> None:
    outlets = ["apnews.com", "abc.net.au", "japantoday.com", "npr.org"]
    found = clusters(*(item(f"w{n}", o, HEADLINE, LEDES[n]) for n, o in enumerate(outlets)))
    assert found == ["w0"] * 4


def test_identical_headline_without_any_summary_joins_across_outlets() -> None:
    title = "Hezbollah rejects disarmament plan and government's four-month timeline"
    assert clusters(item("a", "reuters.com", title), item("b", "almonitor.com", title)) == [
        "a",
        "a",
    ]


PERU = "Peru's Congress removes interim President Jeri as he faces corruption allegations"
PERU_WIRE = (
    "Peru's Congress on Tuesday voted to remove interim President Jose Jeri from office as he "
    "faces corruption allegations, triggering a fresh wave of political instability."
)
PERU_LOCAL = (
    "Lawmakers in Lima ousted Jose Jeri by 78 votes to 25 late on Tuesday; Jeri, who denies "
    "wrongdoing, said he would respect the decision of Congress."
)

RETITLED = [
    ("wire-prefix", PERU, PERU_WIRE, f"UPDATE 2-{PERU}", PERU_WIRE[:120]),
    (
        "word-replaced-other-lede",  # the summaries share names, not words
        PERU,
        PERU_WIRE,
        "Peru's Congress removes interim President Jeri as he faces a corruption probe",
        PERU_LOCAL,
    ),
    (
        "word-added-trimmed-lede",
        "Australia will not repatriate 34 women and children from Syrian detention camp",
        "The Australian government will not repatriate 34 women and children with links to "
        "the Islamic State group from a detention camp in northeast Syria, officials said.",
        "Australia says it will not repatriate 34 women and children from Syrian detention camp",
        "The Australian government will not repatriate 34 women and children with links to "
        "the Islamic State group.",
    ),
    (
        "word-dropped-no-summary",
        "Toxic winter smog blankets South Asian capitals of Dhaka and New Delhi",
        "A thick layer of toxic smog wreathed Dhaka on Wednesday while similar conditions "
        "prevailed in New Delhi, where schools were told to keep children indoors.",
        "Winter smog blankets South Asian capitals of Dhaka and New Delhi",
        "",
    ),
    (
        "clause-moved",
        "Gold Coast withdraws its bid for the 2026 Commonwealth Games, citing the cost",
        "The Queensland city had offered to step in after Victoria pulled out, but the state "
        "government refused to fund it, the Commonwealth Games Federation said.",
        "Citing the cost, Gold Coast withdraws its bid for the 2026 Commonwealth Games",
        "Queensland will not pay for the event, leaving the Commonwealth Games Federation "
        "without a host two years before the opening ceremony.",
    ),
]


@pytest.mark.parametrize(
    ("first", "first_lede", "second", "second_lede"),
    [c[1:] for c in RETITLED],
    ids=[c[0] for c in RETITLED],
)
def test_retitled_wire_copies_join(
    first: str, first_lede: str, second: str, second_lede: str
) -> None:
    found = clusters(
        item("a", "apnews.com", first, first_lede),
        item("b", "localpaper.com", second, second_lede),
    )
    assert found == ["a", "a"]


def test_a_retitled_headline_over_an_unrelated_lede_stays_apart() -> None:
    found = clusters(
        item("a", "apnews.com", PERU, PERU_WIRE),
        item("b", "localpaper.com", f"{PERU} again", LEDES[1]),
    )
    assert found == ["a", "b"]


APART = [
    (
        "daily-series-number",  # a rate column, one a day, by two outlets: numbers differ
        "Mortgage rates today for December 5, 2023: the 30-year fixed rate climbs again",
        "Mortgage rates today for December 6, 2023: the 30-year fixed rate climbs again",
    ),
    (
        "a-number-changed",
        "Flash floods in Kenya and Somalia leave 30 people dead and thousands displaced",
        "Flash floods in Kenya and Somalia leave 41 people dead and thousands displaced",
    ),
    (
        "a-name-swapped",
        "Biden meets Xi in San Francisco to discuss trade, Taiwan and fentanyl",
        "Harris meets Xi in San Francisco to discuss trade, Taiwan and fentanyl",
    ),
    (
        "short-headline",  # too short to identify a story on its own
        "Live updates: Israel-Hamas war",
        "Live updates: Israel-Hamas war",
    ),
    (
        "two-words-changed",
        "Apple shares fall as iPhone sales slow in China during the holiday quarter",
        "Apple shares rise as iPhone sales grow in China during the holiday quarter",
    ),
]


@pytest.mark.parametrize(("first", "second"), [c[1:] for c in APART], ids=[c[0] for c in APART])
def test_look_alike_headlines_stay_apart(first: str, second: str) -> None:
    found = clusters(
        item("a", "apnews.com", first, LEDES[0] + " Biden said."),
        item("b", "localpaper.com", second, LEDES[1] + " Harris said."),
    )
    assert found == ["a", "b"]


def test_same_headline_days_later_is_a_new_story() -> None:
    dedup = Deduplicator()
    later = NOW + timedelta(days=3)
    first = dedup.decide(item("a", "apnews.com", HEADLINE, LEDES[0]), NOW)
    second = dedup.decide(item("b", "paper.com", HEADLINE, LEDES[1], published=later), later)
    assert (first.cluster, second.cluster) == ("a", "b")


SERIES = "Morning briefing: the five things you need to know about the economy today"


def test_a_headline_one_source_repeats_never_joins_other_outlets() -> None:
    dedup = Deduplicator()
    yesterday = NOW - timedelta(days=1)
    first = dedup.decide(item("d1", "paper.com", SERIES, LEDES[0], published=yesterday), yesterday)
    found = clusters(
        item("d2", "paper.com", SERIES, LEDES[1]),  # the same column the next day
        item("x", "other.com", SERIES, LEDES[2]),  # another outlet's column of that name
        dedup=dedup,
    )
    assert [first.cluster, *found] == ["d1", "d2", "x"]


def test_a_series_learned_from_the_stored_history_stays_apart() -> None:
    dedup = Deduplicator()
    for day in (3, 2):
        when = NOW - timedelta(days=day)
        stored = item(f"d{day}", "paper.com", SERIES, LEDES[day], published=when)
        dedup.remember(stored, stored.id, stored.id, seen=when)
    assert clusters(item("x", "other.com", SERIES, LEDES[0]), dedup=dedup) == ["x"]


def test_a_headline_repeated_by_the_candidates_source_stays_apart() -> None:
    found = clusters(
        item("a1", "paper.com", SERIES, LEDES[0], published=NOW - timedelta(hours=30)),
        item("a2", "paper.com", SERIES, LEDES[1]),
        item("x", "other.com", SERIES, LEDES[2]),
    )
    assert found == ["a1", "a2", "x"]


def test_same_title_and_summary_under_a_new_address_in_one_feed_is_the_same_story() -> None:
    dedup = Deduplicator()
    title = "Tom Wilkinson, the Full Monty actor, dies at 75, his family says"
    first = item("a", "paper.com", title, "The actor died suddenly at home.")
    again = item("b", "paper.com", title, "The actor died suddenly at home.", guid="new-guid")
    assert dedup.decide(first, NOW).kind == "new"
    decision = dedup.decide(again, NOW + timedelta(minutes=5))
    assert (decision.kind, decision.story) == ("same", "a")


def test_a_short_title_under_a_new_address_in_one_feed_is_a_new_story() -> None:
    found = clusters(
        item("a", "paper.com", "Weather today"),
        item("b", "paper.com", "Weather today", published=NOW + timedelta(hours=1)),
    )
    assert found == ["a", "b"]


NORMALIZED = [
    ("wire-update", "UPDATE 2-Oil prices rise", ("oil", "prices", "rise")),
    ("exclusive-colon", "EXCLUSIVE: Oil prices rise", ("oil", "prices", "rise")),
    ("analysis-dash", "Analysis - Oil prices rise", ("oil", "prices", "rise")),
    ("no-prefix", "Update on oil prices", ("update", "on", "oil", "prices")),
    ("only-a-prefix", "WATCH:", ("watch",)),
]


@pytest.mark.parametrize(
    ("title", "tokens"), [c[1:] for c in NORMALIZED], ids=[c[0] for c in NORMALIZED]
)
def test_headline_normalization_drops_wire_prefixes(title: str, tokens: tuple[str, ...]) -> None:
    assert headline_tokens(title) == tokens


def test_identifying_headlines_are_six_content_words_or_forty_characters() -> None:
    assert identifying(headline_tokens("Ecuador police raid Mexican embassy in Quito at night"))
    assert identifying(headline_tokens("Extraordinarily unprecedented circumstances"))  # 44 chars
    assert not identifying(headline_tokens("Morning briefing: what you need to know"))


def test_headlines_leave_memory_with_their_stories() -> None:
    dedup = Deduplicator(window=timedelta(days=1), retain=timedelta(days=2))
    for n in range(50):
        when = NOW + timedelta(hours=n)
        title = f"{PERU} in vote number {n}"
        dedup.decide(item(f"s{n}", f"paper{n % 3}.com", title, published=when), when)
    later = NOW + timedelta(days=10)
    dedup.decide(item("last", "x.com", "Weather today", published=later), later)
    # Only the last item is kept: its short title is in neither headline index.
    assert len(dedup) == 1
    assert len(dedup._titles) == 0 and not dedup._by_headline  # noqa: SLF001
