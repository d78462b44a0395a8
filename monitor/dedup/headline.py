"""Headline identity: when two outlets' headlines name one story, whatever their summaries say.

Pure, no I/O. ``monitor.dedup.memory`` keeps the indexes (a headline's items, its
recurrence in a source, the deletion keys below); this module says what a
headline is and what counts.

Outlets that carry one story often write or trim their own lede, so their summaries share
little, while the headline is the wire's, word for word or nearly. A long headline is
specific enough to identify a story on its own, for a short time, unless a source uses it
again and again (a daily series, a column): those recur in the source's own history.

**Normalized headline** (``headline_tokens``): the plain title without a wire or label prefix
("UPDATE 2-", "EXCLUSIVE:", "WATCH:", "Analysis -"), folded like every text here (accents,
case and punctuation gone).

=================================  =========  =================================================
condition                          threshold  why
=================================  =========  =================================================
*identical headline*
content words in the headline      >= 6, or   "Morning briefing", "Weather today", "Live
                                   >= 40      updates" are short; a 6-word headline is
                                   chars      specific (on the real month, same-day pairs
                                              of such headlines were one story but for
                                              recurring ones)
feeds                              different  one feed's own repeats are its history
publication times                  <= 48 h    a re-post days later is a new alert
the headline in one feed's         at most    two items of one feed under one headline mark
history (``retain``, 14 days)      once       a series or column: that headline never joins
*retitled copy*
content words both headlines       >= 6       as above: specific enough
share
content words only one has         <= 1 each  a word added, dropped or replaced; a moved
                                   side       clause changes no word
numbers in the headlines           the same   "5 dead" and "7 dead" are two reports
words only one headline has        no name    "Biden meets Xi" / "Harris meets Xi" differ
                                   of either  by a name: two stories
                                   text
summary evidence                   one of     the summary is evidence, not the gate:
                                   these      overlapping ledes (word-bigram overlap
                                              >= 0.2), a shared name beside the headline's,
                                              or a summary with nothing to compare
publication times, feeds           as above
=================================  =========  =================================================

**Candidates for a retitled copy** come from deletion keys: a headline is indexed under the
hash of its set of content words and of each set with one word left out, so two headlines
that differ by one word added, dropped or replaced on each side share a key, and a lookup is
a few exact probes whatever the size of the store.
"""

from __future__ import annotations

import re
import zlib
from datetime import timedelta

from monitor.dedup.fingerprint import clean_text, content_words, fold_words, number_tokens

__all__ = [
    "HEADLINE_WINDOW",
    "MIN_HEADLINE_CHARS",
    "MIN_HEADLINE_WORDS",
    "deletion_keys",
    "headline_keys",
    "headline_tokens",
    "identifying",
    "retitled",
]

MIN_HEADLINE_WORDS = 6
MIN_HEADLINE_CHARS = 40
HEADLINE_WINDOW = timedelta(hours=48)
MAX_EXTRA_WORDS = 1  # content words only one side has, each side
MIN_SHARED_WORDS = 6
MIN_LEDE_OVERLAP = 0.2
MAX_KEY_WORDS = 10  # longer headlines: a sample of 10 of their content words makes the keys

_PREFIX = re.compile(
    r"^\s*(?:(?:UPDATE|UPDATED|REFILE|CORRECTED|CORRECTION|WRAPUP|EXCLUSIVE|BREAKING|"
    r"BREAKING NEWS|URGENT|FLASH|RPT|REPEAT|INSIGHT|ANALYSIS|FACTBOX|EXPLAINER|FOCUS|"
    r"WATCH|VIDEO|LIVE|BRIEF|RECAP|REVEALED|PICTURED)(?:\s*\d{1,2})?\s*[-:\u2013\u2014|]+\s*)+",
    re.IGNORECASE,
)


def headline_tokens(title: str) -> tuple[str, ...]:
    """The normalized headline of a feed title (see the module docstring)."""
    plain = clean_text(title)
    stripped = _PREFIX.sub("", plain, count=1)
    return tuple(fold_words(stripped if stripped else plain))


def identifying(tokens: tuple[str, ...]) -> bool:
    """Whether a normalized headline is long enough to identify a story on its own."""
    if len(content_words(tokens)) >= MIN_HEADLINE_WORDS:
        return True
    return sum(len(t) for t in tokens) + len(tokens) - 1 >= MIN_HEADLINE_CHARS


def headline_keys(title: str) -> tuple[str, tuple[int, ...]]:
    """A title's normalized headline (joined, "" unless ``identifying``) and ``deletion_keys``.

    What the deduplicator needs of a headline, worked out once per item.
    """
    tokens = headline_tokens(title)
    words = content_words(tokens)
    if len(words) >= MIN_HEADLINE_WORDS:
        return " ".join(tokens), _keys(words)
    joined = " ".join(tokens)
    return (joined if len(joined) >= MIN_HEADLINE_CHARS else ""), ()


def deletion_keys(tokens: tuple[str, ...]) -> tuple[int, ...]:
    """Hashes of the headline's content-word set and of each set one word smaller, sorted.

    A set's hash is the XOR of its words' CRC-32s, so each smaller set costs one operation.
    Long headlines use the ``MAX_KEY_WORDS`` words of smallest hash (a bottom-k sample: one
    word added or dropped still changes the sample by one word each side). Empty when the
    headline has fewer than ``MIN_SHARED_WORDS`` content words: such a headline is never a
    retitled copy.
    """
    return _keys(content_words(tokens))


def _keys(words: list[str]) -> tuple[int, ...]:
    if len(words) < MIN_SHARED_WORDS:
        return ()
    crc = zlib.crc32
    hashes = sorted({crc(w.encode()) for w in words})[:MAX_KEY_WORDS]
    whole = 0
    for h in hashes:
        whole ^= h
    return tuple(sorted({whole, *(whole ^ h for h in hashes)}))


def retitled(
    a: tuple[str, ...],
    b: tuple[str, ...],
    a_names: frozenset[str],
    b_names: frozenset[str],
) -> bool:
    """The headline half of the retitled-copy rule: near-identical words, same numbers.

    ``a_names`` and ``b_names`` are the names of each item (``ItemText.name_set``); a word
    that only one headline has must be a name of neither.
    """
    if number_tokens(a) != number_tokens(b):
        return False
    left, right = set(content_words(a)), set(content_words(b))
    only_left, only_right = left - right, right - left
    if len(only_left) > MAX_EXTRA_WORDS or len(only_right) > MAX_EXTRA_WORDS:
        return False
    if len(left & right) < MIN_SHARED_WORDS:
        return False
    names = a_names | b_names
    return not any(word in names for word in only_left | only_right)


def lede_evidence(
    a_bigrams: frozenset[str],
    b_bigrams: frozenset[str],
    a_names: frozenset[str],
    b_names: frozenset[str],
    headline: tuple[str, ...],
) -> bool:
    """The summary half of the retitled-copy rule (see the module docstring)."""
    smaller = min(len(a_bigrams), len(b_bigrams))
    if smaller == 0:
        return True  # nothing to compare: the headline decides
    if len(a_bigrams & b_bigrams) / smaller >= MIN_LEDE_OVERLAP:
        return True
    return bool((a_names & b_names) - set(headline))
