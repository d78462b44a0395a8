"""What one poll of one feed changes on its row: the decision after a success or a failure.

Pure: takes the feed's record, what the fetch returned (``Fetched``: a small view any
fetch result fits), the parsed feed, the deduplicator's ``StoryWrite``s and ``now``;
returns a ``PollWrite`` (success) or a ``PollError`` (failure) for the writer to store.

    decision         inputs                                             result
    ---------------  -------------------------------------------------  ------------------------
    backlog_cutoff   first poll?, NEWSWATCH_BACKLOG_MAX_AGE             date before which items
                                                                        are old news (or None)
    decide_poll      new items, headers, ttl, sy:update, retry-after,   next check, interval,
                     the feed's item history                            item gap, health, title
    decide_error     reason, HTTP status, Retry-After, errors so far    next retry, health
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from monitor.parse.feed import ParsedFeed
from monitor.parse.story import Story
from monitor.schedule.health import after_error, after_success
from monitor.schedule.polling import (
    Bounds,
    Hints,
    adapt_interval,
    freshness_seconds,
    retry_after_seconds,
    schedule_error,
    schedule_success,
    usual_gap,
)
from storage.records import FeedRecord, PollWrite, StoryWrite

NEW_KINDS = frozenset({"new", "cluster"})  # dedup decisions that count as a new item


class Fetched(Protocol):
    """What the decision reads of a fetch result (``monitor.fetch.http.FetchResult`` fits)."""

    @property
    def headers(self) -> Mapping[str, str]: ...  # lower-case names

    @property
    def etag(self) -> str | None: ...

    @property
    def last_modified(self) -> str | None: ...

    @property
    def not_modified(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class PollError:
    """What a failed poll changes on the feed's row (``storage.feeds.record_feed_error``)."""

    feed_id: int
    reason: str
    checked_at: datetime
    next_check_at: datetime
    errors: int  # failures in a row, this one included
    state: str
    state_reason: str


def backlog_cutoff(feed: FeedRecord, now: datetime, max_age: float) -> datetime | None:
    """On a feed's first successful poll, the publication time before which items are old.

    ``max_age`` is ``NEWSWATCH_BACKLOG_MAX_AGE`` in seconds; a later poll has no cutoff.
    """
    if feed.last_success_at is not None:
        return None
    return now - timedelta(seconds=max_age)


def is_backlog(story: Story, cutoff: datetime | None) -> bool:
    """Whether a story is old news found by a first poll (``NEWSWATCH_BACKLOG_MAX_AGE``).

    A story without a publication date is taken to be new: it cannot be told apart.
    """
    return cutoff is not None and story.published is not None and story.published < cutoff


def published_gap(stories: tuple[Story, ...]) -> float | None:
    """The average gap between a feed's items by their publication dates (first poll)."""
    dates = sorted(s.published for s in stories if s.published is not None)
    if len(dates) < 2:
        return None
    span = (dates[-1] - dates[0]).total_seconds()
    return span / (len(dates) - 1) if span > 0 else None


def decide_poll(
    feed: FeedRecord,
    result: Fetched,
    parsed: ParsedFeed | None,
    stories: tuple[StoryWrite, ...],
    *,
    now: datetime,
    bounds: Bounds,
    base_interval: int,
    item_digests: bytes | None = None,
) -> PollWrite:
    """Everything a successful poll changes: when to look again, the feed's health, its stories.

    ``parsed`` is None when the body was not read (304, or the same bytes as last time);
    ``stories`` are the deduplicator's decisions for the parsed stories; ``base_interval``
    is ``NEWSWATCH_POLL_INTERVAL``. New items shorten the feed's interval, a poll without
    lengthens it; the next check also honours the response's freshness and the feed's hints.
    """
    new_items = sum(1 for w in stories if w.kind in NEW_KINDS)
    interval = adapt_interval(feed.poll_interval, base_interval, new_items, bounds)
    hints = Hints(
        max_age=freshness_seconds(result.headers, now),
        ttl_minutes=parsed.ttl_minutes if parsed else None,
        update_minutes=parsed.update_minutes if parsed else None,
        retry_after=retry_after_seconds(result.headers.get("retry-after"), now),
    )
    gap = feed.item_gap
    if new_items:
        if feed.last_new_item_at is not None:
            gap = usual_gap(gap, (now - feed.last_new_item_at).total_seconds() / new_items)
        elif parsed is not None:
            gap = published_gap(parsed.stories)
    health = after_success(now, new_items, feed.last_new_item_at, gap)
    return PollWrite(
        feed_id=feed.id,
        checked_at=now,
        next_check_at=schedule_success(now, interval, hints, bounds),
        etag=result.etag,
        last_modified=result.last_modified,
        title=parsed.title if parsed else None,
        stories=stories,
        not_modified=result.not_modified,
        state=health.state,
        state_reason=health.reason,
        poll_interval=interval,
        item_gap=gap,
        item_digests=item_digests,
    )


def decide_error(
    feed: FeedRecord,
    reason: str,
    *,
    status: int | None,
    retry_after: float | None,
    now: datetime,
    bounds: Bounds,
    base_interval: int,
) -> PollError:
    """The feed's health after this failure and when to try again (exponential backoff).

    A 429 without Retry-After waits at least the feed's interval; a Retry-After is honoured
    up to ``bounds.max_backoff``.
    """
    interval = feed.poll_interval or base_interval
    if status == 429 and retry_after is None:
        retry_after = float(interval)
    errors = feed.error_count + 1
    health = after_error(now, errors, reason, status, feed.last_success_at)
    return PollError(
        feed_id=feed.id,
        reason=reason,
        checked_at=now,
        next_check_at=schedule_error(now, interval, errors, retry_after, bounds),
        errors=errors,
        state=health.state,
        state_reason=health.reason,
    )
