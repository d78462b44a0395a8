"""The deduplicator: decides whether an incoming feed item is new, a copy, a repeat or an update.

Pure: no I/O and no clock (``now`` is passed in); the daemon stores what it decides.

Identity comes in layers, tried in order; the first that holds decides:

1. **GUID within a feed.** Trusted only when the stored item agrees: same URL key, same
   fingerprint, or near-duplicate text. Feeds that give every item one GUID, or repeat a GUID
   inside a document, therefore lose nothing; feeds that rotate GUIDs fall through to layer 2.
2. **Canonical URL** (``canonical.url_key``: scheme and ``www.`` ignored, tracking parameters,
   AMP and mobile variants folded). A site's front page never identifies a story.
3. **Fingerprint** of normalized title and summary, when the text is informative (see
   ``fingerprint.MIN_CONTENT_WORDS``): from the same feed it is the same story, from another
   feed it is a syndicated copy (a new story in the same cluster).
4. **Near-duplicate** within ``window`` of publication time: a candidate set from an inverted
   index of sampled shingles (below), each candidate verified by the conservative rule below.

Identity in layers 1–2 gives ``same`` when the fingerprint is unchanged, else ``update``;
layers 3–4 give ``cluster`` (or ``same`` for an identical text from the same feed); nothing
gives ``new``.

Candidates: every story's text (title + summary) is cut into word 3-grams, each hashed with
CRC-32; the ``SKETCH_SIZE`` smallest hashes (a bottom-k MinHash sample) are indexed. A new
item looks up *all* of its 3-grams, so a stored story is found when about
``SKETCH_SIZE × containment`` of its sample reappears; ``MIN_SKETCH_HITS`` hits make a
candidate. Posting lists longer than ``POSTING_CAP`` (boilerplate) are ignored. Work per item
is bounded by the item's length and the cap, not by the size of the store.

The verification rule and its thresholds are in ``monitor.fingerprint`` (``similar``).
"""

from __future__ import annotations

import heapq
import json
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from monitor.canonical import url_key
from monitor.fingerprint import ItemText, fingerprint_of, shingles, similar
from watchlists.errors import NewswatchError

__all__ = [
    "DedupDecision",
    "DedupInputError",
    "DedupItem",
    "Deduplicator",
    "dedup_jsonl",
    "fingerprint_of",
]

SKETCH_SIZE = 16
MIN_SKETCH_HITS = 2
POSTING_CAP = 64
MAX_CANDIDATES = 8

Kind = Literal["new", "cluster", "same", "update"]


@dataclass(frozen=True, slots=True)
class DedupItem:
    """One incoming item, as the deduplicator sees it."""

    id: str
    feed: str
    guid: str | None
    url: str | None
    title: str
    summary: str
    published: datetime | None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class DedupDecision:
    """What an item is: ``story`` it is (or repeats) and ``cluster`` it belongs to."""

    kind: Kind
    story: str
    cluster: str


class DedupInputError(NewswatchError, ValueError):
    """A JSONL line given to ``dedup_jsonl`` is not a usable item; names the line."""

    def __init__(self, message: str, *, line: int, hint: str | None = None) -> None:
        super().__init__(f"line {line}: {message}", hint=hint)
        self.line = line


class _Entry:
    """One stored story in the index (mutable: an update replaces its text)."""

    __slots__ = ("story", "cluster", "feed", "guid", "ukey", "fp", "text", "when", "seen", "sketch")

    def __init__(
        self,
        story: str,
        cluster: str,
        feed: str,
        guid: str | None,
        ukey: str | None,
        fp: str,
        text: ItemText | None,
        when: datetime | None,
        seen: datetime | None,
    ) -> None:
        self.story = story
        self.cluster = cluster
        self.feed = feed
        self.guid = guid
        self.ukey = ukey
        self.fp = fp
        self.text = text
        self.when = when
        self.seen = seen
        self.sketch: tuple[int, ...] = ()


