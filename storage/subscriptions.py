"""Subscriptions: who receives which watchlists, where and when.

Does I/O (the database).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.records import SubscriptionRecord
from storage.tables import Subscription


def to_record(row: Subscription) -> SubscriptionRecord:
    assert row.id is not None and row.created_at is not None
    return SubscriptionRecord(
        id=row.id,
        channel=row.channel,
        target=row.target,
        format=row.format,
        watchlists=tuple(json.loads(row.watchlists or "[]")),
        schedule=row.schedule,
        timezone=row.timezone,
        secret=row.secret,
        min_score=row.min_score,
        paused=row.paused,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        last_digest_at=row.last_digest_at,
    )


def add_subscription(
    engine: Engine,
    *,
    channel: str,
    target: str,
    watchlists: list[str],
    schedule: str,
    timezone: str,
    now: datetime,
    format: str = "json",
    secret: str | None = None,
    min_score: float = 0.0,
) -> SubscriptionRecord:
    with transaction(engine) as session:
        row = Subscription(
            channel=channel,
            target=target,
            format=format,
            watchlists=json.dumps(sorted(set(watchlists))),
            schedule=schedule,
            timezone=timezone,
            secret=secret,
            min_score=min_score,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return to_record(row)


def list_subscriptions(engine: Engine) -> list[SubscriptionRecord]:
    with transaction(engine) as session:
        rows = session.exec(select(Subscription).order_by(col(Subscription.id)))
        return [to_record(r) for r in rows]


def get_subscription(engine: Engine, subscription_id: int) -> SubscriptionRecord | None:
    with transaction(engine) as session:
        row = session.get(Subscription, subscription_id)
        return to_record(row) if row else None


def remove_subscription(engine: Engine, subscription_id: int) -> bool:
    with transaction(engine) as session:
        row = session.get(Subscription, subscription_id)
        if row is None:
            return False
        session.delete(row)
        return True


def set_paused(engine: Engine, subscription_id: int, paused: bool) -> bool:
    with transaction(engine) as session:
        row = session.get(Subscription, subscription_id)
        if row is None:
            return False
        row.paused = paused
        session.add(row)
        return True


def disable_subscription(engine: Engine, subscription_id: int, reason: str) -> None:
    with transaction(engine) as session:
        row = session.get(Subscription, subscription_id)
        if row is not None:
            row.paused = True
            row.disabled_reason = reason[:500]
            session.add(row)
