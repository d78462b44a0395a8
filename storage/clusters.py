"""Story clusters as people see them: every source that carried a story, and what matched it.

Does I/O (the database). A cluster is one story however many outlets carried it: its
stories (one per outlet's copy) and their sources (one per feed entry that carried a copy).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.records import ClusterMatch, ClusterSource, ClusterView
from storage.tables import Feed, Match, Story, StorySource


def cluster_view(engine: Engine, cluster_key: str) -> ClusterView:
    """Every source of the cluster, first seen first, and every watchlist that matched it."""
    with transaction(engine) as session:
        rows = session.exec(
            select(Story, StorySource, Feed.url)
            .join(StorySource, col(StorySource.story_id) == col(Story.id), isouter=True)
            .join(Feed, col(StorySource.feed_id) == col(Feed.id), isouter=True)
            .where(col(Story.cluster_key) == cluster_key)
            .order_by(col(Story.first_seen_at), col(Story.id), col(StorySource.id))
        ).all()
        sources: list[ClusterSource] = []
        seen: set[tuple[int, str]] = set()
        for story, source, feed_url in rows:
            assert story.id is not None
            key = (story.id, feed_url or "")
            if key in seen:
                continue
            seen.add(key)
            sources.append(
                ClusterSource(
                    story_id=story.id,
                    source=(source.source if source else "") or story.source,
                    feed_url=feed_url or "",
                    url=(source.url if source else "") or story.url,
                    title=story.title,
                    seen_at=source.seen_at if source and source.seen_at else story.first_seen_at,
                    backlog=story.backlog,
                )
            )
        ids = sorted({s.story_id for s in sources})
        matches = session.exec(
            select(Match)
            .where(col(Match.story_id).in_(ids))
            .order_by(col(Match.watchlist), col(Match.score).desc())
        ).all()
        return ClusterView(
            key=cluster_key,
            sources=tuple(sources),
            matches=tuple(
                ClusterMatch(m.watchlist, m.watchlist_version, m.score, m.story_id) for m in matches
            ),
        )
