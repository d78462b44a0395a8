"""The database tables, as SQLModel classes. No I/O of its own.

Times are stored as UTC; ``UTCDateTime`` hands them back timezone-aware on
every backend. Lists (watchlist names, explanations) are JSON text, which both
SQLite and PostgreSQL store the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _time(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _text() -> Any:
    return Field(default="", sa_column=Column(Text(), nullable=False))


class Feed(SQLModel, table=True):
    __tablename__ = "feeds"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True, index=True)
    title: str = ""
    etag: str | None = None
    last_modified: str | None = None
    state: str = "new"  # new, healthy, degraded, failing, dead, stale
    state_reason: str | None = None
    error_count: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = _time()
    item_count: int = 0
    poll_interval: int | None = None  # seconds; adapts to how often the feed changes
    item_gap: float | None = None  # seconds; the usual gap between new items
    item_digests: bytes | None = None  # 8 bytes per item of the last response stored
    next_check_at: datetime | None = _time(index=True)
    claimed_by: str | None = None
    claimed_until: datetime | None = _time()
    last_checked_at: datetime | None = _time()
    last_success_at: datetime | None = _time()
    last_new_item_at: datetime | None = _time()
    created_at: datetime | None = _time()


class Cluster(SQLModel, table=True):
    __tablename__ = "clusters"

    key: str = Field(primary_key=True)
    created_at: datetime | None = _time()


class Story(SQLModel, table=True):
    __tablename__ = "stories"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    feed_id: int | None = Field(default=None, foreign_key="feeds.id", ondelete="SET NULL")
    guid: str = ""
    url: str = ""
    canonical_url: str | None = Field(default=None, unique=True)
    title: str = _text()
    summary: str = _text()
    source: str = ""
    language: str | None = None
    fingerprint: str = ""
    cluster_key: str = Field(foreign_key="clusters.key", index=True)
    published_at: datetime | None = _time()
    first_seen_at: datetime | None = _time(nullable=False, index=True)
    updated_at: datetime | None = _time()
    # Found already old by its feed's first poll: stored and searchable, never alerted.
    backlog: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class StorySource(SQLModel, table=True):
    """One feed entry that carried a story: a story has one or more sources."""

    __tablename__ = "story_sources"
    __table_args__ = (UniqueConstraint("feed_id", "guid", name="uq_story_sources_feed_guid"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="stories.id", index=True, ondelete="CASCADE")
    feed_id: int = Field(foreign_key="feeds.id", ondelete="CASCADE")
    guid: str
    source: str = ""
    url: str = ""
    seen_at: datetime | None = _time(nullable=False)


class Watchlist(SQLModel, table=True):
    __tablename__ = "watchlists"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    version: int = 1
    text: str = _text()
    enabled: bool = True
    builtin: bool = False
    updated_at: datetime | None = _time()


class WatchlistVersion(SQLModel, table=True):
    """Every saved edit of a watchlist, so an edit can be looked back on."""

    __tablename__ = "watchlist_versions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_watchlist_versions"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    version: int
    text: str = _text()
    created_at: datetime | None = _time()


class Match(SQLModel, table=True):
    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("story_id", "watchlist", name="uq_matches_story_watchlist"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="stories.id", index=True, ondelete="CASCADE")
    watchlist: str = Field(index=True)
    watchlist_version: int = 1
    score: float = 0.0
    priority: str = "digest"
    explanation: str = _text()
    created_at: datetime | None = _time(nullable=False, index=True)


class Subscription(SQLModel, table=True):
    __tablename__ = "subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    channel: str  # "email" or "webhook"
    target: str = _text()
    format: str = "json"
    watchlists: str = _text()  # JSON list of names
    schedule: str = "daily@08:00"
    timezone: str = "UTC"
    secret: str | None = None
    min_score: float = 0.0
    quiet_hours: str | None = None  # "22:00-07:00" in the subscription's time zone
    send_empty: bool = False  # send a digest even when a period brought nothing
    feed_alerts: bool = False  # a message when a feed turns failing or dead, one when it recovers
    paused: bool = False
    disabled_reason: str | None = None
    created_at: datetime | None = _time(nullable=False)
    last_digest_at: datetime | None = _time()


class Digest(SQLModel, table=True):
    """The outbox: a digest is recorded before sending and marked sent after."""

    __tablename__ = "digests"

    id: str = Field(primary_key=True)
    subscription_id: int = Field(foreign_key="subscriptions.id", index=True, ondelete="CASCADE")
    state: str = Field(default="pending", index=True)  # pending, sent, failed
    attempts: int = 0
    item_count: int = 0
    payload: str = _text()  # the digest content as JSON; every retry sends the same
    last_error: str | None = None
    created_at: datetime | None = _time(nullable=False)
    next_attempt_at: datetime | None = _time(index=True)
    claimed_until: datetime | None = _time()
    sent_at: datetime | None = _time()
    last_attempt_at: datetime | None = _time()


class DigestItem(SQLModel, table=True):
    """A story cluster carried by a digest: once per subscription, ever."""

    __tablename__ = "digest_items"
    __table_args__ = (
        UniqueConstraint("subscription_id", "cluster_key", name="uq_digest_items_sub_cluster"),
        Index("ix_digest_items_digest", "digest_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    digest_id: str = Field(foreign_key="digests.id", ondelete="CASCADE")
    subscription_id: int = Field(foreign_key="subscriptions.id", ondelete="CASCADE")
    cluster_key: str
    story_id: int | None = Field(default=None, foreign_key="stories.id", ondelete="SET NULL")


class Tombstone(SQLModel, table=True):
    """Identity keys of pruned stories, so they never alert again."""

    __tablename__ = "tombstones"

    key: str = Field(primary_key=True)
    created_at: datetime | None = _time()


class FeedAlert(SQLModel, table=True):
    """What one subscription was last told about one feed (a row per pair that was told)."""

    __tablename__ = "feed_alerts"
    __table_args__ = (
        UniqueConstraint("subscription_id", "feed_id", name="uq_feed_alerts_sub_feed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False
        )
    )
    feed_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    broken: bool = False  # the last message said the feed was failing or dead
    state: str = ""  # the feed state that message named
    events: int = 0  # messages composed for this pair so far
    digest_id: str | None = Field(
        default=None,
        sa_column=Column(String, ForeignKey("digests.id", ondelete="SET NULL"), nullable=True),
    )
    changed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=False)
    )


class FeedDay(SQLModel, table=True):
    """How one feed's polls went on one day (UTC): a row per feed and day it was polled.

    No foreign key on purpose: counting a poll must never fail the poll's own
    transaction (a feed removed meanwhile); reads join on the feeds that exist.
    """

    __tablename__ = "feed_days"

    feed_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    polls: int = 0  # every poll that finished: answered, unchanged or failed
    failures: int = 0
    new_stories: int = 0
    state: str = ""  # the feed's health after the day's last poll
