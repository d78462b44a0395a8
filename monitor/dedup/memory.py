"""The deduplicator's memory: the stories it holds, their indexes, and how long it keeps them.

Pure: no I/O and no clock (eviction is told ``now``). ``monitor.dedup.deduplicator`` decides
with these indexes; this module only fills them, looks after them and empties them.

A story's text stays indexed for ``window`` after it was seen (3 days), with the hashes it is
indexed under (packed, so forgetting it decompresses nothing); its GUIDs, addresses,
fingerprints and headline for ``retain`` (14 days, about 0.7 kB a story), which is also the
history in which a source's repeated headlines are seen; the database's unique constraints
cover repeats older than that.

================  ============  ======================================================
index             key           holds, and for how long
================  ============  ======================================================
``_by_guid``      (feed, GUID)  every story under its GUIDs, ``retain``
``_by_url``       URL key       the first story at an address, ``retain``
``_by_fp``        fingerprint   every story under its last versions, ``retain``
``_by_headline``  headline      stories under an identifying headline that no source
                                repeats, ``retain``
``_recurring``    headline      when a source last repeated it (a series), ``retain``
``_sketches``     3-gram hash   informative texts (bottom-k sample), ``window``
``_titles``       deletion key  identifying headlines of texts in the window
================  ============  ======================================================
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.dedup.features import EPOCH
from monitor.dedup.index import (
    SKETCH_SIZE,
    Sketch,
    SketchIndex,
    bucket_drop,
    bucket_get,
    bucket_put,
)
from monitor.dedup.similarity import ItemText

__all__ = ["MAX_HEADLINE_CANDIDATES", "DedupMemory", "Entry", "within"]

MAX_HEADLINE_CANDIDATES = 16  # items under one headline looked at (a big story's outlets)
TITLE_KEY_CAP = 32  # a deletion key shared by more recent headlines is skipped


@dataclass(slots=True, eq=False)
class Entry:
    """One stored story in the index (mutable: an update replaces its text)."""

    story: str
    cluster: str
    feed: str
    ukey: str | None
    fp: str
    text: ItemText | None
    when: datetime | None
    seen: datetime | None
    guids: tuple[tuple[str, str], ...]
    versions: tuple[str, ...]
    ukeys: tuple[str, ...] = ()
    handle: int = -1  # in the sketch index, while its text is sketched
    headline: str = ""  # when it identifies a story (``DedupFeatures.headline``)
    title_handle: int = -1  # in the headline deletion-key index, while in the window
    # The hashes each index holds it under, packed (``array('I')``, 4 bytes a hash): taking
    # an item out of the indexes then needs neither its text nor its 3-grams again.
    sampled: bytes = b""
    title_keys: bytes = b""


class DedupMemory:
    """The indexes of stored stories, filled by ``_index`` and emptied by ``_evict``.

    ``window`` bounds near-duplicate matching by publication time; ``retain`` is how long
    GUID, URL and fingerprint identities are kept in memory (the database keeps them longer).
    """

    def __init__(
        self, window: timedelta = timedelta(days=3), retain: timedelta = timedelta(days=14)
    ) -> None:
        self.window = window
        self.retain = max(retain, window)
        self._by_guid: dict[tuple[str, str], Entry | list[Entry]] = {}
        self._by_url: dict[str, Entry] = {}
        self._by_fp: dict[str, Entry | list[Entry]] = {}
        self._sketches: SketchIndex[Entry] = SketchIndex()
        self._by_headline: dict[str, Entry | list[Entry]] = {}
        self._recurring: dict[str, datetime] = {}  # headline → when a source last repeated it
        self._sweep_at = 1024  # swept of expired recurring headlines when it grows past this
        self._titles: SketchIndex[Entry] = SketchIndex(
            sample=1 << 16, min_hits=1, cap=TITLE_KEY_CAP, limit=MAX_HEADLINE_CANDIDATES
        )
        self._recent: deque[Entry] = deque()
        self._kept: deque[Entry] = deque()

    def __len__(self) -> int:
        return len(self._kept)

    def _recurs(self, headline: str, now: datetime) -> bool:
        """Whether a source repeated this headline within ``retain`` (a series, a column)."""
        last = self._recurring.get(headline)
        if last is None:
            return False
        if last < now - self.retain:
            del self._recurring[headline]
            return False
        return True

    def _index(
        self,
        entry: Entry,
        ukey: str | None,
        hashes: Sketch,
        title_keys: Sketch = (),
        headline: str | None = None,
    ) -> None:
        for key in entry.guids:
            bucket_put(self._by_guid, key, entry)
        if ukey is not None and ukey not in self._by_url:
            self._by_url[ukey] = entry
            entry.ukeys += (ukey,)
        bucket_put(self._by_fp, entry.fp, entry)
        if entry.text is not None:
            self._sketch(entry, hashes)
            entry.text.compact()
        self._title(entry, entry.headline if headline is None else headline, title_keys, entry.seen)
        if entry.seen is not None:
            self._recent.append(entry)
            self._kept.append(entry)

    def _evict(self, now: datetime) -> None:
        recent_cutoff = now - self.window
        while self._recent and _before(self._recent[0].seen, recent_cutoff):
            entry = self._recent.popleft()
            self._unsketch(entry)
            self._untitle_keys(entry)
            entry.text = None
        kept_cutoff = now - self.retain
        if len(self._recurring) > self._sweep_at:
            self._recurring = {h: t for h, t in self._recurring.items() if t >= kept_cutoff}
            self._sweep_at = max(1024, 2 * len(self._recurring))
        while self._kept and _before(self._kept[0].seen, kept_cutoff):
            self._forget(self._kept.popleft())

    def _sketch(self, entry: Entry, hashes: Sketch) -> None:
        if entry.text is not None and entry.text.informative and hashes:
            entry.handle = self._sketches.add(entry, hashes)
            entry.sampled = array("I", hashes[:SKETCH_SIZE]).tobytes()

    def _unsketch(self, entry: Entry) -> None:
        if entry.handle >= 0 and entry.text is not None:
            self._sketches.remove(entry.handle, _unpacked(entry.sampled))
            entry.handle = -1
            entry.sampled = b""

    def _title(
        self, entry: Entry, headline: str, title_keys: Sketch, seen: datetime | None
    ) -> None:
        """Index ``entry`` under its headline, or mark the headline as one its source repeats."""
        entry.headline = headline
        if headline:
            if any(other.feed == entry.feed for other in bucket_get(self._by_headline, headline)):
                self._recurring[headline] = seen or EPOCH
                self._by_headline.pop(headline, None)  # never joins again: nothing to keep
            elif headline not in self._recurring:
                bucket_put(self._by_headline, headline, entry)
        if title_keys and headline and entry.text is not None:
            entry.title_handle = self._titles.add(entry, title_keys)
            entry.title_keys = array("I", title_keys).tobytes()

    def _untitle(self, entry: Entry) -> None:
        if entry.headline:
            bucket_drop(self._by_headline, entry.headline, entry)
        self._untitle_keys(entry)

    def _untitle_keys(self, entry: Entry) -> None:
        if entry.title_handle >= 0:
            self._titles.remove(entry.title_handle, _unpacked(entry.title_keys))
            entry.title_handle = -1
            entry.title_keys = b""

    def _forget(self, entry: Entry) -> None:
        self._untitle(entry)
        for ukey in entry.ukeys:
            if self._by_url.get(ukey) is entry:
                del self._by_url[ukey]
        for fp in entry.versions:
            bucket_drop(self._by_fp, fp, entry)
        for key in entry.guids:
            bucket_drop(self._by_guid, key, entry)


def within(a: datetime | None, b: datetime, window: timedelta) -> bool:
    """Whether ``a`` (unknown counts as within) is at most ``window`` from ``b``."""
    return a is None or abs(a - b) <= window


def _unpacked(packed: bytes) -> Sketch:
    hashes = array("I")
    hashes.frombytes(packed)
    return tuple(hashes)


def _before(seen: datetime | None, cutoff: datetime) -> bool:
    return seen is not None and seen < cutoff
