"""The deduplicator: decides whether an incoming feed item is new, a copy, a repeat or an update.

Pure: no I/O and no clock (``now`` is passed in); the daemon stores what it decides.

Identity comes in layers, tried in order; the first that holds decides:

1. **GUID within a feed.** Trusted only when the stored item agrees: same fingerprint, or
   same URL key or near-duplicate text while the texts are not plainly unrelated. Feeds that
   give every item one GUID, or repeat a GUID inside a document, therefore lose nothing;
   feeds that rotate GUIDs fall through to layer 2.
2. **Canonical URL** (``canonical.url_key``: scheme and ``www.`` ignored, tracking parameters,
   AMP and mobile variants folded). A site's front page never identifies a story, nor does an
   address shared by plainly unrelated texts (``similarity.unrelated``: feeds that link
   several items to one page).
3. **Fingerprint** of normalized title and summary: from the same feed it is the same story
   (when the summary is informative, see ``similarity.MIN_CONTENT_WORDS``, or the headline
   identifies a story, see ``monitor.dedup.headline``: the same text under a new URL or GUID); from
   another feed, with an informative text, a syndicated copy (a new story in the same cluster).
4. **Headline identity** (``monitor.dedup.headline``, thresholds tabled there): another feed's item
   under the same identifying headline within 48 hours, unless a source repeats that headline
   (a series, a column: the headline then never joins while that history is remembered).
5. **Retitled copy**: another feed's headline with one word added, dropped or replaced, the
   same numbers and names, and some evidence from the summaries; candidates come from exact
   lookups of headline deletion keys, rejected on the stored headline before any stored text
   is decompressed.
6. **Near-duplicate** within ``window`` of publication time (``monitor.dedup.similarity``): a few
   candidates from an inverted index of bottom-k MinHash samples, so the work per item does
   not grow with the store, each verified by a conservative rule (thresholds tabled there).

Identity in layers 1–2 gives ``same`` when the fingerprint is one of the story's last four
versions, else ``update``; layers 3–6 give ``cluster`` (or ``same`` for an identical text from
the same feed); nothing gives ``new``. A repeat teaches the index its new GUID and address, so
rotating GUIDs and tracking variants are recognised directly next time. In one feed, one
summary under two headlines is a blurb (newsletter, teaser), never a copy.

Memory: a story's text stays indexed for ``window`` after it was seen (3 days), with the
hashes it is indexed under (packed, so forgetting it decompresses nothing); its GUIDs,
addresses, fingerprints and headline for ``retain`` (14 days, about 0.7 kB a story), which is
also the history in which a source's repeated headlines are seen; the database's unique
constraints cover repeats older than that.
"""

from __future__ import annotations

import json
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from monitor.dedup.fingerprint import fingerprint_of
from monitor.dedup.headline import (
    HEADLINE_WINDOW,
    headline_keys,
    lede_evidence,
    retitled,
)
from monitor.dedup.index import (
    SKETCH_SIZE,
    Sketch,
    SketchIndex,
    bucket_drop,
    bucket_get,
    bucket_put,
    sketch_hashes,
)
from monitor.dedup.similarity import ItemText, blurb, similar, unrelated
from monitor.parse.canonical import canonical_key, url_key
from watchlists.errors import NewswatchError

__all__ = [
    "DedupDecision",
    "DedupFeatures",
    "DedupInputError",
    "DedupItem",
    "Deduplicator",
    "dedup_features",
    "dedup_jsonl",
    "fingerprint_of",
]

MAX_VERSIONS = 4
MAX_ALIASES = 4
MAX_HEADLINE_CANDIDATES = 16  # items under one headline looked at (a big story's outlets)
TITLE_KEY_CAP = 32  # a deletion key shared by more recent headlines is skipped
_NO_NAMES: frozenset[str] = frozenset()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

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


@dataclass(frozen=True, slots=True)
class DedupFeatures:
    """What the deduplicator derives from one item's address and text, before any lookup.

    This is most of the cost of a decision, and it needs nothing but the item: the daemon
    computes it in its parser processes, beside the parsing, and passes it to ``decide``.
    """

    ukey: str | None
    text: ItemText
    fp: str
    hashes: Sketch
    headline: str = ""  # normalized (``headline.headline_tokens``), joined by spaces
    title_keys: Sketch = ()  # ``headline.deletion_keys`` of it


