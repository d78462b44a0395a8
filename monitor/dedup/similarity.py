"""The near-duplicate rule: whether two items' texts are copies of one story, judged conservatively.

Pure, no I/O. Thresholds are tuned on the shared eval set and checked on real feeds; the
candidates it judges come from ``monitor.dedup.index``.

**Verification** — a false merge is worse than a miss, so every condition must hold:

=================================  =========  =================================================
condition                          threshold  why
=================================  =========  =================================================
content words in each summary      >= 8       short texts, headline-only and boilerplate
                                              summaries never merge ("Live updates")
summary word-bigram overlap coeff  >= 0.55    light rewrites keep >= 0.57 (eval), different
                                              stories stay <= 0.26
summary word-bigram Jaccard        >= 0.30    guards the overlap coefficient against a short
                                              summary contained in a long one
summary token_sort_ratio (0-100)   >= 75      independent second opinion (rapidfuzz): copies
                                              >= 84, different stories <= 63
names only one side has            not both   templated siblings and different stories swap
                                   sides      names; a trimmed copy only drops them
Title Case headline swaps a word   none       "Weather Forecast for Chicago" / "… for Boston"
that the other text never uses                with one blurb: a template, not a copy
titles share content               Jaccard    an identical blurb under unrelated headlines is
                                   >= 0.2 or  a newsletter or teaser, not a copy
                                   ratio>=60
numbers, months, weekdays          one set    daily series ("rate today – 01 November") and
                                   holds the  numbered updates stay apart; a trimmed copy
                                   other      may drop a number, never change one
publication times                  <= window  recurring columns a week apart stay apart
=================================  =========  =================================================

Names are the capitalized words of an item that are not the first word of a sentence (all-caps
words always count; the words of a Title Case headline count only when the summary also
capitalizes them). A copy may drop names (a trimmed summary) but does not swap them: when each
item has a name the other item's text lacks, they are templated siblings ("Clima en Rosario
hoy" / "Clima en San Luis hoy", "Gartner Outperform" / "Pure Storage Outperform") or
different stories, never copies.
"""

from __future__ import annotations

import re
import zlib
from difflib import SequenceMatcher

from rapidfuzz import fuzz

from monitor.dedup.fingerprint import (
    STOPWORDS,
    clean_text,
    content_words,
    fold_words,
    number_tokens,
    shingles,
    strip_boilerplate,
)

__all__ = [
    "ItemText",
    "blurb",
    "name_words",
    "similar",
    "unrelated",
]

MIN_CONTENT_WORDS = 8
MIN_OVERLAP = 0.55
MIN_JACCARD = 0.30
MIN_RATIO = 75.0
MIN_TITLE_JACCARD = 0.2
MIN_TITLE_RATIO = 60.0
UNRELATED_TITLE_RATIO = 50.0
UNRELATED_OVERLAP = 0.3
TITLE_CASE_SHARE = 0.9
MAX_WORDS = 300  # feeds that put whole articles in the summary: compare the lede only
MAX_CHARS = 3000  # of the summary, where names are looked for
MAX_PLAIN = 4000  # of the plain summary kept (feeds' summaries are cut there too)

_NONE: frozenset[str] = frozenset()
_SEP = "\x1f"  # between the packed strings; clean_text turns it into a space
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\s+[-\u2013\u2014|]\s+|[\"\u201c\u201d\u00ab\u00bb(]")
_TOKEN = re.compile(r"[^\W_][\w'\u2019.-]*")


