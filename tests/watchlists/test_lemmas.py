"""Lemma forms: a watchlist word finds the irregular and inflected forms of its lemma."""

from __future__ import annotations

import pytest

from watchlists.lemmas import (
    build_table,
    builtin_words,
    forms_from_pairs,
    packaged_table,
    table_to_json,
)
from watchlists.matcher import compile_watchlists
from watchlists.model import Group, Rule, Term, Watchlist

PAIRS = [
    ("drove", "drive"),
    ("driven", "drive"),
    ("drives", "drive"),
    ("Botschaften", "Botschaft"),
    ("expulsaron", "expulsar"),
    ("expulsó", "expulsar"),
    ("saw", "see"),
    ("sees", "see"),
]


def test_forms_come_from_the_lemma_and_begin_like_the_word() -> None:
    table = forms_from_pairs(PAIRS, ["drive", "botschaft", "expulso", "see"])
    assert table["drive"] == {"drive", "drove", "driven", "drives"}
    assert table["botschaft"] == {"botschaft", "botschaften"}
    assert table["expulso"] == {"expulso", "expulsaron", "expulsar"}
    # "saw" is a form of "see" in the dictionary, but it does not begin like it (a saw).
    assert table["see"] == {"see", "sees"}


def test_a_word_the_dictionary_does_not_know_has_no_entry() -> None:
    assert forms_from_pairs(PAIRS, ["embassy"]) == {}


def watchlist(text: str, aliases: tuple[str, ...] = ()) -> Watchlist:
    group = Group("act", (Term(text, aliases=aliases),))
    return Watchlist("w", (group,), (Rule("r", any_of=("act",)),))


LEMMA_CASES = [
    # id, term, story text, language, matched text (None: no match)
    ("irregular-past", "drive into", "A man drove into the gates", "en", "drove into"),
    ("participle", "drive into", "a car was driven into the barrier", "en", "driven into"),
    ("spanish-preterite", "expulsó", "Argentina expulsaron a dos diplomáticos", "es", "expulsaron"),
    ("german-plural", "Botschaft", "vor den Botschaften", "de", "Botschaften"),
    ("other-language-forms-stay-apart", "drive into", "drove into", "de", None),
]


@pytest.mark.parametrize(
    ("term", "text", "language", "expected"),
    [case[1:] for case in LEMMA_CASES],
    ids=[case[0] for case in LEMMA_CASES],
)
def test_terms_match_the_forms_of_their_lemma(
    term: str, text: str, language: str, expected: str | None
) -> None:
    forms = {
        "en": forms_from_pairs(PAIRS, ["drive"]),
        "es": forms_from_pairs(PAIRS, ["expulso"]),
        "de": forms_from_pairs(PAIRS, ["botschaft"]),
    }
    matches = compile_watchlists([watchlist(term)], forms).match(text, "", language)
    found = [hit.text for match in matches for hit in match.hits]
    assert found == ([] if expected is None else [expected])


def test_a_term_that_is_not_stemmed_keeps_its_written_form() -> None:
    forms = {"en": forms_from_pairs(PAIRS, ["drive"])}
    strict = Watchlist(
        "w",
        (Group("act", (Term("drive", stem=False),)),),
        (Rule("r", any_of=("act",)),),
    )
    assert compile_watchlists([strict], forms).match("he drove off", "", "en") == []


def test_the_packaged_table_is_current_for_the_builtin_words() -> None:
    """The shipped forms are what simplemma's dictionaries give for today's built-in words."""
    fresh = build_table(builtin_words())
    assert table_to_json(fresh) == table_to_json(packaged_table()), (
        "the built-in watchlists changed: run `python -m watchlists.lemmas` to refresh"
        " watchlists/forms.json.gz"
    )


def test_the_builtin_watchlists_find_forms_nobody_listed() -> None:
    table = packaged_table()
    assert {"attacked", "attacking"} <= table["en"]["attack"]
    assert "irrumpiendo" in table["es"]["irrumpieron"]
