"""What the deduplicator is given and derives per item: the item, its features, its time.

Pure: no I/O and no clock. ``dedup_features`` needs nothing but the item, so the daemon runs it
in its parser processes (``monitor.prepare``) and hands the result to ``Deduplicator.decide``;
the rest of a decision (``monitor.dedup.deduplicator``) is lookups in memory.

An item's event time is its publication time, or the moment it is decided when it has none
or claims to be from the future; naive datetimes are read as UTC, as the database stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.dedup.fingerprint import fingerprint_of
from monitor.dedup.headline import headline_keys
from monitor.dedup.index import Sketch, sketch_hashes
from monitor.dedup.similarity import ItemText
from monitor.parse.canonical import canonical_key, url_key

__all__ = [
    "EPOCH",
    "DedupFeatures",
    "DedupItem",
    "Probe",
    "aware",
    "dedup_features",
    "event_time",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


class Probe:
    """An incoming item with its features and event time."""

    __slots__ = ("item", "ukey", "text", "fp", "when", "hashes", "headline", "title_keys")

    def __init__(self, item: DedupItem, now: datetime, features: DedupFeatures | None) -> None:
        if features is None:
            features = dedup_features(item.title, item.summary, item.url)
        self.item = item
        self.ukey = features.ukey
        self.text = features.text
        self.fp = features.fp
        self.when = event_time(item.published, now)
        self.hashes = features.hashes
        self.headline = features.headline
        self.title_keys = features.title_keys

    @property
    def guids(self) -> tuple[tuple[str, str], ...]:
        """The (feed, GUID) keys a new entry for this item starts with."""
        return ((self.item.feed, self.item.guid),) if self.item.guid else ()


def event_time(published: datetime | None, now: datetime) -> datetime:
    """Publication time, or ``now`` when missing or in the future (clock skew, junk dates)."""
    return now if published is None else min(aware(published), now)


def aware(moment: datetime) -> datetime:
    """Naive datetimes are taken to be UTC (the database stores UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
