"""Retention: pruning old stories (keeping their identity keys as tombstones) and poll history.

Does I/O (the database). A pruned story leaves ``url:<canonical URL>`` and
``guid:<feed id>:<guid>`` keys behind, so a republished old item never alerts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.feed_days import prune_feed_days
from storage.stories import insert_ignore
from storage.tables import Cluster, Story, StorySource, Tombstone
from storage.tombstones import guid_key, is_tombstoned, url_key

__all__ = ["PruneSummary", "is_tombstoned", "prune_stories"]

BATCH = 500


@dataclass(frozen=True, slots=True)
class PruneSummary:
    stories: int
    tombstones: int


def prune_stories(engine: Engine, older_than: datetime, now: datetime) -> PruneSummary:
    """Delete stories first seen before ``older_than``, in batches; keep their keys."""
    stories = tombstones = 0
    while True:
        with transaction(engine) as session:
            rows = list(
                session.exec(
                    select(Story).where(col(Story.first_seen_at) < older_than).limit(BATCH)
                )
            )
            if not rows:
                break
            ids = [r.id for r in rows]
            keys = {url_key(r.canonical_url) for r in rows if r.canonical_url}
            for feed_id, guid in session.exec(
                select(StorySource.feed_id, StorySource.guid).where(
                    col(StorySource.story_id).in_(ids)
                )
            ):
                keys.add(guid_key(feed_id, guid))
            for key in sorted(keys):
                tombstones += (
                    insert_ignore(session, Tombstone, {"key": key, "created_at": now}) is not None
                )
            clusters = {r.cluster_key for r in rows}
            session.execute(delete(Story).where(col(Story.id).in_(ids)))
            session.execute(
                delete(Cluster)
                .where(col(Cluster.key).in_(clusters))
                .where(~exists().where(col(Story.cluster_key) == col(Cluster.key)))
            )
            stories += len(rows)
    prune_feed_days(engine, older_than.date())  # the feeds' poll history goes with them
    return PruneSummary(stories, tombstones)
