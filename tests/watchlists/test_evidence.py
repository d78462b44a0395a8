"""Sentence scope and weighed evidence: what a watchlist editor sees in scores and reasons."""

from __future__ import annotations

import pytest

from watchlists.loader import dump_watchlist, parse_watchlist
from watchlists.matcher import compile_watchlists

SENTENCE_LIST = """\
name: demo
min_score: 0.5
groups:
  mission: [embassy]
  act:
    - text: rammed
      stem: false
rules:
  - near: mission NEAR act
"""


def score(text: str, title: str, summary: str = "") -> float | None:
    matches = compile_watchlists([parse_watchlist(text)]).match(title, summary, "en")
    return matches[0].score if matches else None


SENTENCE_CASES = [
    # id, title, summary, matches
    ("adjacent", "Car rammed embassy gates", "", True),
    (
        "far-apart-in-one-headline",
        "Man rammed his stolen pickup at full speed late on Sunday into the gates of the "
        "Russian embassy",
        "",
        True,
    ),
    ("other-sentence", "", "A driver rammed a bus. The embassy issued visas.", False),
    ("abbreviation-is-not-a-stop", "", "A driver rammed the U.S. embassy gate.", True),
]


@pytest.mark.parametrize(
    ("title", "summary", "matches"),
    [case[1:] for case in SENTENCE_CASES],
    ids=[case[0] for case in SENTENCE_CASES],
)
def test_near_without_a_window_means_one_sentence(title: str, summary: str, matches: bool) -> None:
    assert (score(SENTENCE_LIST, title, summary) is not None) is matches


def test_distance_weakens_the_evidence_instead_of_breaking_it() -> None:
    close = score(SENTENCE_LIST, "Car rammed embassy gates")
    far = score(
        SENTENCE_LIST,
        "Car rammed, witnesses said on Sunday evening after a long chase through the old "
        "town and across two bridges, into the embassy",
    )
    assert close == 1.0
    assert far is not None and 0.5 < far < close


def test_the_title_counts_more_than_the_summary() -> None:
    in_title = score(SENTENCE_LIST, "Car rammed embassy gates")
    in_summary = score(SENTENCE_LIST, "Incident in the capital", "A car rammed the embassy gates.")
    assert in_title is not None and in_summary is not None
    assert in_summary < in_title


WEIGHTED = """\
name: demo
min_score: 0.6
groups:
  mission: [embassy]
  act: [protest]
  crowd: [crowd]
rules:
  - name: protest
    near: mission NEAR act
    weight: 0.5
  - name: crowd
    near: mission NEAR crowd
    weight: 0.5
"""


def test_independent_evidence_adds_up() -> None:
    assert score(WEIGHTED, "Protest at the embassy") is None  # 0.5 < 0.6
    both = score(WEIGHTED, "Crowd holds protest at the embassy")
    assert both == pytest.approx(0.75)  # 1 - 0.5 * 0.5


def test_each_hit_names_its_sentence() -> None:
    matcher = compile_watchlists([parse_watchlist(SENTENCE_LIST)])
    summary = "It was calm. <p>A van <b>rammed</b> the embassy.</p>"
    (match,) = matcher.match("Night in the capital", summary, "en")
    assert {hit.context for hit in match.hits} == {"A van rammed the embassy."}


def test_a_sentence_pair_survives_export_and_reload() -> None:
    watchlist = parse_watchlist(SENTENCE_LIST)
    again = parse_watchlist(dump_watchlist(watchlist))
    assert again.rules == watchlist.rules
    assert str(again.rules[0].near[0]) == "mission NEAR act"