class Deduplicator:
    """Decides about items one at a time and remembers them; see the module docstring.

    ``window`` bounds near-duplicate matching by publication time; ``retain`` is how long
    GUID, URL and fingerprint identities are kept in memory (the database keeps them longer).
    """

    def __init__(
        self, window: timedelta = timedelta(days=3), retain: timedelta = timedelta(days=14)
    ) -> None:
        self.window = window
        self.retain = max(retain, window)
        self._by_guid: dict[tuple[str, str], list[_Entry]] = {}
        self._by_url: dict[str, _Entry] = {}
        self._by_fp: dict[str, list[_Entry]] = {}
        self._postings: dict[int, list[_Entry]] = {}
        self._recent: deque[_Entry] = deque()
        self._kept: deque[_Entry] = deque()

    def __len__(self) -> int:
        return len(self._kept)

    @staticmethod
    def fingerprint(item: DedupItem) -> str:
        """The stored fingerprint of ``item``'s title and summary."""
        return fingerprint_of(item.title, item.summary)

    fingerprint_of = staticmethod(fingerprint_of)

    def decide(self, item: DedupItem, now: datetime) -> DedupDecision:
        """Decide what ``item`` is and record it, so that its repeats are recognised."""
        self._evict(now)
        ukey = url_key(item.url)
        text = ItemText(item.title, item.summary)
        fp = fingerprint_of(item.title, item.summary)
        when = _event_time(item.published, now)
        if item.guid:
            for entry in self._by_guid.get((item.feed, item.guid), ()):
                if self._guid_agrees(entry, ukey, fp, text):
                    return self._identity(entry, item, ukey, fp, text)
        if ukey is not None and (entry := self._by_url.get(ukey)) is not None:
            return self._identity(entry, item, ukey, fp, text)
        if text.informative:
            for entry in self._by_fp.get(fp, ()):
                if entry.feed == item.feed:
                    return self._identity(entry, item, ukey, fp, text)
            for entry in self._by_fp.get(fp, ()):
                if _within(entry.when, when, self.window):
                    return self._add(item, ukey, fp, text, when, now, "cluster", entry.cluster)
        match = self._near_duplicate(text, when)
        if match is not None:
            return self._add(item, ukey, fp, text, when, now, "cluster", match.cluster)
        return self._add(item, ukey, fp, text, when, now, "new", item.id)

    def remember(
        self,
        item: DedupItem,
        story: str,
        cluster: str,
        fingerprint: str | None = None,
        seen: datetime | None = None,
    ) -> None:
        """Seed the index with a stored story (at startup) without deciding about it."""
        ukey = url_key(item.url)
        text = ItemText(item.title, item.summary)
        fp = fingerprint or fingerprint_of(item.title, item.summary)
        entry = _Entry(
            story,
            cluster,
            item.feed,
            item.guid,
            ukey,
            fp,
            text,
            item.published,
            seen or item.published,
        )
        self._index(entry, item.guid, ukey)

    # -- layers ------------------------------------------------------------------------

    def _guid_agrees(self, entry: _Entry, ukey: str | None, fp: str, text: ItemText) -> bool:
        if ukey is not None and entry.ukey is not None and ukey == entry.ukey:
            return True
        if entry.fp == fp:
            return True
        return entry.text is not None and similar(entry.text, text)

    def _identity(
        self, entry: _Entry, item: DedupItem, ukey: str | None, fp: str, text: ItemText
    ) -> DedupDecision:
        if item.guid and entry.feed == item.feed or item.guid and entry.guid is None:
            bucket = self._by_guid.setdefault((item.feed, item.guid), [])
            if entry not in bucket:
                bucket.append(entry)
        if ukey is not None:
            self._by_url.setdefault(ukey, entry)
        if entry.fp == fp:
            return DedupDecision("same", entry.story, entry.cluster)
        entry.fp = fp
        if entry.text is not None:
            entry.text = text
        self._by_fp.setdefault(fp, []).append(entry)
        return DedupDecision("update", entry.story, entry.cluster)

    def _near_duplicate(self, text: ItemText, when: datetime) -> _Entry | None:
        if not text.informative:
            return None
        hits: dict[int, int] = {}
        found: dict[int, _Entry] = {}
        for key in _hashes(text):
            posting = self._postings.get(key)
            if posting is None or len(posting) > POSTING_CAP:
                continue
            for entry in posting:
                ident = id(entry)
                hits[ident] = hits.get(ident, 0) + 1
                found[ident] = entry
        ranked = sorted((n for n in hits.items() if n[1] >= MIN_SKETCH_HITS), key=lambda n: -n[1])[
            :MAX_CANDIDATES
        ]
        for ident, _count in ranked:
            entry = found[ident]
            if entry.text is None or not _within(entry.when, when, self.window):
                continue
            if similar(entry.text, text):
                return entry
        return None

    # -- bookkeeping -------------------------------------------------------------------

    def _add(
        self,
        item: DedupItem,
        ukey: str | None,
        fp: str,
        text: ItemText,
        when: datetime,
        now: datetime,
        kind: Kind,
        cluster: str,
    ) -> DedupDecision:
        entry = _Entry(item.id, cluster, item.feed, item.guid, ukey, fp, text, when, now)
        self._index(entry, item.guid, ukey)
        return DedupDecision(kind, item.id, cluster)

    def _index(self, entry: _Entry, guid: str | None, ukey: str | None) -> None:
        if guid:
            self._by_guid.setdefault((entry.feed, guid), []).append(entry)
        if ukey is not None:
            self._by_url.setdefault(ukey, entry)
        self._by_fp.setdefault(entry.fp, []).append(entry)
        if entry.text is not None and entry.text.informative:
            entry.sketch = tuple(heapq.nsmallest(SKETCH_SIZE, set(_hashes(entry.text))))
            for key in entry.sketch:
                posting = self._postings.setdefault(key, [])
                if len(posting) <= POSTING_CAP:
                    posting.append(entry)
        if entry.seen is not None:
            self._recent.append(entry)
            self._kept.append(entry)

    def _evict(self, now: datetime) -> None:
        recent_cutoff = now - self.window
        while self._recent and _before(self._recent[0].seen, recent_cutoff):
            entry = self._recent.popleft()
            for key in entry.sketch:
                posting = self._postings.get(key)
                if posting is not None and entry in posting:
                    posting.remove(entry)
                    if not posting:
                        del self._postings[key]
            entry.sketch = ()
            entry.text = None
        kept_cutoff = now - self.retain
        while self._kept and _before(self._kept[0].seen, kept_cutoff):
            self._forget(self._kept.popleft())

    def _forget(self, entry: _Entry) -> None:
        for table, key in ((self._by_url, entry.ukey),):
            if key is not None and table.get(key) is entry:
                del table[key]
        for mapping, key2 in ((self._by_fp, entry.fp), (self._by_guid, (entry.feed, entry.guid))):
            bucket = mapping.get(key2)  # type: ignore[call-overload]
            if bucket is not None:
                bucket[:] = [e for e in bucket if e is not entry]
                if not bucket:
                    del mapping[key2]  # type: ignore[arg-type]


