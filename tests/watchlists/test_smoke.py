"""The vertical slice others depend on: built-ins compile and match the seed event."""

from __future__ import annotations

import json

import pytest

from watchlists.builtin import builtin_watchlists
from watchlists.matcher import Matcher, compile_watchlists


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return compile_watchlists(builtin_watchlists())


@pytest.mark.parametrize(
    ("title", "summary", "language", "expected"),
    [
        (
            "Ecuador police raid Mexican Embassy to arrest Jorge Glas",
            "",
            "en",
            {"embassy-raids", "ecuador-mexico"},
        ),
        ("Ice storm hits Minneapolis", "", "en", set()),
        (
            "Ecuador protests after ICE agent tries to enter its Minneapolis consulate",
            "Under the 1963 Vienna Convention on Consular Relations, host authorities may "
            "not enter consular premises without consent.",
            "en",
            {"embassy-raids", "ice-consulates", "vienna-conventions"},
        ),
    ],
    ids=["quito-raid", "ice-storm", "minneapolis-consulate"],
)
def test_builtin_matches(
    matcher: Matcher, title: str, summary: str, language: str, expected: set[str]
) -> None:
    assert {m.watchlist for m in matcher.match(title, summary, language)} == expected


def test_match_to_dict_and_spans(matcher: Matcher) -> None:
    title = "Ecuador police raid Mexican Embassy to arrest Jorge Glas"
    (first, *_rest) = [m for m in matcher.match(title, "", "en") if m.watchlist == "embassy-raids"]
    data = first.to_dict()
    assert set(data) == {"watchlist", "score", "terms"}
    assert data["watchlist"] == "embassy-raids"
    assert 0 < data["score"] <= 1
    assert "Embassy" in data["terms"]  # the word as the story writes it
    details = first.details()
    assert details["rule"] == first.rule and details["priority"] == "instant"
    assert {h["text"] for h in details["hits"]} >= {"raid", "Embassy"}
    json.dumps(details)
    for hit in first.hits:
        assert title[hit.start : hit.end] == hit.text
    assert "embassy-raids" in first.explain()
