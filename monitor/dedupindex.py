"""In-memory indexes of the deduplicator: bottom-k shingle sketches, and lean multimaps.

Pure data structures, no I/O.

**Candidate search.** Every indexed text is cut into word 3-grams (``fingerprint.shingles``),
each hashed with CRC-32 (stable across processes, unlike ``hash``); the ``SKETCH_SIZE``
smallest hashes are a bottom-k MinHash sample of the text, and only they are indexed. A query
looks up *all* of its own 3-grams, so a stored text is found when about ``SKETCH_SIZE ×
containment`` of its sample reappears in the query; ``MIN_SKETCH_HITS`` such hits make a
candidate, and at most ``MAX_CANDIDATES`` candidates, best first, are returned for
verification.

Cost per query is one dictionary lookup per 3-gram of the query plus the posting lists it
hits; a posting list longer than ``POSTING_CAP`` (a boilerplate phrase shared by many
stories) is skipped and stops growing, so the cost does not grow with the size of the index.
Memory is ``SKETCH_SIZE`` postings per indexed text.

=================  =====  ==========================================================
constant           value  why
=================  =====  ==========================================================
SKETCH_SIZE        16     eval copies share >= 24 % of 3-grams: ~4 sample hits expected
MIN_SKETCH_HITS    2      one shared 3-gram is chance; two is worth a verification
POSTING_CAP        64     a 3-gram in more than 64 recent stories is boilerplate
MAX_CANDIDATES     8      verification (rapidfuzz) stays a small constant cost
=================  =====  ==========================================================

**Multimaps.** ``bucket_put``/``bucket_get``/``bucket_drop`` keep a lone value bare under its
key and switch to a list only when a second value arrives; most GUIDs, fingerprints and
sampled 3-grams belong to one story, so this halves the memory of an index of lists.
"""

from __future__ import annotations

import heapq
import zlib
from collections.abc import Sequence
from typing import Generic, TypeVar

from monitor.fingerprint import shingles

__all__ = ["SketchIndex", "bucket_drop", "bucket_get", "bucket_put", "sketch_hashes"]

T = TypeVar("T")
K = TypeVar("K")

SKETCH_SIZE = 16
MIN_SKETCH_HITS = 2
POSTING_CAP = 64
MAX_CANDIDATES = 8


def sketch_hashes(tokens: Sequence[str]) -> set[int]:
    """CRC-32 hashes of the word 3-grams of ``tokens``."""
    return {zlib.crc32(gram.encode("utf-8")) for gram in shingles(tokens, 3)}


class SketchIndex(Generic[T]):
    """Maps sampled 3-gram hashes to the items that contain them (items must not be lists).

    A posting holds the item itself while it is alone (most sampled 3-grams are rare) and a
    list once shared: half the memory of lists everywhere.
    """

    def __init__(self) -> None:
        self._postings: dict[int, T | list[T]] = {}

    def __len__(self) -> int:
        return len(self._postings)

    def add(self, item: T, hashes: set[int]) -> None:
        """Index ``item`` under the bottom-k sample of its 3-gram ``hashes``."""
        postings = self._postings
        for key in heapq.nsmallest(SKETCH_SIZE, hashes):
            posting = postings.get(key)
            if posting is None:
                postings[key] = item
            elif isinstance(posting, list):
                if len(posting) <= POSTING_CAP:
                    posting.append(item)
            else:
                postings[key] = [posting, item]

    def remove(self, item: T, hashes: set[int]) -> None:
        """Forget ``item``, indexed earlier with the same ``hashes``."""
        postings = self._postings
        for key in heapq.nsmallest(SKETCH_SIZE, hashes):
            posting = postings.get(key)
            if posting is item:
                del postings[key]
            elif isinstance(posting, list) and item in posting:
                posting.remove(item)
                if len(posting) == 1:
                    postings[key] = posting[0]

    def candidates(self, hashes: set[int]) -> list[T]:
        """Indexed items sharing at least ``MIN_SKETCH_HITS`` sampled 3-grams, most first."""
        hits: dict[T, int] = {}
        postings = self._postings
        for key in hashes:
            posting = postings.get(key)
            if posting is None:
                continue
            if isinstance(posting, list):
                if len(posting) > POSTING_CAP:
                    continue
                for item in posting:
                    hits[item] = hits.get(item, 0) + 1
            else:
                hits[posting] = hits.get(posting, 0) + 1
        ranked = [(n, i) for i, n in hits.items() if n >= MIN_SKETCH_HITS]
        if len(ranked) > MAX_CANDIDATES:
            ranked = heapq.nlargest(MAX_CANDIDATES, ranked, key=lambda pair: pair[0])
        else:
            ranked.sort(key=lambda pair: -pair[0])
        return [item for _, item in ranked]


def bucket_get(mapping: dict[K, T | list[T]], key: K) -> tuple[T, ...] | list[T]:
    """The entries under ``key`` (a lone entry is stored bare, saving a list per key)."""
    found = mapping.get(key)
    if found is None:
        return ()
    return found if isinstance(found, list) else (found,)


def bucket_put(mapping: dict[K, T | list[T]], key: K, entry: T) -> None:
    """Add ``entry`` under ``key`` (once)."""
    found = mapping.get(key)
    if found is None:
        mapping[key] = entry
    elif isinstance(found, list):
        if entry not in found:
            found.append(entry)
    elif found is not entry:
        mapping[key] = [found, entry]


def bucket_drop(mapping: dict[K, T | list[T]], key: K, entry: T) -> None:
    """Remove ``entry`` from under ``key``; the key goes when nothing is left."""
    found = mapping.get(key)
    if found is entry:
        del mapping[key]
    elif isinstance(found, list):
        rest = [e for e in found if e is not entry]
        mapping[key] = rest[0] if len(rest) == 1 else rest
        if not rest:
            del mapping[key]
