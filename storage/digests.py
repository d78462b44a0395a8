"""The digest outbox: what each subscription has not received, digests and their state.

Does I/O (the database). A digest and the story clusters it carries are
recorded in one transaction BEFORE sending; the unique key
(subscription, cluster) makes a story reach a subscription at most once.
It is marked sent only after the receiver accepted it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, false, or_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.database import transaction
from storage.records import CandidateMatch, DigestRecord
from storage.stories import to_stored
from storage.tables import Digest, DigestItem, Feed, Match, Story, StorySource, Subscription


def undelivered_matches(
    engine: Engine,
    subscription_id: int,
    watchlists: tuple[str, ...],
    min_score: float,
    since: datetime,
) -> list[CandidateMatch]:
    """Matches of these watchlists whose story cluster this subscription never received."""
    with transaction(engine) as session:
        sent = select(DigestItem.cluster_key).where(DigestItem.subscription_id == subscription_id)
        rows = session.exec(
            select(Match, Story, Feed.url)
            .join(Story, col(Match.story_id) == col(Story.id))
            .join(Feed, col(Story.feed_id) == col(Feed.id), isouter=True)
            .where(col(Match.watchlist).in_(watchlists))
            .where(col(Match.score) >= min_score)
            .where(col(Story.first_seen_at) >= since)
            .where(col(Story.backlog) == false())  # old news from a feed's first poll
            .where(col(Story.cluster_key).not_in(sent))
            .order_by(col(Story.first_seen_at), col(Story.id))
        ).all()
        clusters = {story.cluster_key for _, story, _ in rows}
        sources = _cluster_sources(session, clusters)
        return [
            CandidateMatch(
                match_id=match.id or 0,
                watchlist=match.watchlist,
                score=match.score,
                explanation=match.explanation,
                story=to_stored(story, feed_url or ""),
                sources=tuple(sources.get(story.cluster_key, ())),
            )
            for match, story, feed_url in rows
        ]


def _cluster_sources(session: Session, clusters: set[str]) -> dict[str, list[str]]:
    """Every outlet that carried each cluster, first seen first, without repeats."""
    found: dict[str, list[str]] = defaultdict(list)
    if not clusters:
        return found
    rows = session.exec(
        select(Story.cluster_key, StorySource.source, Story.source)
        .join(StorySource, col(StorySource.story_id) == col(Story.id))
        .where(col(Story.cluster_key).in_(clusters))
        .order_by(col(StorySource.seen_at), col(StorySource.id))
    )
    for cluster, source_name, story_source in rows:
        name = source_name or story_source
        if name and name not in found[cluster]:
            found[cluster].append(name)
    return found


def create_digest(
    engine: Engine,
    *,
    digest_id: str,
    subscription_id: int,
    payload: str,
    items: Sequence[tuple[str, int | None]],
    now: datetime,
) -> bool:
    """Record a pending digest with its (cluster, story) items; False if a cluster was taken."""
    try:
        with transaction(engine) as session:
            session.add(
                Digest(
                    id=digest_id,
                    subscription_id=subscription_id,
                    payload=payload,
                    item_count=len(items),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            session.flush()
            for cluster_key, story_id in items:
                session.add(
                    DigestItem(
                        digest_id=digest_id,
                        subscription_id=subscription_id,
                        cluster_key=cluster_key,
                        story_id=story_id,
                    )
                )
            sub = session.get(Subscription, subscription_id)
            if sub is not None:
                sub.last_digest_at = now
                session.add(sub)
    except IntegrityError:
        return False
    return True


def mark_digest_period(engine: Engine, subscription_id: int, now: datetime) -> None:
    """Note that a period passed with nothing to send, so the schedule moves on."""
    with transaction(engine) as session:
        sub = session.get(Subscription, subscription_id)
        if sub is not None:
            sub.last_digest_at = now
            session.add(sub)


def _record(row: Digest) -> DigestRecord:
    assert row.created_at is not None
    return DigestRecord(
        id=row.id,
        subscription_id=row.subscription_id,
        state=row.state,
        attempts=row.attempts,
        item_count=row.item_count,
        payload=row.payload,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        last_attempt_at=row.last_attempt_at,
    )


def claim_due_digests(
    engine: Engine,
    now: datetime,
    lease: timedelta,
    subscription_id: int | None = None,
    limit: int | None = None,
) -> list[DigestRecord]:
    """Pending digests of active subscriptions whose next attempt is due, leased to this process.

    On PostgreSQL, ``FOR UPDATE SKIP LOCKED`` lets several processes claim side
    by side; a crashed process's lease expires after ``lease``.
    """
    with transaction(engine) as session:
        query = (
            select(Digest)
            .join(Subscription, col(Subscription.id) == col(Digest.subscription_id))
            .where(Digest.state == "pending")
            .where(col(Subscription.paused).is_(False))
            .where(col(Digest.next_attempt_at) <= now)
            .where((col(Digest.claimed_until).is_(None)) | (col(Digest.claimed_until) < now))
            .order_by(col(Digest.created_at), col(Digest.id))
            .with_for_update(skip_locked=True, of=Digest)
        )
        if subscription_id is not None:
            query = query.where(Digest.subscription_id == subscription_id)
        if limit is not None:
            query = query.limit(limit)
        rows = list(session.exec(query))
        for row in rows:
            row.claimed_until = now + lease
            session.add(row)
        return [_record(r) for r in rows]


def mark_sent(engine: Engine, digest_id: str, now: datetime) -> None:
    """The receiver accepted the digest: record it as sent (only ever after that)."""
    with transaction(engine) as session:
        row = session.get(Digest, digest_id)
        if row is not None:
            row.state = "sent"
            row.sent_at = now
            row.last_attempt_at = now
            row.attempts += 1
            row.claimed_until = None
            row.next_attempt_at = None
            row.last_error = None
            session.add(row)


def mark_attempt_failed(
    engine: Engine,
    digest_id: str,
    error: str,
    next_attempt_at: datetime | None,
    now: datetime | None = None,
) -> None:
    """Count a failed attempt; with no next attempt the digest is marked failed."""
    with transaction(engine) as session:
        row = session.get(Digest, digest_id)
        if row is not None:
            row.attempts += 1
            row.last_error = error[:500]
            row.last_attempt_at = now
            row.claimed_until = None
            row.next_attempt_at = next_attempt_at
            row.state = "pending" if next_attempt_at is not None else "failed"
            session.add(row)


def list_digests(
    engine: Engine,
    limit: int = 50,
    state: str | None = None,
    subscription_id: int | None = None,
    after: tuple[datetime, str] | None = None,
) -> list[DigestRecord]:
    """The newest digests first, optionally of one state or one subscription.

    ``after`` (the creation time and id of the last digest already shown) pages
    on: digests made at the same moment come in id order, so none is skipped.
    """
    with transaction(engine) as session:
        query = select(Digest).order_by(col(Digest.created_at).desc(), col(Digest.id))
        if state is not None:
            query = query.where(Digest.state == state)
        if subscription_id is not None:
            query = query.where(Digest.subscription_id == subscription_id)
        if after is not None:
            made, last = after
            query = query.where(
                or_(
                    col(Digest.created_at) < made,
                    and_(col(Digest.created_at) == made, col(Digest.id) > last),
                )
            )
        return [_record(r) for r in session.exec(query.limit(limit))]


def get_digest(engine: Engine, digest_id: str) -> DigestRecord | None:
    with transaction(engine) as session:
        row = session.get(Digest, digest_id)
        return _record(row) if row else None


def digest_clusters(engine: Engine, digest_id: str) -> list[str]:
    """The story clusters a digest carries (capped ones included)."""
    with transaction(engine) as session:
        rows = session.exec(
            select(DigestItem.cluster_key)
            .where(DigestItem.digest_id == digest_id)
            .order_by(col(DigestItem.id))
        )
        return list(rows)


def requeue_digest(engine: Engine, digest_id: str, now: datetime) -> DigestRecord | None:
    """Queue a failed or pending digest again, same id, fresh backoff (``digest retry``).

    Returns the digest as it was, or None if there is no such digest. A sent
    digest is left alone (its state says so).
    """
    with transaction(engine) as session:
        row = session.get(Digest, digest_id)
        if row is None:
            return None
        before = _record(row)
        if row.state != "sent":
            row.state = "pending"
            row.attempts = 0
            row.next_attempt_at = now
            row.claimed_until = None
            session.add(row)
        return before


def digest_stories(engine: Engine, digest_id: str) -> list[tuple[str, str, str]]:
    """(title, url, source) of every story a digest covers, those over the cap included."""
    with transaction(engine) as session:
        rows = session.exec(
            select(Story.title, Story.canonical_url, Story.url, Story.source)
            .join(DigestItem, col(DigestItem.story_id) == col(Story.id))
            .where(DigestItem.digest_id == digest_id)
            .order_by(col(DigestItem.id))
        )
        return [(title, canonical or url, source) for title, canonical, url, source in rows]
