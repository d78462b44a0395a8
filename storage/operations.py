"""Read-only figures for operations: feed states, and what delivered digests carried.

Does I/O (database reads). Used by the metrics endpoint and ``newswatch status``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.tables import Digest, DigestItem, Feed, Story


def feed_state_counts(engine: Engine) -> dict[str, int]:
    """How many feeds are in each health state."""
    with transaction(engine) as session:
        rows = session.exec(select(Feed.state, func.count()).group_by(col(Feed.state)))
        return {str(state): int(count) for state, count in rows}


def delivered_publication_times(
    engine: Engine, digest_ids: list[str]
) -> list[tuple[datetime, datetime]]:
    """(published or first seen, sent) for every story the given sent digests carried."""
    if not digest_ids:
        return []
    with transaction(engine) as session:
        rows = session.exec(
            select(Story.published_at, Story.first_seen_at, Digest.sent_at)
            .join(DigestItem, col(DigestItem.story_id) == col(Story.id))
            .join(Digest, col(Digest.id) == col(DigestItem.digest_id))
            .where(col(Digest.id).in_(digest_ids))
        )
        pairs: list[tuple[datetime, datetime]] = []
        for published, seen, sent in rows:
            start = published or seen
            if sent is not None and start is not None:
                pairs.append((start, sent))
        return pairs


def last_poll_time(engine: Engine) -> datetime | None:
    """When any feed was last checked: the daemon is alive if this is recent."""
    with transaction(engine) as session:
        return session.exec(select(func.max(Feed.last_checked_at))).one()
