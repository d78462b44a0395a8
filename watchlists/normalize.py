"""Text normalization: HTML stripping, Unicode folding and tokenization with offsets.

Pure. Every token keeps the span of the ORIGINAL text it came from, for highlighting.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import NamedTuple

_MARKUP = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# Dotted abbreviations ("U.S.", "EE.UU.") are one word; otherwise runs of letters/digits.
_TOKEN = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}|[^\W_](?:[^\W_]|[\u0300-\u036f])*")
_APOSTROPHES = frozenset("'’ʼ`´")
_EXTRA_FOLDS = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "þ": "th",
    }
)
_FOLD_CACHE: dict[str, tuple[str, str]] = {}
_FOLD_CACHE_LIMIT = 200_000


class Token(NamedTuple):
    """One word: ``norm`` is folded (lower case, no accents), ``cased`` keeps the case.

    ``start``/``end`` are offsets into the original (un-stripped) text.
    """

    norm: str
    cased: str
    start: int
    end: int


def fold_word(word: str) -> tuple[str, str]:
    """Return ``(norm, cased)`` for one word: NFKC, accents removed, ``norm`` case-folded."""
    cached = _FOLD_CACHE.get(word)
    if cached is not None:
        return cached
    if word.isascii():
        cased = word.replace(".", "")
    else:
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", word))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        cased = unicodedata.normalize("NFC", text).translate(_EXTRA_FOLDS).replace(".", "")
    result = (cased.casefold(), cased)
    if len(_FOLD_CACHE) < _FOLD_CACHE_LIMIT:
        _FOLD_CACHE[word] = result
    return result


def fold_text(text: str) -> str:
    """Fold a whole phrase to its normalized words joined by single spaces."""
    return " ".join(token.norm for token in tokenize(text))


def strip_markup(text: str) -> tuple[str, list[int] | None, list[int] | None]:
    """Remove tags and decode entities.

    Returns the clean text and, when it differs from ``text``, the original start
    and end offset of every clean character (``None`` means identity).
    """
    if "<" not in text and "&" not in text:
        return text, None, None
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for found in _MARKUP.finditer(text):
        begin, finish = found.span()
        if begin > position:
            pieces.append(text[position:begin])
            starts.extend(range(position, begin))
            ends.extend(range(position + 1, begin + 1))
        chunk = found.group()
        replacement = " " if chunk.startswith("<") else html.unescape(chunk)
        pieces.append(replacement)
        starts.extend([begin] * len(replacement))
        ends.extend([finish] * len(replacement))
        position = finish
    if position == 0:
        return text, None, None
    pieces.append(text[position:])
    starts.extend(range(position, len(text)))
    ends.extend(range(position + 1, len(text) + 1))
    return "".join(pieces), starts, ends


def tokenize(text: str) -> list[Token]:
    """Split ``text`` (plain or with HTML) into folded tokens with original offsets.

    Hyphens and apostrophes separate words; an English possessive "'s" is dropped;
    "U.S." is one token ``us``.
    """
    clean, starts, ends = strip_markup(text)
    tokens: list[Token] = []
    append = tokens.append
    for found in _TOKEN.finditer(clean):
        word = found.group()
        begin, finish = found.span()
        if (
            (word == "s" or word == "S")
            and begin >= 2
            and clean[begin - 1] in _APOSTROPHES
            and clean[begin - 2].isalnum()
        ):
            continue
        norm, cased = fold_word(word)
        if not norm:
            continue
        if starts is not None and ends is not None:
            append(Token(norm, cased, starts[begin], ends[finish - 1]))
        else:
            append(Token(norm, cased, begin, finish))
    return tokens