def _hashes(text: ItemText) -> Iterator[int]:
    for gram in shingles(text.joined, 3):
        yield zlib.crc32(gram.encode("utf-8"))


def _event_time(published: datetime | None, now: datetime) -> datetime:
    """Publication time, or ``now`` when missing or in the future (clock skew, junk dates)."""
    if published is None:
        return now
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return min(published, now)


def _within(a: datetime | None, b: datetime, window: timedelta) -> bool:
    return a is None or abs(a - b) <= window


def _before(seen: datetime | None, cutoff: datetime) -> bool:
    return seen is not None and seen < cutoff


def dedup_jsonl(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """Run one ``Deduplicator`` over JSON Lines items; yield ``{"id", "cluster"}`` in order.

    Each line is an object with ``id``, ``title``, ``summary`` and optional ``url``,
    ``source``, ``published`` (ISO 8601), ``language``, ``guid``, ``feed``. Without ``feed``
    the ``source`` stands in for it. ``now`` is the latest publication time seen so far, so
    the result does not depend on the wall clock. Blank lines are skipped; a bad line raises
    ``DedupInputError`` naming its number.
    """
    dedup = Deduplicator()
    now: datetime | None = None
    seen_ids: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item = _parse_line(line, number)
        if item.id in seen_ids:
            raise DedupInputError(
                f"duplicate id {item.id!r}", line=number, hint="every item needs its own id"
            )
        seen_ids.add(item.id)
        stamp = _event_time(item.published, item.published or now or _EPOCH)
        now = stamp if now is None or stamp > now else now
        decision = dedup.decide(item, now)
        yield {"id": item.id, "cluster": decision.cluster}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _parse_line(line: str, number: int) -> DedupItem:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DedupInputError(
            f"not JSON: {exc.msg} (column {exc.colno})",
            line=number,
            hint="write one JSON object per line",
        ) from exc
    if not isinstance(data, dict):
        raise DedupInputError(
            "not a JSON object", line=number, hint="write one JSON object per line"
        )
    for name in ("id", "title"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise DedupInputError(f"missing or empty string field {name!r}", line=number)
    fields: dict[str, str | None] = {}
    for name in ("summary", "url", "source", "guid", "feed", "published"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise DedupInputError(f"field {name!r} must be a string", line=number)
        fields[name] = value
    published: datetime | None = None
    if fields["published"]:
        try:
            published = datetime.fromisoformat(fields["published"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise DedupInputError(
                f"published is not ISO 8601: {fields['published']!r}",
                line=number,
                hint="e.g. 2024-04-06T04:12:00Z",
            ) from exc
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
    return DedupItem(
        id=data["id"],
        feed=fields["feed"] or fields["source"] or "",
        guid=fields["guid"],
        url=fields["url"],
        title=data["title"],
        summary=fields["summary"] or "",
        published=published,
        source=fields["source"],
    )
