"""Near misses: which unmatched stories an editor is shown, in which order, and why.

Pure tests on a small watchlist written here; the CLI test is in
tests/monitor/test_maintenance.py.
"""

from __future__ import annotations

import pytest

from watchlists.errors import UnknownWatchlistError
from watchlists.loader import parse_watchlist
from watchlists.matcher import Matcher, compile_watchlists
from watchlists.nearmiss import NearMiss, StoryText, near_misses

WATCHLIST = """
name: raids
min_score: 0.5
groups:
  mission: [embassy, consulate]
  intrusion:
    - text: raid
      aliases: [stormed]
  people:
    kind: person
    terms: [Jorge Glas]
  weather:
    - text: storm
      stem: false
rules:
  - name: headline
    near: mission NEAR/4 intrusion in title
    none_of: [weather]
  - name: person
    all_of: [people, mission]
    weight: 0.4
"""


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return compile_watchlists([parse_watchlist(WATCHLIST, "raids.yaml")])


def miss(matcher: Matcher, title: str, summary: str = "") -> NearMiss | None:
    found = near_misses(matcher, "raids", [StoryText("s", title, summary, "en")])
    return found[0] if found else None


@pytest.mark.parametrize(
    ("title", "summary", "rule", "reason"),
    [
        (
            "Police raid the Mexican embassy",
            "",
            None,
            None,
        ),
        (
            "Police raid a warehouse",
            "",
            None,
            None,
        ),
        (
            "Embassy staff attend a concert",
            "",
            "person",
            "group 'people' not found",
        ),
        (
            "Jorge Glas appears in court",
            "",
            "person",
            "group 'mission' not found",
        ),
        (
            "Embassy closes for the long weekend; elsewhere in the city a raid on a warehouse",
            "",
            "headline",
            "no mission NEAR/4 intrusion in title",
        ),
        (
            "Jorge Glas leaves the embassy",
            "",
            "person",
            "score 0.40 < min_score 0.50",
        ),
        (
            "Embassy raid planned, then a storm came",
            "",
            "headline",
            "excluded by group 'weather' (none_of)",
        ),
    ],
    ids=[
        "a-match-is-no-near-miss",
        "one-group-two-conditions-short-is-too-far",
        "one-group-short-of-one-condition",
        "person-without-mission",
        "both-groups-too-far-apart",
        "held-but-scored-below-min-score",
        "blocked-by-none-of",
    ],
)
def test_which_stories_are_near_misses_and_why(
    matcher: Matcher, title: str, summary: str, rule: str | None, reason: str | None
) -> None:
    found = miss(matcher, title, summary)
    if rule is None:
        assert found is None
        return
    assert found is not None
    assert (found.rule, found.reason) == (rule, reason)
    assert 0.0 < found.closeness < 1.0


RANKED = [
    StoryText("far-apart", "Embassy opens its garden; a raid on a farm is reported", ""),
    StoryText("summary-only", "Embassy news", "A raid hit a bakery."),
    StoryText("matched", "Officers stormed the consulate", ""),
    StoryText("low-score", "Jorge Glas at the consulate", ""),
    StoryText("nothing", "Markets rally on rate cut", ""),
    StoryText("blocked", "Embassy raid feared as storm nears", ""),
]


def test_closest_first_and_limit(matcher: Matcher) -> None:
    found = near_misses(matcher, "raids", RANKED)
    keys = [m.story.key for m in found]
    assert "matched" not in keys and "nothing" not in keys
    assert keys[0] == "low-score"  # a rule that held, only its score was short
    assert set(keys[1:3]) == {"far-apart", "blocked"}  # short of one condition of four
    assert keys[3:] == ["summary-only"]  # the raid is not in the title: two of four
    closeness = [m.closeness for m in found]
    assert closeness == sorted(closeness, reverse=True)
    assert [m.story.key for m in near_misses(matcher, "raids", RANKED, limit=2)] == keys[:2]


def test_words_found_are_shown_by_group(matcher: Matcher) -> None:
    found = miss(matcher, "Embassy opens its garden; officers stormed a farm", "")
    assert found is not None
    assert found.found() == "mission: Embassy; intrusion: stormed"
    data = found.to_dict()
    assert data["reason"] == "no mission NEAR/4 intrusion in title"
    assert {hit["text"] for hit in data["hits"]} == {"Embassy", "stormed"}


def test_unknown_watchlist_is_refused(matcher: Matcher) -> None:
    with pytest.raises(UnknownWatchlistError, match="no watchlist named 'nope'"):
        near_misses(matcher, "nope", [])
