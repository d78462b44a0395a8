"""Text normalization: HTML stripping, Unicode folding and tokenization with offsets.

Pure. Every token keeps the span of the ORIGINAL text it came from, for highlighting.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from typing import NamedTuple

_MARKUP = re.compile(
    r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[\u00ad\u200b-\u200d\u2060\ufeff]"
)
"""Tags, entities, and invisible characters that split words (soft hyphen, zero-width)."""
_NEEDS_STRIP = re.compile(r"[<&\u00ad\u200b-\u200d\u2060\ufeff]")
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Words are runs of letters and digits; dotted abbreviations ("U.S.", "EE.UU.") are one
# word. The slower variant also keeps combining accents (text not in NFC) inside words.
_TOKEN = re.compile(r"\w(?:\w?\.(?:\w{1,2}\.)+|\w*)")
_TOKEN_NFD = re.compile(r"(?:[^\W\d_]{1,2}\.){2,}|\w(?:\w|[\u0300-\u036f])*")
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u00bb\u201d\u2019)\]]*\s+")
"""A sentence ends at '.', '!', '?' or '…' (and closing quotes) before a space; the word
before the stop tells abbreviations ("U.S.", "Mr.") from the end of a sentence."""
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st gen sen rep gov lt col capt sgt no nr vs v jr sr sra dra prof inc co"
    " corp ltd mme m art abs dt bzw ca etc".split()
)
_POSSESSIVE = re.compile(r"(?<=[^\W_])['’ʼ][sS]\b")
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
_FOLD_CACHE_LIMIT = 100_000
"""Folded words remembered (all languages); the memo is emptied when full."""


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
    if len(_FOLD_CACHE) >= _FOLD_CACHE_LIMIT:
        _FOLD_CACHE.clear()
    _FOLD_CACHE[word] = result
    return result


def fold_text(text: str) -> str:
    """Fold a whole phrase to its normalized words joined by single spaces."""
    return " ".join(split_words(text).norms)


class Markup:
    """Where the clean text's characters came from, after tags and entities were removed.

    Verbatim runs map one to one; a decoded entity or a removed tag maps to its
    whole original span. Offsets are mapped lazily, only for hits.
    """

    __slots__ = ("_clean_starts", "_segments")

    def __init__(self, segments: list[tuple[int, int, int, bool]]) -> None:
        self._segments = segments
        self._clean_starts = [segment[0] for segment in segments]

    def start(self, index: int) -> int:
        """Original offset of the clean character at ``index``."""
        clean, orig, orig_end, verbatim = self._segments[
            bisect_right(self._clean_starts, index) - 1
        ]
        return orig + (index - clean) if verbatim else orig

    def end(self, index: int) -> int:
        """Original end offset of the clean character at ``index``."""
        clean, orig, orig_end, verbatim = self._segments[
            bisect_right(self._clean_starts, index) - 1
        ]
        return orig + (index - clean) + 1 if verbatim else orig_end


def strip_markup(text: str) -> tuple[str, Markup | None]:
    """Remove tags, decode entities, drop soft hyphens and zero-width characters.

    The ``Markup`` maps clean offsets back to the original (None: text unchanged).
    """
    if _NEEDS_STRIP.search(text) is None:
        return text, None
    pieces: list[str] = []
    segments: list[tuple[int, int, int, bool]] = []
    position = 0
    length = 0
    for found in _MARKUP.finditer(text):
        begin, finish = found.span()
        if begin > position:
            segments.append((length, position, begin, True))
            pieces.append(text[position:begin])
            length += begin - position
        chunk = found.group()
        if chunk in _INVISIBLE:
            replacement = ""
        elif chunk.startswith("<"):
            replacement = " "
        else:
            replacement = html.unescape(chunk)
            if replacement in _INVISIBLE:
                replacement = ""
        segments.append((length, begin, finish, False))
        pieces.append(replacement)
        length += len(replacement)
        position = finish
    if position == 0:
        return text, None
    segments.append((length, position, len(text), True))
    pieces.append(text[position:])
    return "".join(pieces), Markup(segments)


class Words:
    """The words of one text: folded forms for matching, spans and case on demand.

    ``norms[i]`` is word ``i`` folded (lower case, no accents); ``span(i)`` gives its
    offsets in the ORIGINAL text and ``cased(i)`` its folded form with case kept.
    """

    __slots__ = ("norms", "text", "_clean", "_markup", "_spans", "_cased", "_token", "_sentences")

    def __init__(self, text: str) -> None:
        self.text = text
        clean, self._markup = strip_markup(text)
        if "'" in clean or "’" in clean or "ʼ" in clean:
            clean = _POSSESSIVE.sub("  ", clean)
        self._clean = clean
        self._spans: list[tuple[int, int]] | None = None
        self._cased: list[str] | None = None
        self._sentences: list[int] | None = None
        self._token = _TOKEN
        if clean.isascii():
            norms = _TOKEN.findall(clean.lower())
            if "." in clean:
                norms = [w.replace(".", "") if "." in w else w for w in norms]
        else:
            if not unicodedata.is_normalized("NFC", clean):
                self._token = _TOKEN_NFD
            cache = _FOLD_CACHE
            norms = [(cache.get(w) or fold_word(w))[0] for w in self._token.findall(clean)]
        self.norms: list[str] = norms

    def __len__(self) -> int:
        return len(self.norms)

    def span(self, index: int) -> tuple[int, int]:
        """Offsets of word ``index`` in the original text."""
        begin, finish = self._clean_spans()[index]
        if self._markup is None:
            return begin, finish
        return self._markup.start(begin), self._markup.end(finish - 1)

    def _clean_spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = [m.span() for m in self._token.finditer(self._clean)]
        return self._spans

    def _sentence_starts(self) -> list[int]:
        if self._sentences is None:
            starts = [0]
            clean = self._clean
            for found in _SENTENCE_END.finditer(clean):
                stop = found.start()
                tail = clean[max(0, stop - 16) : stop].rsplit(None, 1)
                before = tail[-1].lower() if tail else ""
                if "." in before or before in _ABBREVIATIONS or len(before) == 1:
                    continue  # "U.S.", "Mr.", an initial: not the end of a sentence
                starts.append(found.end())
            self._sentences = starts
        return self._sentences

    def sentence(self, index: int) -> int:
        """Which sentence of the text word ``index`` is in (0 for the first)."""
        begin = self._clean_spans()[index][0]
        return bisect_right(self._sentence_starts(), begin) - 1

    def sentence_text(self, number: int) -> str:
        """Sentence ``number`` as a person reads it (tags removed, entities decoded)."""
        starts = self._sentence_starts()
        begin = starts[number]
        finish = starts[number + 1] if number + 1 < len(starts) else len(self._clean)
        return " ".join(self._clean[begin:finish].split())

    def cased(self, index: int) -> str:
        """Word ``index`` folded like ``norms`` but keeping its capitals."""
        if self._cased is None:
            self._cased = [fold_word(w)[1] for w in self._token.findall(self._clean)]
        return self._cased[index]


def split_words(text: str) -> Words:
    """Split ``text`` (plain or with HTML) into ``Words`` (fast; spans computed lazily).

    Hyphens and apostrophes separate words; an English possessive "'s" is dropped;
    "U.S." is one word ``us``.
    """
    return Words(text)


def tokenize(text: str) -> list[Token]:
    """All words of ``text`` as ``Token`` values with original offsets."""
    words = Words(text)
    return [Token(norm, words.cased(i), *words.span(i)) for i, norm in enumerate(words.norms)]