def dedup_features(
    title: str, summary: str, url: str | None, canonical: str | None = None
) -> DedupFeatures:
    """The ``DedupFeatures`` of an item with this title, summary and address.

    ``canonical`` is ``canonical_url(url)`` when the caller has it already (it saves the
    most costly step of ``url_key``).
    """
    text = ItemText(title, summary)
    hashes = sketch_hashes(text.joined) if text.informative else ()
    ukey = canonical_key(canonical) if canonical is not None and url else url_key(url)
    headline, title_keys = headline_keys(title)
    return DedupFeatures(ukey, text, fingerprint_of(title, summary), hashes, headline, title_keys)


class DedupInputError(NewswatchError, ValueError):
    """A JSONL line given to ``dedup_jsonl`` is not a usable item; names the line."""

    def __init__(self, message: str, *, line: int, hint: str | None = None) -> None:
        super().__init__(f"line {line}: {message}", hint=hint)
        self.line = line


@dataclass(slots=True, eq=False)
class _Entry:
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


class _Probe:
    """An incoming item with its features and event time."""

    __slots__ = ("item", "ukey", "text", "fp", "when", "hashes", "headline", "title_keys")

    def __init__(self, item: DedupItem, now: datetime, features: DedupFeatures | None) -> None:
        if features is None:
            features = dedup_features(item.title, item.summary, item.url)
        self.item = item
        self.ukey = features.ukey
        self.text = features.text
        self.fp = features.fp
        self.when = _event_time(item.published, now)
        self.hashes = features.hashes
        self.headline = features.headline
        self.title_keys = features.title_keys

    @property
    def guids(self) -> tuple[tuple[str, str], ...]:
        """The (feed, GUID) keys a new entry for this item starts with."""
        return ((self.item.feed, self.item.guid),) if self.item.guid else ()


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
        self._by_guid: dict[tuple[str, str], _Entry | list[_Entry]] = {}
        self._by_url: dict[str, _Entry] = {}
        self._by_fp: dict[str, _Entry | list[_Entry]] = {}
        self._sketches: SketchIndex[_Entry] = SketchIndex()
        self._by_headline: dict[str, _Entry | list[_Entry]] = {}
        self._recurring: dict[str, datetime] = {}  # headline → when a source last repeated it
        self._sweep_at = 1024  # swept of expired recurring headlines when it grows past this
        self._titles: SketchIndex[_Entry] = SketchIndex(
            sample=1 << 16, min_hits=1, cap=TITLE_KEY_CAP, limit=MAX_HEADLINE_CANDIDATES
        )
        self._recent: deque[_Entry] = deque()
        self._kept: deque[_Entry] = deque()

    def __len__(self) -> int:
        return len(self._kept)

    @staticmethod
    def fingerprint(item: DedupItem) -> str:
        """The stored fingerprint of ``item``'s title and summary."""
        return fingerprint_of(item.title, item.summary)

    fingerprint_of = staticmethod(fingerprint_of)

    def decide(
        self, item: DedupItem, now: datetime, features: DedupFeatures | None = None
    ) -> DedupDecision:
        """Decide what ``item`` is and record it, so that its repeats are recognised.

        ``features`` are ``dedup_features`` of the item, when they were computed elsewhere.
        """
        now = _aware(now)
        self._evict(now)
        p = _Probe(item, now, features)
        if item.guid:
            for entry in bucket_get(self._by_guid, (item.feed, item.guid)):
                if self._guid_agrees(entry, p):
                    return self._identity(entry, p)
        if p.ukey is not None and (owner := self._by_url.get(p.ukey)) is not None:
            if owner.text is None or not unrelated(owner.text, p.text):
                return self._identity(owner, p)
        for entry in bucket_get(self._by_fp, p.fp):
            if entry.feed == item.feed and (
                p.text.informative or p.headline or entry.ukey == p.ukey
            ):
                return self._identity(entry, p)
        if p.text.informative:
            for entry in bucket_get(self._by_fp, p.fp):
                if _within(entry.when, p.when, self.window):
                    return self._add(p, now, "cluster", entry.cluster)
        match = self._same_headline(p, now) or self._retitled(p, now) or self._near_duplicate(p)
        if match is not None:
            return self._add(p, now, "cluster", match.cluster)
        return self._add(p, now, "new", item.id)

    def remember(
        self,
        item: DedupItem,
        story: str,
        cluster: str,
        fingerprint: str | None = None,
        seen: datetime | None = None,
        features: DedupFeatures | None = None,
    ) -> None:
        """Seed the index with a stored story (at startup) without deciding about it.

        ``seen`` (default: ``item.published``) is when the story arrived; it decides when the
        story leaves the window. A story with neither stays until the process ends.
        ``features`` are ``dedup_features`` of the item, when they were computed elsewhere.
        """
        seen = _aware(seen) if seen else None
        when = _aware(item.published) if item.published else seen
        p = _Probe(item, when or _EPOCH, features)
        fp = fingerprint or p.fp
        entry = _Entry(
            story, cluster, item.feed, p.ukey, fp, p.text, when, seen or when, p.guids, (fp,)
        )
        entry.headline = p.headline
        self._index(entry, p.ukey, p.hashes, p.title_keys)

    # -- layers ------------------------------------------------------------------------

    def _guid_agrees(self, entry: _Entry, p: _Probe) -> bool:
        """A GUID match counts when address or text agree and the texts are not unrelated."""
        if p.fp in entry.versions:
            return True
        if entry.text is not None and unrelated(entry.text, p.text):
            return False
        if p.ukey is not None and (p.ukey == entry.ukey or p.ukey in entry.ukeys):
            return True
        return entry.text is not None and similar(entry.text, p.text)

    def _identity(self, entry: _Entry, p: _Probe) -> DedupDecision:
        item = p.item
        key = (item.feed, item.guid) if item.guid else None
        if key is not None and key not in entry.guids and len(entry.guids) < MAX_ALIASES:
            entry.guids += (key,)
            bucket_put(self._by_guid, key, entry)
        ukey = p.ukey
        if ukey is not None and ukey not in self._by_url and len(entry.ukeys) < MAX_ALIASES:
            self._by_url[ukey] = entry
            entry.ukeys += (ukey,)
        if p.fp in entry.versions:
            return DedupDecision("same", entry.story, entry.cluster)
        entry.fp = p.fp
        entry.versions = entry.versions[-(MAX_VERSIONS - 1) :] + (p.fp,)
        if entry.text is not None:
            self._unsketch(entry)
            entry.text = p.text
            self._sketch(entry, p.hashes)
            p.text.compact()
            if p.headline != entry.headline:  # a new headline: indexed under it from now on
                self._untitle(entry)
                self._title(entry, p.headline, p.title_keys, entry.seen)
        bucket_put(self._by_fp, p.fp, entry)
        return DedupDecision("update", entry.story, entry.cluster)

    def _same_headline(self, p: _Probe, now: datetime) -> _Entry | None:
        """An item of another feed under the same identifying headline, within 48 hours."""
        if not p.headline or self._recurs(p.headline, now):
            return None
        found = None
        for entry in bucket_get(self._by_headline, p.headline)[-MAX_HEADLINE_CANDIDATES:]:
            if entry.feed == p.item.feed:
                return None  # this source repeats it: a series (marked when this is added)
            if found is None and _within(entry.when, p.when, HEADLINE_WINDOW):
                found = entry
        return found

    def _retitled(self, p: _Probe, now: datetime) -> _Entry | None:
        """A copy of another feed whose headline differs by a word (``monitor.dedup.headline``)."""
        if not p.title_keys:
            return None
        words = tuple(p.headline.split()) if p.headline else None
        for entry in self._titles.owners(p.title_keys):
            if entry.feed == p.item.feed or entry.text is None or not entry.headline:
                continue
            if not _within(entry.when, p.when, HEADLINE_WINDOW):
                continue
            if words is None:
                break  # the probe's headline does not identify a story (too short)
            theirs = tuple(entry.headline.split())
            # Cheap rejections first: the stored text is decompressed only past them.
            if not retitled(theirs, words, _NO_NAMES, _NO_NAMES):
                continue
            if self._recurs(entry.headline, now) or self._recurs(p.headline, now):
                continue
            a_names, b_names = entry.text.name_set, p.text.name_set
            matched = retitled(theirs, words, a_names, b_names) and lede_evidence(
                entry.text.bigrams, p.text.bigrams, a_names, b_names, words
            )
            entry.text.compact()
            if matched:
                return entry
        return None

    def _recurs(self, headline: str, now: datetime) -> bool:
        """Whether a source repeated this headline within ``retain`` (a series, a column)."""
        last = self._recurring.get(headline)
        if last is None:
            return False
        if last < now - self.retain:
            del self._recurring[headline]
            return False
        return True

    def _near_duplicate(self, p: _Probe) -> _Entry | None:
        if not p.text.informative:
            return None
        for entry in self._sketches.candidates(p.hashes):
            if entry.text is None or not _within(entry.when, p.when, self.window):
                continue
            if entry.feed == p.item.feed and blurb(entry.text, p.text):
                continue
            matched = similar(entry.text, p.text)
            entry.text.compact()
            if matched:
                return entry
        return None

    # -- bookkeeping -------------------------------------------------------------------

    def _add(self, p: _Probe, now: datetime, kind: Kind, cluster: str) -> DedupDecision:
        item = p.item
        entry = _Entry(
            item.id, cluster, item.feed, p.ukey, p.fp, p.text, p.when, now, p.guids, (p.fp,)
        )
        self._index(entry, p.ukey, p.hashes, p.title_keys, p.headline)
        return DedupDecision(kind, item.id, cluster)

    def _index(
        self,
        entry: _Entry,
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

    def _sketch(self, entry: _Entry, hashes: Sketch) -> None:
        if entry.text is not None and entry.text.informative and hashes:
            entry.handle = self._sketches.add(entry, hashes)
            entry.sampled = array("I", hashes[:SKETCH_SIZE]).tobytes()

    def _unsketch(self, entry: _Entry) -> None:
        if entry.handle >= 0 and entry.text is not None:
            self._sketches.remove(entry.handle, _unpacked(entry.sampled))
            entry.handle = -1
            entry.sampled = b""

    def _title(
        self, entry: _Entry, headline: str, title_keys: Sketch, seen: datetime | None
    ) -> None:
        """Index ``entry`` under its headline, or mark the headline as one its source repeats."""
        entry.headline = headline
        if headline:
            if any(other.feed == entry.feed for other in bucket_get(self._by_headline, headline)):
                self._recurring[headline] = seen or _EPOCH
                self._by_headline.pop(headline, None)  # never joins again: nothing to keep
            elif headline not in self._recurring:
                bucket_put(self._by_headline, headline, entry)
        if title_keys and headline and entry.text is not None:
            entry.title_handle = self._titles.add(entry, title_keys)
            entry.title_keys = array("I", title_keys).tobytes()

    def _untitle(self, entry: _Entry) -> None:
        if entry.headline:
            bucket_drop(self._by_headline, entry.headline, entry)
        self._untitle_keys(entry)

    def _untitle_keys(self, entry: _Entry) -> None:
        if entry.title_handle >= 0:
            self._titles.remove(entry.title_handle, _unpacked(entry.title_keys))
            entry.title_handle = -1
            entry.title_keys = b""

    def _forget(self, entry: _Entry) -> None:
        self._untitle(entry)
        for ukey in entry.ukeys:
            if self._by_url.get(ukey) is entry:
                del self._by_url[ukey]
        for fp in entry.versions:
            bucket_drop(self._by_fp, fp, entry)
        for key in entry.guids:
            bucket_drop(self._by_guid, key, entry)


def _unpacked(packed: bytes) -> Sketch:
    hashes = array("I")
    hashes.frombytes(packed)
    return tuple(hashes)


def _event_time(published: datetime | None, now: datetime) -> datetime:
    """Publication time, or ``now`` when missing or in the future (clock skew, junk dates)."""
    return now if published is None else min(_aware(published), now)


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are taken to be UTC (the database stores UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
            raise DedupInputError(f"duplicate id {item.id!r}", line=number, hint="ids are unique")
        seen_ids.add(item.id)
        stamp = _event_time(item.published, item.published or now or _EPOCH)
        now = stamp if now is None or stamp > now else now
        decision = dedup.decide(item, now)
        yield {"id": item.id, "cluster": decision.cluster}


def _parse_line(line: str, number: int) -> DedupItem:
    def fail(message: str, hint: str = "write one JSON object per line") -> DedupInputError:
        return DedupInputError(message, line=number, hint=hint)

    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"not JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise fail("not a JSON object")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise fail("missing or empty string field 'id'", 'e.g. {"id": "a1", "title": "…"}')
    fields: dict[str, str | None] = {}
    for name in ("title", "summary", "url", "source", "guid", "feed", "published"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(f"field {name!r} must be a string", f"quote the {name}")
        fields[name] = value
    published: datetime | None = None
    if fields["published"]:
        try:
            published = datetime.fromisoformat(fields["published"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise fail(
                f"published is not ISO 8601: {fields['published']!r}", "e.g. 2024-04-06T04:12:00Z"
            ) from exc
    return DedupItem(
        id=data["id"],
        feed=fields["feed"] or fields["source"] or "",
        guid=fields["guid"],
        url=fields["url"],
        title=fields["title"] or "",
        summary=fields["summary"] or "",
        published=published
        if published is None or published.tzinfo
        else published.replace(tzinfo=UTC),
        source=fields["source"],
    )
