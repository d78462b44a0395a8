"""Normalization: folding, HTML, word splitting, and offsets into the original text."""

from __future__ import annotations

import random

import pytest

from watchlists.normalize import fold_text, fold_word, split_words, strip_markup, tokenize

FOLD_CASES = [
    ("accents", "Bárcena", "barcena"),
    ("case-fold", "MEXICO", "mexico"),
    ("sharp-s", "Straße", "strasse"),
    ("nfkc-fullwidth", "ＩＣＥ", "ice"),
    ("nfkc-ligature", "ﬁnance", "finance"),
    ("cedilla", "Françoise", "francoise"),
    ("tilde", "Núñez", "nunez"),
    ("stroke-l", "Łódź", "lodz"),
    ("decomposed-accent", "Jose\u0301", "jose"),
]


@pytest.mark.parametrize(
    ("word", "expected"), [c[1:] for c in FOLD_CASES], ids=[c[0] for c in FOLD_CASES]
)
def test_fold_word(word: str, expected: str) -> None:
    assert fold_word(word)[0] == expected


TEXT_CASES = [
    ("hyphen-splits", "López-Obrador", "lopez obrador"),
    ("possessive-dropped", "Glas's asylum", "glas asylum"),
    ("curly-possessive", "Mexico’s embassy", "mexico embassy"),
    ("french-elision", "l'immunité diplomatique", "l immunite diplomatique"),
    ("dotted-abbreviation", "the U.S. embassy", "the us embassy"),
    ("spanish-abbreviation", "EE.UU. y México", "eeuu y mexico"),
    ("html-tags", "<p>The <b>embassy</b></p>", "the embassy"),
    ("html-entities", "Mexico&#8217;s &amp; Ecuador&#39;s", "mexico ecuador"),
    ("named-entity", "Bar&ccedil;ena", "barcena"),
    ("no-break-space", "Jorge\u00a0Glas", "jorge glas"),
    ("punctuation", "raid! (Quito) — 'madness'", "raid quito madness"),
    ("cyrillic", "Посольство", "посольство"),
    ("soft-hyphen", "Bot\u00adschaft", "botschaft"),
    ("soft-hyphen-entity", "Bot&shy;schaft &#173;", "botschaft"),
    ("zero-width", "em\u200bbassy\ufeff", "embassy"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in TEXT_CASES], ids=[c[0] for c in TEXT_CASES]
)
def test_fold_text(text: str, expected: str) -> None:
    assert fold_text(text) == expected


OFFSET_CASES = [
    ("plain", "Police raid embassy"),
    ("accents", "Policía saca a Glas de la Embajada de México"),
    ("html", "<p>The <b>Mexican</b> embassy &amp; Glas&#39;s lawyer</p>"),
    ("entity-inside-word", "Mexico&#8217;s consul"),
    ("abbreviation", "U.S. agents at the consulate"),
    ("soft-hyphen", "Bot\u00adschaft gest&uuml;rmt"),
]


@pytest.mark.parametrize("text", [c[1] for c in OFFSET_CASES], ids=[c[0] for c in OFFSET_CASES])
def test_offsets_point_into_original(text: str) -> None:
    for token in tokenize(text):
        original = text[token.start : token.end]
        assert fold_text(original).replace(" ", "") == token.norm, (token, original)


def test_cased_form_keeps_capitals() -> None:
    tokens = tokenize("ICE agents, not ice")
    assert [t.cased for t in tokens] == ["ICE", "agents", "not", "ice"]


def test_strip_markup_identity_for_plain_text() -> None:
    assert strip_markup("no markup here") == ("no markup here", None)


ALPHABET = (
    "abcXYZ éÉñÑçßİıŁø ﬁ ＩＣＥ 日本語 Посольство e\u0301 \u00a0\u200b\t\n.,;:'’\"-–—!?()"
    "<>&#;/= U.S. EE.UU. 's"
)
FRAGMENTS = ["<p>", "</b>", "<a href='x'>", "&amp;", "&#39;", "&#x27;", "&bogus;", "&", "<", ">"]


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 30)):
        if rng.random() < 0.2:
            parts.append(rng.choice(FRAGMENTS))
        else:
            parts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8))))
    return "".join(parts)


@pytest.mark.parametrize("seed", range(20))
def test_random_text_never_breaks_spans(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        text = random_text(rng)
        words = split_words(text)
        for i in range(len(words)):
            start, end = words.span(i)
            assert 0 <= start < end <= len(text)
            assert words.norms[i] and " " not in words.norms[i]
            assert words.cased(i)
