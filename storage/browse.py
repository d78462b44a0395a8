"""Reads for browsing what was caught: alerts (stored matches) and stories, page by page.

Does I/O (the database). Every list is newest first and paged by a key
(``Page.after``: the time and id of the last row already shown), so a page
stays correct while new rows arrive. Rows never leave this module: the
results are the plain records below and ``StoredStory``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.records import StoredStory
from storage.stories import to_stored
from storage.tables import Feed, Match, Story, StorySource


@dataclass(frozen=True, slots=True)
class Filters:
    """What to show: every field left empty means "any"."""

    watchlist: str | None = None
    source: str | None = None
    language: str | None = None
    query: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """``limit`` rows strictly older than ``after`` (a time and an id), or the newest."""

    limit: int = 50
    after: tuple[datetime, int] | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """One stored match: a story that a watchlist caught, and why."""

    id: int
    watchlist: str
    watchlist_version: int
    score: float
    priority: str
    explanation: str  # JSON: {"watchlist", "score", "hits": [{term, field, start, end, …}]}
    created_at: datetime
    story: StoredStory


@dataclass(frozen=True, slots=True)
class Source:
    """One feed entry that carried a story."""

    source: str
    url: str
    feed_url: str
    seen_at: datetime


def _story_filters(query: Any, filters: Filters) -> Any:
    if filters.source:
        query = query.where(col(Story.source) == filters.source)
    if filters.language:
        query = query.where(col(Story.language) == filters.language)
    if filters.query:
        pattern = f"%{filters.query}%"
        query = query.where(col(Story.title).ilike(pattern) | col(Story.summary).ilike(pattern))
    return query


def _older_than(
    query: Any, time_column: Any, id_column: Any, after: tuple[datetime, int] | None
) -> Any:
    if after is None:
        return query
    seen, last = after
    return query.where(or_(time_column < seen, and_(time_column == seen, id_column < last)))


def list_alerts(engine: Engine, filters: Filters, page: Page) -> list[Alert]:
    """Stored matches, newest first, with their stories."""
    with transaction(engine) as session:
        query = select(Match, Story, Feed.url).join(Story, col(Match.story_id) == col(Story.id))
        query = query.join(Feed, col(Story.feed_id) == col(Feed.id), isouter=True)
        if filters.watchlist:
            query = query.where(col(Match.watchlist) == filters.watchlist)
        if filters.since:
            query = query.where(col(Match.created_at) >= filters.since)
        if filters.until:
            query = query.where(col(Match.created_at) < filters.until)
        query = _story_filters(query, filters)
        query = _older_than(query, col(Match.created_at), col(Match.id), page.after)
        query = query.order_by(col(Match.created_at).desc(), col(Match.id).desc()).limit(page.limit)
        return [_alert(match, story, feed_url) for match, story, feed_url in session.exec(query)]


def _alert(match: Match, story: Story, feed_url: str | None) -> Alert:
    assert match.id is not None and match.created_at is not None
    return Alert(
        id=match.id,
        watchlist=match.watchlist,
        watchlist_version=match.watchlist_version,
        score=match.score,
        priority=match.priority,
        explanation=match.explanation,
        created_at=match.created_at,
        story=to_stored(story, feed_url or ""),
    )


def find_stories(engine: Engine, filters: Filters, page: Page) -> list[StoredStory]:
    """Stored stories, newest first (by first sight); ``watchlist`` keeps those it matched."""
    with transaction(engine) as session:
        query = select(Story, Feed.url).join(Feed, col(Story.feed_id) == col(Feed.id), isouter=True)
        if filters.watchlist:
            matched = select(Match.story_id).where(col(Match.watchlist) == filters.watchlist)
            query = query.where(col(Story.id).in_(matched))
        if filters.since:
            query = query.where(col(Story.first_seen_at) >= filters.since)
        if filters.until:
            query = query.where(col(Story.first_seen_at) < filters.until)
        query = _story_filters(query, filters)
        query = _older_than(query, col(Story.first_seen_at), col(Story.id), page.after)
        query = query.order_by(col(Story.first_seen_at).desc(), col(Story.id).desc())
        rows = session.exec(query.limit(page.limit))
        return [to_stored(story, feed_url or "") for story, feed_url in rows]


def story_alerts(engine: Engine, story_id: int) -> list[Alert]:
    """Every watchlist that caught this story, best score first."""
    with transaction(engine) as session:
        query = (
            select(Match, Story, Feed.url)
            .join(Story, col(Match.story_id) == col(Story.id))
            .join(Feed, col(Story.feed_id) == col(Feed.id), isouter=True)
            .where(col(Match.story_id) == story_id)
            .order_by(col(Match.score).desc(), col(Match.watchlist))
        )
        return [_alert(match, story, feed_url) for match, story, feed_url in session.exec(query)]


def story_sources(engine: Engine, story_ids: list[int]) -> dict[int, list[Source]]:
    """The feed entries that carried each story, first seen first."""
    found: dict[int, list[Source]] = {story_id: [] for story_id in story_ids}
    if not story_ids:
        return found
    with transaction(engine) as session:
        for start in range(0, len(story_ids), 500):
            chunk = story_ids[start : start + 500]
            query = (
                select(StorySource, Feed.url)
                .join(Feed, col(StorySource.feed_id) == col(Feed.id), isouter=True)
                .where(col(StorySource.story_id).in_(chunk))
                .order_by(col(StorySource.seen_at), col(StorySource.id))
            )
            for row, feed_url in session.exec(query):
                assert row.seen_at is not None
                found[row.story_id].append(Source(row.source, row.url, feed_url or "", row.seen_at))
    return found


def alerts_per_day(engine: Engine, since: datetime) -> dict[tuple[str, date], int]:
    """How many stories each watchlist caught on each day (UTC) since ``since``."""
    counts: Counter[tuple[str, date]] = Counter()
    with transaction(engine) as session:
        query = select(Match.watchlist, Match.created_at).where(col(Match.created_at) >= since)
        for watchlist, created_at in session.exec(query):
            if created_at is not None:
                counts[(watchlist, created_at.date())] += 1
    return dict(counts)


def alert_delays(engine: Engine, since: datetime) -> list[float]:
    """Seconds from each caught story's publication (or first sight) to its match."""
    delays: list[float] = []
    with transaction(engine) as session:
        query = (
            select(Match.created_at, Story.published_at, Story.first_seen_at)
            .join(Story, col(Match.story_id) == col(Story.id))
            .where(col(Match.created_at) >= since)
        )
        for created_at, published_at, first_seen_at in session.exec(query):
            start = published_at or first_seen_at
            if start is not None and created_at is not None:
                delays.append(max(0.0, (created_at - start).total_seconds()))
    return delays
