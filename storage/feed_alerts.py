"""Feed health alerts: what each subscription was last told about each feed, and the outbox.

Does I/O (the database). The table ``feed_alerts`` keeps one row per
(subscription, feed) that ever got a message: whether the last message said
the feed was broken, the state it named, and how many messages there were.
Alerts are found by comparing that row with the feed's stored state, never
from memory, so a process that dies between polling and alerting loses
nothing: the next cycle sees the same difference. A message is recorded in the
digest outbox (``digests``) in the same transaction that advances the row, and
only if the row's message count is still what was read: two processes can
never both record the same change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, delete, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.database import transaction
from storage.feeds import to_record as feed_record
from storage.records import FeedAlertCandidate
from storage.tables import Digest, Feed, FeedAlert, Subscription


class _Changed(Exception):
    """Another process recorded a message for one of these feeds first."""


def feed_alert_candidates(
    engine: Engine, subscription_id: int, alert_states: frozenset[str]
) -> list[FeedAlertCandidate]:
    """Feeds in ``alert_states`` this subscription was not told are broken, and feeds it was
    told are broken that are no longer in ``alert_states``; oldest feed first."""
    states = sorted(alert_states)
    with transaction(engine) as session:
        told = and_(
            col(FeedAlert.feed_id) == col(Feed.id),
            col(FeedAlert.subscription_id) == subscription_id,
        )
        broke = session.exec(
            select(Feed, FeedAlert)
            .join(FeedAlert, told, isouter=True)
            .where(col(Feed.state).in_(states))
            .where(col(FeedAlert.broken).is_not(True))
            .order_by(col(Feed.id))
        ).all()
        recovered = session.exec(
            select(Feed, FeedAlert)
            .join(FeedAlert, told)
            .where(col(FeedAlert.broken).is_(True))
            .where(col(Feed.state).not_in(states))
            .order_by(col(Feed.id))
        ).all()
        return [
            _candidate(event, feed, alert)
            for event, rows in (("broke", broke), ("recovered", recovered))
            for feed, alert in rows
        ]


def _candidate(event: str, feed: Feed, alert: FeedAlert | None) -> FeedAlertCandidate:
    return FeedAlertCandidate(
        event=event,
        feed=feed_record(feed),
        events=alert.events if alert else 0,
        told_state=alert.state if alert else None,
        told_at=alert.changed_at if alert else None,
    )


def record_feed_alert(
    engine: Engine,
    *,
    digest_id: str,
    subscription_id: int,
    candidates: Sequence[FeedAlertCandidate],
    payload: str,
    now: datetime,
    send_at: datetime,
) -> bool:
    """Record one message about ``candidates`` in the outbox, due at ``send_at``.

    In one transaction: the pending message, and every feed's row advanced to
    what the message says. False (and nothing recorded) when another process
    told the subscription about one of these feeds first, or the subscription
    no longer wants feed alerts.
    """
    try:
        with transaction(engine) as session:
            sub = session.get(Subscription, subscription_id)
            if sub is None or not sub.feed_alerts or sub.paused:
                raise _Changed
            session.add(
                Digest(
                    id=digest_id,
                    subscription_id=subscription_id,
                    payload=payload,
                    item_count=len(candidates),
                    created_at=now,
                    next_attempt_at=send_at,
                )
            )
            session.flush()
            for candidate in candidates:
                _advance(session, subscription_id, candidate, digest_id, now)
    except (_Changed, IntegrityError):
        return False
    return True


def _advance(
    session: Session,
    subscription_id: int,
    candidate: FeedAlertCandidate,
    digest_id: str,
    now: datetime,
) -> None:
    values: dict[str, Any] = {
        "broken": candidate.event == "broke",
        "state": candidate.feed.state,
        "events": candidate.events + 1,
        "digest_id": digest_id,
        "changed_at": now,
    }
    if candidate.events == 0:  # a first message: the unique key stops a second first one
        session.add(FeedAlert(subscription_id=subscription_id, feed_id=candidate.feed.id, **values))
        session.flush()
        return
    statement = (
        update(FeedAlert)
        .where(col(FeedAlert.subscription_id) == subscription_id)
        .where(col(FeedAlert.feed_id) == candidate.feed.id)
        .where(col(FeedAlert.events) == candidate.events)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # SQLModel types ``execute`` as returning a ``Result``; for an UPDATE, SQLAlchemy returns
    # the ``CursorResult`` it is, whose ``rowcount`` is read below.
    result = cast("CursorResult[Any]", session.execute(statement))
    if result.rowcount != 1:
        raise _Changed


def forget_feed_alerts(session: Session, subscription_id: int) -> None:
    """Drop what a subscription was told (its feed alerts were turned off)."""
    session.execute(delete(FeedAlert).where(col(FeedAlert.subscription_id) == subscription_id))


def told_feeds(engine: Engine, subscription_id: int) -> dict[int, tuple[bool, str, int]]:
    """feed id → (told broken, state named, messages) for one subscription."""
    with transaction(engine) as session:
        rows = session.exec(
            select(FeedAlert).where(col(FeedAlert.subscription_id) == subscription_id)
        )
        return {r.feed_id: (r.broken, r.state, r.events) for r in rows}
