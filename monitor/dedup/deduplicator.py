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

The indexes these layers look in, and how long a story stays in them, are
``monitor.dedup.memory``'s; what is derived from each item before any lookup is
``monitor.dedup.features``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from monitor.dedup.features import EPOCH, DedupFeatures, DedupItem, Probe, aware
from monitor.dedup.fingerprint import fingerprint_of
from monitor.dedup.headline import HEADLINE_WINDOW, lede_evidence, retitled
from monitor.dedup.index import bucket_get, bucket_put
from monitor.dedup.memory import MAX_HEADLINE_CANDIDATES, DedupMemory, Entry, within
from monitor.dedup.similarity import blurb, similar, unrelated

__all__ = ["DedupDecision", "Deduplicator", "Kind"]

MAX_VERSIONS = 4
MAX_ALIASES = 4
_NO_NAMES: frozenset[str] = frozenset()

Kind = Literal["new", "cluster", "same", "update"]


@dataclass(frozen=True, slots=True)
class DedupDecision:
    """What an item is: ``story`` it is (or repeats) and ``cluster`` it belongs to."""

    kind: Kind
    story: str
    cluster: str


class Deduplicator(DedupMemory):
    """Decides about items one at a time and remembers them; see the module docstring.

    ``window`` bounds near-duplicate matching by publication time; ``retain`` is how long
    GUID, URL and fingerprint identities are kept in memory (the database keeps them longer).
    """

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
        now = aware(now)
        self._evict(now)
        p = Probe(item, now, features)
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
                if within(entry.when, p.when, self.window):
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
        seen = aware(seen) if seen else None
        when = aware(item.published) if item.published else seen
        p = Probe(item, when or EPOCH, features)
        fp = fingerprint or p.fp
        entry = Entry(
            story, cluster, item.feed, p.ukey, fp, p.text, when, seen or when, p.guids, (fp,)
        )
        entry.headline = p.headline
        self._index(entry, p.ukey, p.hashes, p.title_keys)

    # -- layers ------------------------------------------------------------------------

    def _guid_agrees(self, entry: Entry, p: Probe) -> bool:
        """A GUID match counts when address or text agree and the texts are not unrelated."""
        if p.fp in entry.versions:
            return True
        if entry.text is not None and unrelated(entry.text, p.text):
            return False
        if p.ukey is not None and (p.ukey == entry.ukey or p.ukey in entry.ukeys):
            return True
        return entry.text is not None and similar(entry.text, p.text)

    def _identity(self, entry: Entry, p: Probe) -> DedupDecision:
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

    def _same_headline(self, p: Probe, now: datetime) -> Entry | None:
        """An item of another feed under the same identifying headline, within 48 hours."""
        if not p.headline or self._recurs(p.headline, now):
            return None
        found = None
        for entry in bucket_get(self._by_headline, p.headline)[-MAX_HEADLINE_CANDIDATES:]:
            if entry.feed == p.item.feed:
                return None  # this source repeats it: a series (marked when this is added)
            if found is None and within(entry.when, p.when, HEADLINE_WINDOW):
                found = entry
        return found

    def _retitled(self, p: Probe, now: datetime) -> Entry | None:
        """A copy of another feed whose headline differs by a word (``monitor.dedup.headline``)."""
        if not p.title_keys:
            return None
        words = tuple(p.headline.split()) if p.headline else None
        for entry in self._titles.owners(p.title_keys):
            if entry.feed == p.item.feed or entry.text is None or not entry.headline:
                continue
            if not within(entry.when, p.when, HEADLINE_WINDOW):
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

    def _near_duplicate(self, p: Probe) -> Entry | None:
        if not p.text.informative:
            return None
        for entry in self._sketches.candidates(p.hashes):
            if entry.text is None or not within(entry.when, p.when, self.window):
                continue
            if entry.feed == p.item.feed and blurb(entry.text, p.text):
                continue
            matched = similar(entry.text, p.text)
            entry.text.compact()
            if matched:
                return entry
        return None

    # -- bookkeeping -------------------------------------------------------------------

    def _add(self, p: Probe, now: datetime, kind: Kind, cluster: str) -> DedupDecision:
        item = p.item
        entry = Entry(
            item.id, cluster, item.feed, p.ukey, p.fp, p.text, p.when, now, p.guids, (p.fp,)
        )
        self._index(entry, p.ukey, p.hashes, p.title_keys, p.headline)
        return DedupDecision(kind, item.id, cluster)
