"""Where lexical matching is known to fail: look-alike phrases, films and obituaries,
advisories, words said rather than acts done. None of these is an alert."""

from __future__ import annotations

import pytest

from watchlists.builtin import builtin_watchlists
from watchlists.matcher import Matcher, compile_watchlists

LOOKALIKES = [
    # id, title, summary, language
    ("power-plant", "Iceland rushes to protect power plant from lava flow", "", "en"),
    ("power-grids", "Protecting power grids from space weather", "Engineers model storms.", "en"),
    (
        "obituary-film-line",
        "Actor who starred in a Cold War thriller dies at 81",
        "He was best remembered for the line 'I have diplomatic immunity' in the 1989 film.",
        "en",
    ),
    (
        "film-review",
        "'Siege at the Consulate' review: a thriller that forgets its hostages",
        "The film stages the storming of a consulate with more noise than sense.",
        "en",
    ),
    (
        "advisory",
        "Embassy warns of possible attacks on hotels over the holidays",
        "The US embassy urged citizens to avoid crowds.",
        "en",
    ),
    ("verbal-attack", "Minister attacks British embassy on X over 'interference'", "", "en"),
    (
        "accused-staffer",
        "Embassy driver accused of assault after bar fight",
        "Police said the man was released.",
        "en",
    ),
    (
        "meeting-not-a-visit",
        "Council holds a meeting on the national vaccination drive",
        "Volunteers held in the district hall will review the plans.",
        "en",
    ),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return compile_watchlists(builtin_watchlists())


@pytest.mark.parametrize(
    ("title", "summary", "language"),
    [case[1:] for case in LOOKALIKES],
    ids=[case[0] for case in LOOKALIKES],
)
def test_lookalikes_raise_no_alert(
    matcher: Matcher, title: str, summary: str, language: str
) -> None:
    assert [m.watchlist for m in matcher.match(title, summary, language)] == []


ACTS = [
    # id, title, summary, language, watchlist
    ("ramming", "Man rams car into gates of Russian embassy", "", "en", "embassy-raids"),
    (
        "paint",
        "Activists throw red paint over the gates of the Chinese consulate",
        "",
        "en",
        "embassy-raids",
    ),
    (
        "car-into-barrier",
        "Car driven into security barrier outside the Israeli embassy",
        "",
        "en",
        "embassy-raids",
    ),
    (
        "anniversary-rally",
        "Thousands rally in Tehran on anniversary of the US embassy takeover",
        "",
        "en",
        "embassy-raids",
    ),
    (
        "chained-to-gate",
        "Protesters chain themselves to the gate of the Turkish consulate",
        "",
        "en",
        "embassy-raids",
    ),
    (
        "pressing-over-high-commission",
        "Delhi summons envoy over attack on its high commission in London",
        "",
        "en",
        "embassy-raids",
    ),
    (
        "officials-visit-detained-national",
        "Embassy officials visit detained Australian writer in Beijing prison",
        "",
        "en",
        "vienna-conventions",
    ),
    (
        "shielded",
        "Diplomat's son shielded from prosecution after fatal crash",
        "",
        "en",
        "vienna-conventions",
    ),
]


@pytest.mark.parametrize(
    ("title", "summary", "language", "watchlist"),
    [case[1:] for case in ACTS],
    ids=[case[0] for case in ACTS],
)
def test_acts_told_in_plain_words_alert(
    matcher: Matcher, title: str, summary: str, language: str, watchlist: str
) -> None:
    assert watchlist in [m.watchlist for m in matcher.match(title, summary, language)]
