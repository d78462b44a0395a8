"""Plain records that leave the storage layer: rows never cross its border.

Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedRecord:
    id: int
    url: str
    title: str
    state: str
    etag: str | None
    last_modified: str | None
    error_count: int
    last_error: str | None
    item_count: int
    next_check_at: datetime | None
    last_checked_at: datetime | None
    last_success_at: datetime | None
    state_reason: str | None = None
    last_error_at: datetime | None = None
    last_new_item_at: datetime | None = None
    poll_interval: int | None = None
    item_gap: float | None = None
    item_digests: bytes | None = None  # see monitor.prepare.incremental


@dataclass(frozen=True, slots=True)
class StoryWrite:
    """A story to store, with the dedup decision and the matches it got."""

    key: str
    cluster_key: str
    kind: str  # new, cluster, same, update
    guid: str
    url: str
    canonical_url: str | None
    title: str
    summary: str
    source: str
    language: str | None
    fingerprint: str
    published_at: datetime | None
    matches: tuple[MatchWrite, ...] = ()
    backlog: bool = False  # old news on a feed's first poll: stored, never alerted


@dataclass(frozen=True, slots=True)
class MatchWrite:
    watchlist: str
    watchlist_version: int
    score: float
    priority: str
    explanation: str  # JSON


@dataclass(frozen=True, slots=True)
class PollWrite:
    """Everything one successful poll of one feed changes, written in one transaction."""

    feed_id: int
    checked_at: datetime
    next_check_at: datetime
    etag: str | None
    last_modified: str | None
    title: str | None
    stories: tuple[StoryWrite, ...] = ()
    not_modified: bool = False
    state: str = "healthy"
    state_reason: str | None = None
    poll_interval: int | None = None
    item_gap: float | None = None
    item_digests: bytes | None = None  # the items of this response; None: keep the stored ones


@dataclass(frozen=True, slots=True)
class PollSummary:
    new_stories: int
    new_matches: int
    updated: int


@dataclass(frozen=True, slots=True)
class StoredStory:
    id: int
    key: str
    cluster_key: str
    feed_url: str
    guid: str
    url: str
    canonical_url: str | None
    title: str
    summary: str
    source: str
    language: str | None
    fingerprint: str
    published_at: datetime | None
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ClusterSource:
    """One outlet's copy of a clustered story, as one feed carried it."""

    story_id: int
    source: str
    feed_url: str
    url: str
    title: str
    seen_at: datetime | None
    backlog: bool  # stored from a feed's first poll as old news: never alerted


@dataclass(frozen=True, slots=True)
class ClusterMatch:
    watchlist: str
    watchlist_version: int
    score: float
    story_id: int


@dataclass(frozen=True, slots=True)
class ClusterView:
    """A story cluster: every source that carried it and every watchlist that matched it."""

    key: str
    sources: tuple[ClusterSource, ...]
    matches: tuple[ClusterMatch, ...]


@dataclass(frozen=True, slots=True)
class WatchlistRecord:
    name: str
    version: int
    text: str
    enabled: bool
    builtin: bool
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    id: int
    channel: str
    target: str
    format: str
    watchlists: tuple[str, ...]
    schedule: str
    timezone: str
    secret: str | None
    min_score: float
    paused: bool
    disabled_reason: str | None
    created_at: datetime
    last_digest_at: datetime | None
    quiet_hours: str | None = None
    send_empty: bool = False
    feed_alerts: bool = False


@dataclass(frozen=True, slots=True)
class CandidateMatch:
    """A stored match a subscription has not received yet, with its story and sources."""

    match_id: int
    watchlist: str
    score: float
    explanation: str
    story: StoredStory
    sources: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class DigestRecord:
    id: str
    subscription_id: int
    state: str
    attempts: int
    item_count: int
    payload: str
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedAlertCandidate:
    """A feed a subscription should hear about: it broke, or it recovered, since the last message.

    ``events`` counts the messages already composed for this subscription and
    feed; recording the next one succeeds only if it is still that number.
    """

    event: str  # broke, recovered
    feed: FeedRecord
    events: int
    told_state: str | None  # the state the last message named (failing, dead, …)
    told_at: datetime | None  # when that message was composed
