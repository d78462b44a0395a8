"""Stories, their sources and matches: the write of one poll, and reads for dedup and digests.

Does I/O (the database). A poll's stories, matches and the feed's caching
validators are written in ONE transaction, so a validator is never saved
without the stories of its response. Inserts are idempotent
(``ON CONFLICT DO NOTHING``): one repeated key never rolls back the batch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.database import transaction
from storage.records import PollSummary, PollWrite, StoredStory, StoryWrite
from storage.tables import Cluster, Feed, Match, Story, StorySource
from storage.tombstones import is_tombstoned


def insert_ignore(session: Session, model: Any, values: dict[str, Any]) -> Any | None:
    """Insert a row unless a unique key already holds it; returns the new primary key or None."""
    table: Table = model.__table__
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    pk = list(table.primary_key.columns)[0]
    statement = maker(table).values(**values).on_conflict_do_nothing().returning(pk)
    return session.execute(statement).scalar()


def save_poll(engine: Engine, poll: PollWrite) -> PollSummary:
    """Write one poll's result: feed state and validators, stories, sources, matches."""
    with transaction(engine) as session:
        return _save_one(session, poll)


def save_polls(engine: Engine, polls: list[PollWrite]) -> list[PollSummary]:
    """Write several polls in ONE transaction (each still with its own validators)."""
    if not polls:
        return []
    with transaction(engine) as session:
        return [_save_one(session, poll) for poll in polls]


def _save_one(session: Session, poll: PollWrite) -> PollSummary:
    new_stories = new_matches = sources = updated = 0
    feed = session.get(Feed, poll.feed_id)
    if feed is None:  # removed while it was being polled
        return PollSummary(0, 0, 0, 0)
    for story in poll.stories:
        story_id = _write_story(session, feed, story, poll.checked_at)
        if story_id is None:
            continue
        if story.kind in ("new", "cluster"):
            new_stories += 1
        elif story.kind == "update":
            updated += 1
        if insert_ignore(
            session,
            StorySource,
            {
                "story_id": story_id,
                "feed_id": feed.id,
                "guid": story.guid,
                "source": story.source,
                "url": story.url,
                "seen_at": poll.checked_at,
            },
        ):
            sources += 1
        for match in story.matches:
            inserted = insert_ignore(
                session,
                Match,
                {
                    "story_id": story_id,
                    "watchlist": match.watchlist,
                    "watchlist_version": match.watchlist_version,
                    "score": match.score,
                    "priority": match.priority,
                    "explanation": match.explanation,
                    "created_at": poll.checked_at,
                },
            )
            new_matches += inserted is not None
    if not poll.not_modified:
        feed.etag = poll.etag
        feed.last_modified = poll.last_modified
        if poll.title and not feed.title:
            feed.title = poll.title[:300]
    if new_stories:
        feed.last_new_item_at = poll.checked_at
        feed.item_count += new_stories
    feed.state = poll.state
    feed.state_reason = poll.state_reason
    if poll.poll_interval is not None:
        feed.poll_interval = poll.poll_interval
    if poll.item_gap is not None:
        feed.item_gap = poll.item_gap
    feed.error_count = 0
    feed.last_error = None
    feed.last_checked_at = poll.checked_at
    feed.last_success_at = poll.checked_at
    feed.next_check_at = poll.next_check_at
    feed.claimed_by = None
    feed.claimed_until = None
    session.add(feed)
    return PollSummary(new_stories, new_matches, sources, updated)


def _write_story(session: Session, feed: Feed, story: StoryWrite, now: datetime) -> int | None:
    """Insert or update one story; returns its id (None when it is tombstoned)."""
    if story.kind in ("same", "update"):
        row = session.exec(select(Story).where(Story.key == story.key)).first()
        if row is None:  # the story it repeats was pruned
            return None
        if story.kind == "update":
            row.title, row.summary = story.title, story.summary
            row.fingerprint = story.fingerprint
            row.updated_at = now
            session.add(row)
        return row.id
    if is_tombstoned(session, story.canonical_url, feed.id, story.guid):
        return None
    insert_ignore(session, Cluster, {"key": story.cluster_key, "created_at": now})
    story_id = insert_ignore(
        session,
        Story,
        {
            "key": story.key,
            "feed_id": feed.id,
            "guid": story.guid,
            "url": story.url,
            "canonical_url": story.canonical_url,
            "title": story.title,
            "summary": story.summary,
            "source": story.source,
            "language": story.language,
            "fingerprint": story.fingerprint,
            "cluster_key": story.cluster_key,
            "published_at": story.published_at,
            "first_seen_at": now,
        },
    )
    if story_id is None and story.canonical_url:
        # Another process stored the same URL first: this item is one more source of it.
        row = session.exec(select(Story).where(Story.canonical_url == story.canonical_url)).first()
        return row.id if row else None
    return int(story_id) if story_id is not None else None


def to_stored(row: Story, feed_url: str) -> StoredStory:
    assert row.id is not None and row.first_seen_at is not None
    return StoredStory(
        id=row.id,
        key=row.key,
        cluster_key=row.cluster_key,
        feed_url=feed_url,
        guid=row.guid,
        url=row.url,
        canonical_url=row.canonical_url,
        title=row.title,
        summary=row.summary,
        source=row.source,
        language=row.language,
        fingerprint=row.fingerprint,
        published_at=row.published_at,
        first_seen_at=row.first_seen_at,
    )


def recent_stories(engine: Engine, since: datetime) -> list[StoredStory]:
    """Stories first seen since ``since``, oldest first: the deduplicator's memory."""
    with transaction(engine) as session:
        query = (
            select(Story, Feed.url)
            .join(Feed, col(Story.feed_id) == col(Feed.id), isouter=True)
            .where(col(Story.first_seen_at) >= since)
            .order_by(col(Story.first_seen_at), col(Story.id))
        )
        return [to_stored(story, feed_url or "") for story, feed_url in session.exec(query)]


def get_story(engine: Engine, story_id: int) -> StoredStory | None:
    with transaction(engine) as session:
        row = session.get(Story, story_id)
        if row is None:
            return None
        feed = session.get(Feed, row.feed_id) if row.feed_id else None
        return to_stored(row, feed.url if feed else "")


def search_stories(engine: Engine, query: str, limit: int = 50) -> list[StoredStory]:
    with transaction(engine) as session:
        pattern = f"%{query}%"
        rows = session.exec(
            select(Story)
            .where(col(Story.title).ilike(pattern) | col(Story.summary).ilike(pattern))
            .order_by(col(Story.first_seen_at).desc())
            .limit(limit)
        )
        return [to_stored(r, "") for r in rows]


def count_stories(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.exec(select(func.count()).select_from(Story)).one())
