"""Feed rows: adding, listing, claiming due feeds with a lease, recording errors.

Does I/O (the database). The database decides which feeds are due
(``next_check_at``); a lease (``claimed_by``, ``claimed_until``) keeps two
processes from polling one feed at once and expires if a process dies.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import false, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.feed_days import PollCount, count_polls, forget_feed_days
from storage.records import FeedRecord
from storage.tables import Feed


def to_record(row: Feed) -> FeedRecord:
    assert row.id is not None
    return FeedRecord(
        id=row.id,
        url=row.url,
        title=row.title,
        state=row.state,
        etag=row.etag,
        last_modified=row.last_modified,
        error_count=row.error_count,
        last_error=row.last_error,
        item_count=row.item_count,
        next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at,
        last_success_at=row.last_success_at,
        state_reason=row.state_reason,
        last_error_at=row.last_error_at,
        last_new_item_at=row.last_new_item_at,
        poll_interval=row.poll_interval,
        item_gap=row.item_gap,
        item_digests=row.item_digests,
    )


def add_feed(engine: Engine, url: str, now: datetime, title: str = "") -> tuple[FeedRecord, bool]:
    """Add a feed (due at once); returns the record and whether it was new."""
    with transaction(engine) as session:
        existing = session.exec(select(Feed).where(Feed.url == url)).first()
        if existing is not None:
            return to_record(existing), False
        row = Feed(url=url, title=title, created_at=now, next_check_at=now)
        session.add(row)
        session.flush()
        return to_record(row), True


def list_feeds(engine: Engine) -> list[FeedRecord]:
    with transaction(engine) as session:
        return [to_record(r) for r in session.exec(select(Feed).order_by(col(Feed.id)))]


def count_feeds(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.exec(select(func.count()).select_from(Feed)).one())


def find_feed(engine: Engine, url_or_id: str) -> FeedRecord | None:
    with transaction(engine) as session:
        query = select(Feed).where(Feed.url == url_or_id)
        if url_or_id.isdigit():
            query = select(Feed).where(
                or_(col(Feed.url) == url_or_id, col(Feed.id) == int(url_or_id))
            )
        row = session.exec(query).first()
        return to_record(row) if row else None


def remove_feed(engine: Engine, feed_id: int) -> None:
    with transaction(engine) as session:
        row = session.get(Feed, feed_id)
        if row is not None:
            session.delete(row)
            forget_feed_days(session, feed_id)


def claim_due_feeds(
    engine: Engine,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int = 10_000,
    healthy_too: bool = False,
) -> list[FeedRecord]:
    """Claim feeds whose check is due and whose lease is free or expired.

    ``healthy_too`` (for ``run --once``) also claims every feed without errors,
    due or not; feeds backing off after errors still wait for their time.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several processes claim
    disjoint sets; SQLite's ``BEGIN IMMEDIATE`` serializes the claim.
    """
    with transaction(engine) as session:
        query = (
            select(Feed)
            .where(
                or_(
                    col(Feed.next_check_at).is_(None),
                    col(Feed.next_check_at) <= now,
                    col(Feed.error_count) == 0 if healthy_too else false(),
                )
            )
            .where(or_(col(Feed.claimed_until).is_(None), col(Feed.claimed_until) < now))
            .order_by(col(Feed.next_check_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        records = [to_record(r) for r in session.exec(query)]
        ids = [r.id for r in records]
        for start in range(0, len(ids), 500):  # one UPDATE per 500 feeds, not one per feed
            session.execute(
                update(Feed)
                .where(col(Feed.id).in_(ids[start : start + 500]))
                .values(claimed_by=worker, claimed_until=now + lease)
                .execution_options(synchronize_session=False)
            )
        return records


def release_feeds(engine: Engine, feed_ids: list[int]) -> None:
    """Give back leases of feeds that were claimed but not polled (shutdown)."""
    if not feed_ids:
        return
    with transaction(engine) as session:
        for row in session.exec(select(Feed).where(col(Feed.id).in_(feed_ids))):
            row.claimed_by = None
            row.claimed_until = None
            session.add(row)


def record_feed_error(
    engine: Engine,
    feed_id: int,
    reason: str,
    now: datetime,
    next_check_at: datetime,
    state: str,
    state_reason: str,
) -> None:
    """Store a failed poll: the error count grows, the reason is kept, the lease is freed.

    ``state`` and ``state_reason`` are the caller's (``monitor.schedule.health`` decides
    health; storage only keeps it).
    """
    with transaction(engine) as session:
        row = session.get(Feed, feed_id)
        if row is None:
            return
        row.error_count += 1
        row.last_error = reason[:500]
        row.last_error_at = now
        row.state = state
        row.state_reason = state_reason[:500]
        row.last_checked_at = now
        row.next_check_at = next_check_at
        row.claimed_by = None
        row.claimed_until = None
        session.add(row)
        count_polls(session, [PollCount(feed_id, now, True, 0, state)])


def move_feed(engine: Engine, feed_id: int, new_url: str) -> bool:
    """Follow a permanent redirect: the feed keeps its history under its new URL.

    Returns False (and changes nothing) when another feed already has that URL.
    """
    with transaction(engine) as session:
        taken = session.exec(select(Feed).where(Feed.url == new_url)).first()
        row = session.get(Feed, feed_id)
        if row is None or taken is not None:
            return False
        row.url = new_url
        session.add(row)
        return True
