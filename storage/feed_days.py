"""Feed health over time: each feed's polls, failures and new stories per day (UTC).

Does I/O (the database). ``count_polls`` is called inside the transaction that
stores a poll (``storage.stories.save_polls``) or its failure
(``storage.feeds.record_feed_error``), so the counts and the feed row never
disagree; it adds to the day's row with one upsert, which cannot fail on a
repeated key. ``feed_days`` reads them back for the console's chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.database import transaction
from storage.records import PollSummary, PollWrite
from storage.tables import Feed, FeedDay


@dataclass(frozen=True, slots=True)
class PollCount:
    """One finished poll, as counted: which feed, when, whether it failed, what it brought."""

    feed_id: int
    at: datetime
    failed: bool
    new_stories: int
    state: str


@dataclass(frozen=True, slots=True)
class DayOfFeed:
    """One feed's day: how many polls, how many failed, new stories, health at day's end."""

    feed_id: int
    feed_url: str
    day: date
    polls: int
    failures: int
    new_stories: int
    state: str


def poll_count(poll: PollWrite, summary: PollSummary | None) -> PollCount:
    """A stored poll (unchanged, or with its summary of new stories), as counted."""
    new = summary.new_stories if summary is not None else 0
    return PollCount(poll.feed_id, poll.checked_at, False, new, poll.state)


def count_polls(session: Session, polls: Iterable[PollCount]) -> None:
    """Add ``polls`` to their feeds' days, in the caller's transaction (one statement)."""
    rows: dict[tuple[int, date], dict[str, Any]] = {}
    for poll in sorted(polls, key=lambda p: p.at):
        key = (poll.feed_id, poll.at.astimezone(UTC).date())
        row = rows.setdefault(
            key,
            {"feed_id": key[0], "day": key[1], "polls": 0, "failures": 0, "new_stories": 0},
        )
        row["polls"] += 1
        row["failures"] += int(poll.failed)
        row["new_stories"] += poll.new_stories
        row["state"] = poll.state  # the latest poll's
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = FeedDay.__table__  # type: ignore[attr-defined]
    statement = maker(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.feed_id, table.c.day],
        set_={
            "polls": table.c.polls + statement.excluded.polls,
            "failures": table.c.failures + statement.excluded.failures,
            "new_stories": table.c.new_stories + statement.excluded.new_stories,
            "state": statement.excluded.state,
        },
    )
    session.execute(statement, list(rows.values()))


def feed_days(engine: Engine, since: date) -> list[DayOfFeed]:
    """Every counted day since ``since`` of the feeds that still exist, oldest first."""
    with transaction(engine) as session:
        query = (
            select(FeedDay, Feed.url)
            .join(Feed, col(Feed.id) == col(FeedDay.feed_id))
            .where(col(FeedDay.day) >= since)
            .order_by(col(FeedDay.day), col(FeedDay.feed_id))
        )
        return [
            DayOfFeed(
                row.feed_id, url, row.day, row.polls, row.failures, row.new_stories, row.state
            )
            for row, url in session.exec(query)
        ]


def forget_feed_days(session: Session, feed_id: int) -> None:
    """Drop a removed feed's days (there is no foreign key to do it)."""
    session.execute(delete(FeedDay).where(col(FeedDay.feed_id) == feed_id))


def prune_feed_days(engine: Engine, before: date) -> int:
    """Forget the days before ``before`` (``stories prune`` does, with the stories)."""
    with transaction(engine) as session:
        result = session.execute(delete(FeedDay).where(col(FeedDay.day) < before))
        return int(getattr(result, "rowcount", 0) or 0)
