"""In-memory indexes of the deduplicator: bottom-k shingle sketches, and lean multimaps.

Pure data structures, no I/O.

**Candidate search.** Every indexed text is cut into word 3-grams (``fingerprint.shingles``),
each hashed with CRC-32 (stable across processes, unlike ``hash``); the ``SKETCH_SIZE``
smallest hashes are a bottom-k MinHash sample of the text, and only they are indexed. A query
looks up *all* of its own 3-grams, so a stored text is found when about ``SKETCH_SIZE ×
containment`` of its sample reappears in the query; ``MIN_SKETCH_HITS`` such hits make a
candidate, and at most ``MAX_CANDIDATES`` candidates, best first, are returned for
verification.

Cost per query is one bucket scan per 3-gram of the query plus the postings it hits; a
3-gram sampled by more than ``POSTING_CAP`` texts (a boilerplate phrase shared by many
stories) is skipped and stops growing, so the cost does not grow with the size of the index.

**Memory.** A posting is 6 bytes, not a dictionary entry and an integer object (about 90
bytes): the 32-bit hash picks one of 65,536 buckets by its high half, and the bucket keeps
the low halves sorted in an ``array('H')``, each beside its item's handle in an
``array('I')``. At 100,000 texts (1.6 million postings, about 24 a bucket) that measured
26 MB, against 87 MB for a plain dictionary of the same postings, for a binary search of a
short array per lookup.

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
addresses belong to one story, so this halves the memory of an index of lists.
"""

from __future__ import annotations

import heapq
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Generic, TypeVar

from monitor.dedup.fingerprint import shingles

__all__ = ["Sketch", "SketchIndex", "bucket_drop", "bucket_get", "bucket_put", "sketch_hashes"]

T = TypeVar("T")
K = TypeVar("K")

SKETCH_SIZE = 16
MIN_SKETCH_HITS = 2
POSTING_CAP = 64
MAX_CANDIDATES = 8
_BUCKET_BITS = 16
_LOW = (1 << _BUCKET_BITS) - 1

Sketch = tuple[int, ...]
"""The distinct CRC-32 hashes of a text's word 3-grams, in ascending order."""


def sketch_hashes(tokens: Sequence[str]) -> Sketch:
    """CRC-32 hashes of the word 3-grams of ``tokens``, distinct and sorted.

    (The 3-grams are those of ``fingerprint.shingles``, hashed as they are made.)
    """
    crc = zlib.crc32
    if len(tokens) <= 3:
        return tuple({crc(gram.encode("utf-8")) for gram in shingles(tokens, 3)})
    grams = zip(tokens, tokens[1:], tokens[2:], strict=False)  # the shorter ones end it
    return tuple(sorted({crc(f"{a} {b} {c}".encode()) for a, b, c in grams}))


class SketchIndex(Generic[T]):
    """Maps sampled 3-gram hashes to the items that contain them, packed (see the docstring).

    ``add`` returns a handle for the item; ``remove`` takes the handle back with the same
    hashes. Handles of removed items are reused. The defaults are the constants of the module
    docstring; ``monitor.dedup.memory`` also keeps an index of headline deletion keys
    (all of an item's keys indexed, one hit enough: see ``monitor.dedup.headline``).
    """

    def __init__(
        self,
        sample: int = SKETCH_SIZE,
        min_hits: int = MIN_SKETCH_HITS,
        cap: int = POSTING_CAP,
        limit: int = MAX_CANDIDATES,
    ) -> None:
        self.sample, self.min_hits, self.cap, self.limit = sample, min_hits, cap, limit
        buckets = 1 << (32 - _BUCKET_BITS)
        self._lows: list[array[int] | None] = [None] * buckets  # sorted low halves
        self._owners: list[array[int] | None] = [None] * buckets  # the handle beside each
        self._items: list[T | None] = []
        self._free: list[int] = []

    def __len__(self) -> int:
        """The number of items indexed."""
        return len(self._items) - len(self._free)

    def add(self, item: T, hashes: Sketch) -> int:
        """Index ``item`` under the bottom-k sample of its 3-gram ``hashes``; return its handle."""
        if self._free:
            handle = self._free.pop()
            self._items[handle] = item
        else:
            handle = len(self._items)
            self._items.append(item)
        for key in hashes[: self.sample]:
            bucket, low = key >> _BUCKET_BITS, key & _LOW
            lows, owners = self._lows[bucket], self._owners[bucket]
            if lows is None or owners is None:
                self._lows[bucket] = array("H", (low,))
                self._owners[bucket] = array("I", (handle,))
                continue
            end = bisect_right(lows, low)
            if end - bisect_left(lows, low, 0, end) <= self.cap:
                lows.insert(end, low)
                owners.insert(end, handle)
        return handle

    def remove(self, handle: int, hashes: Sketch) -> None:
        """Forget the item under ``handle``, indexed earlier with the same ``hashes``."""
        for key in hashes[: self.sample]:
            bucket, low = key >> _BUCKET_BITS, key & _LOW
            lows, owners = self._lows[bucket], self._owners[bucket]
            if lows is None or owners is None:
                continue
            start, end = bisect_left(lows, low), bisect_right(lows, low)
            for position in range(end - 1, start - 1, -1):
                if owners[position] == handle:
                    del lows[position]
                    del owners[position]
            if not lows:
                self._lows[bucket] = self._owners[bucket] = None
        self._items[handle] = None
        self._free.append(handle)

    def candidates(self, hashes: Sketch) -> list[T]:
        """Indexed items sharing at least ``min_hits`` sampled hashes, most first."""
        hits: dict[int, int] = {}
        cap, min_hits, limit = self.cap, self.min_hits, self.limit
        all_lows, all_owners = self._lows, self._owners
        for key in hashes:
            bucket = key >> _BUCKET_BITS
            lows = all_lows[bucket]
            if lows is None:
                continue
            low = key & _LOW
            start = bisect_left(lows, low)
            if start == len(lows) or lows[start] != low:  # the usual case
                continue
            end = bisect_right(lows, low, start)
            if end - start > cap:
                continue
            owners = all_owners[bucket]
            assert owners is not None  # a bucket's lows and owners are set and cleared together
            for owner in owners[start:end]:
                hits[owner] = hits.get(owner, 0) + 1
        ranked = [(n, h) for h, n in hits.items() if n >= min_hits]
        if len(ranked) > limit:
            ranked = heapq.nlargest(limit, ranked, key=lambda pair: pair[0])
        else:
            ranked.sort(key=lambda pair: -pair[0])
        items = self._items
        return [item for _, handle in ranked if (item := items[handle]) is not None]

    def owners(self, hashes: Sketch) -> list[T]:
        """Indexed items under any of ``hashes``, each once, at most ``limit`` (no ranking).

        The fast path for an index where one shared hash is a candidate (``min_hits`` 1).
        """
        found: list[T] = []
        handles: set[int] = set()
        all_lows, all_owners, items, cap = self._lows, self._owners, self._items, self.cap
        for key in hashes:
            bucket = key >> _BUCKET_BITS
            lows = all_lows[bucket]
            if lows is None:
                continue
            low = key & _LOW
            start = bisect_left(lows, low)
            if start == len(lows) or lows[start] != low:  # the usual case
                continue
            end = bisect_right(lows, low, start)
            if end - start > cap:
                continue
            owners = all_owners[bucket]
            assert owners is not None  # a bucket's lows and owners are set and cleared together
            for handle in owners[start:end]:
                if handle not in handles and (item := items[handle]) is not None:
                    handles.add(handle)
                    found.append(item)
                    if len(found) >= self.limit:
                        return found
        return found


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