class _Unpacked:
    """An ``ItemText``'s strings, and what the rule compares, derived on demand."""

    __slots__ = (
        "plain_title",
        "plain_summary",
        "title_case",
        "title",
        "summary",
        "_names",
        "_sets",
    )

    def __init__(self, plain_title: str, plain_summary: str, title_case: bool) -> None:
        self.plain_title = plain_title
        self.plain_summary = plain_summary
        self.title_case = title_case
        self.title = " ".join(fold_words(plain_title)[:MAX_WORDS])
        self.summary = " ".join(fold_words(plain_summary)[:MAX_WORDS])
        self._names: str | None = None
        self._sets: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None

    @property
    def names(self) -> str:
        if self._names is None:
            summary = self.plain_summary[:MAX_CHARS]
            self._names = " ".join(sorted(name_words(self.plain_title, summary, self.title_case)))
        return self._names

    def sets(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        if self._sets is None:
            summary_tokens = self.summary.split()
            title_tokens = self.title.split()
            self._sets = (
                frozenset(shingles(summary_tokens, 2)),
                frozenset(title_tokens) | frozenset(summary_tokens),
                frozenset(content_words(title_tokens)),
            )
        return self._sets


class ItemText:
    """The normalized text of one item and what the verification rule needs of it.

    Made once per item (in a parser process, for the daemon): the plain title and summary
    (markup, boilerplate and datelines gone), their normalized tokens, and the flags and
    numbers every comparison needs. Names and word sets are derived on demand: only a few
    candidates are verified per item. At rest (after ``compact``) an item keeps only the
    plain strings, zlib-compressed (about half the size), and its flags; the rest comes back
    when next needed. This keeps a large index small and the work per item low.
    """

    __slots__ = ("numbers", "informative", "title_case", "_packed", "_open")

    def __init__(self, title: str, summary: str) -> None:
        plain_title = clean_text(title)
        plain_summary = strip_boilerplate(clean_text(summary))[:MAX_PLAIN]
        self.title_case = is_title_case(plain_title)
        self._open: _Unpacked | None = _Unpacked(plain_title, plain_summary, self.title_case)
        self._packed: bytes | None = None
        title_tokens = self._open.title.split()
        summary_tokens = self._open.summary.split()
        self.numbers = number_tokens(title_tokens) | number_tokens(summary_tokens) or _NONE
        self.informative = len(content_words(summary_tokens)) >= MIN_CONTENT_WORDS

    def __reduce__(self) -> tuple[object, ...]:
        """Pickles packed (parser processes send these to the main process)."""
        return (_restore, (self.numbers, self.informative, self.title_case, self.packed()))

    def packed(self) -> bytes:
        """The plain title and summary, compressed."""
        if self._packed is None:
            view = self._view()
            text = f"{view.plain_title}{_SEP}{view.plain_summary}"
            self._packed = zlib.compress(text.encode("utf-8"), 1)
        return self._packed

    def _view(self) -> _Unpacked:
        if self._open is None:
            assert self._packed is not None
            title, summary = zlib.decompress(self._packed).decode("utf-8").split(_SEP)
            self._open = _Unpacked(title, summary, self.title_case)
        return self._open

    @property
    def title(self) -> str:
        """The title's normalized tokens, joined by spaces."""
        return self._view().title

    @property
    def summary(self) -> str:
        """The summary's normalized tokens (at most ``MAX_WORDS``), joined by spaces."""
        return self._view().summary

    @property
    def names(self) -> str:
        """The item's names (see the module docstring), sorted and joined by spaces."""
        return self._view().names

    @property
    def joined(self) -> list[str]:
        """Title and summary tokens, in order."""
        view = self._view()
        return (view.title + " " + view.summary).split()

    @property
    def name_set(self) -> frozenset[str]:
        """The item's names as a set."""
        return frozenset(self.names.split())

    @property
    def bigrams(self) -> frozenset[str]:
        """Word bigrams of the summary."""
        return self._view().sets()[0]

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every token of title and summary."""
        return self._view().sets()[1]

    @property
    def title_words(self) -> frozenset[str]:
        """Content words of the title."""
        return self._view().sets()[2]

    def compact(self) -> None:
        """Keep only the compressed form (strings and sets come back when next needed)."""
        self.packed()
        self._open = None


def _restore(
    numbers: frozenset[str], informative: bool, title_case: bool, packed: bytes
) -> ItemText:
    text = ItemText.__new__(ItemText)
    text.numbers = numbers or _NONE
    text.informative = informative
    text.title_case = title_case
    text._packed = packed
    text._open = None
    return text


def name_words(title: str, summary: str, title_case: bool | None = None) -> frozenset[str]:
    """Normalized names (see the module docstring) of a plain-text title and summary.

    ``title_case`` is ``is_title_case(title)``, when the caller knows it already.
    """
    summary_names = _capitalized(summary, skip_first=True)
    if is_title_case(title) if title_case is None else title_case:
        capitals = [t for t in _TOKEN.findall(title) if t[0].isupper()]
        title_names = {t for t in capitals if _is_acronym(t)}
        title_names |= {t for t in capitals if " ".join(fold_words(t)) in summary_names}
    else:
        title_names = _capitalized(title, skip_first=True, raw=True)
    folded = {w for t in title_names for w in fold_words(t)} | summary_names
    return frozenset(w for w in folded if len(w) > 1 and not w.isdigit())


def is_title_case(title: str) -> bool:
    """Whether a headline capitalizes (almost) every word, so capitals do not mark names."""
    words = [t for t in _TOKEN.findall(title) if t[0].isalpha() and t.lower() not in STOPWORDS]
    capitals = sum(1 for t in words if t[0].isupper())
    return len(words) >= 3 and capitals >= TITLE_CASE_SHARE * len(words)


def _capitalized(text: str, skip_first: bool, raw: bool = False) -> set[str]:
    found: set[str] = set()
    for sentence in _SENTENCE.split(text):
        tokens = _TOKEN.findall(sentence)
        for position, token in enumerate(tokens):
            if token.islower():  # no capital anywhere: the usual case, and no name
                continue
            if position == 0 and skip_first and not _is_acronym(token):
                continue
            for part in token.split("-"):
                if part[:1].isupper():
                    found.update([part] if raw else fold_words(part))
    return found


def _is_acronym(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def similar(a: ItemText, b: ItemText) -> bool:
    """The conservative near-duplicate rule of the module docstring."""
    if not (a.informative and b.informative):
        return False
    if a.numbers != b.numbers and not (a.numbers <= b.numbers or b.numbers <= a.numbers):
        return False
    common = len(a.bigrams & b.bigrams)
    smaller = min(len(a.bigrams), len(b.bigrams))
    if smaller == 0 or common / smaller < MIN_OVERLAP:
        return False
    if common / len(a.bigrams | b.bigrams) < MIN_JACCARD:
        return False
    if _names_swapped(a, b):
        return False
    if fuzz.token_sort_ratio(a.summary, b.summary) < MIN_RATIO:
        return False
    if _swapped_in_title(a, b):
        return False
    union = a.title_words | b.title_words
    if union and len(a.title_words & b.title_words) / len(union) >= MIN_TITLE_JACCARD:
        return True
    return fuzz.token_set_ratio(a.title, b.title) >= MIN_TITLE_RATIO


def _names_swapped(a: ItemText, b: ItemText) -> bool:
    """Each text has a name the other never uses (plural ``s`` ignored)."""
    a_only = {_stem(n) for n in a.name_set} - {_stem(w) for w in b.vocabulary}
    return bool(a_only) and bool({_stem(n) for n in b.name_set} - {_stem(w) for w in a.vocabulary})


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _swapped_in_title(a: ItemText, b: ItemText) -> bool:
    """Title Case headlines that differ by a swapped word neither text uses elsewhere.

    In sentence case the names rule catches templates ("Clima en Rosario hoy"); in Title Case
    every word looks like a name, so a swap of any content word marks a template instead.
    """
    if not (a.title_case or b.title_case):
        return False
    left, right = a.title.split(), b.title.split()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
        if tag != "replace":
            continue
        gone = [w for w in content_words(left[i1:i2]) if w not in b.vocabulary]
        new = [w for w in content_words(right[j1:j2]) if w not in a.vocabulary]
        if gone and new:
            return True
    return False


def blurb(a: ItemText, b: ItemText) -> bool:
    """One summary under two headlines in one feed: a newsletter or teaser blurb, not a copy."""
    return a.summary == b.summary and a.title != b.title


def unrelated(a: ItemText, b: ItemText) -> bool:
    """Two texts that plainly tell different stories (used to distrust a shared URL or GUID).

    Both titles must say something (three content words or more), share almost nothing, and
    the summaries must not overlap; anything less certain counts as related.
    """
    if len(a.title_words) < 3 or len(b.title_words) < 3:
        return False
    union = a.title_words | b.title_words
    if len(a.title_words & b.title_words) / len(union) >= MIN_TITLE_JACCARD:
        return False
    if fuzz.token_set_ratio(a.title, b.title) >= UNRELATED_TITLE_RATIO:
        return False
    smaller = min(len(a.bigrams), len(b.bigrams))
    if smaller and len(a.bigrams & b.bigrams) / smaller >= UNRELATED_OVERLAP:
        return False
    return True
