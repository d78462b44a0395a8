"""Subscriptions: who receives which watchlists, where, when and how.

Does I/O (the database). Values are checked by the caller (``monitor``);
this module only stores and reads them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.feed_alerts import forget_feed_alerts
from storage.records import SubscriptionRecord
from storage.tables import Subscription

# The fields ``update_subscription`` may change; everything else is managed here.
EDITABLE = frozenset(
    {
        "target",
        "format",
        "watchlists",
        "schedule",
        "timezone",
        "secret",
        "min_score",
        "quiet_hours",
        "send_empty",
        "feed_alerts",
    }
)


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
        quiet_hours=row.quiet_hours,
        send_empty=row.send_empty,
        feed_alerts=row.feed_alerts,
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
    quiet_hours: str | None = None,
    send_empty: bool = False,
    feed_alerts: bool = False,
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
            quiet_hours=quiet_hours,
            send_empty=send_empty,
            feed_alerts=feed_alerts,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return to_record(row)


def update_subscription(
    engine: Engine, subscription_id: int, **changes: Any
) -> SubscriptionRecord | None:
    """Change the given fields (see ``EDITABLE``); None when there is no such subscription.

    Turning feed alerts off forgets what the subscription was told, so turning
    them on again starts afresh (with one message about feeds broken by then).
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    with transaction(engine) as session:
        row = session.get(Subscription, subscription_id)
        if row is None:
            return None
        for name, value in changes.items():
            if name == "watchlists":
                value = json.dumps(sorted(set(value)))
            setattr(row, name, value)
        if changes.get("feed_alerts") is False:
            forget_feed_alerts(session, subscription_id)
        session.add(row)
        session.flush()
        return to_record(row)


def list_subscriptions(
    engine: Engine, limit: int | None = None, after: int | None = None
) -> list[SubscriptionRecord]:
    """Subscriptions in the order they were made; ``after``: the last id already shown."""
    with transaction(engine) as session:
        query = select(Subscription).order_by(col(Subscription.id))
        if after is not None:
            query = query.where(col(Subscription.id) > after)
        if limit is not None:
            query = query.limit(limit)
        return [to_record(r) for r in session.exec(query)]


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
    """Pause or resume; resuming also clears the reason a receiver had it disabled."""
    with transaction(engine) as session:
        row = session.get(Subscription, subscription_id)
        if row is None:
            return False
        row.paused = paused
        if not paused:
            row.disabled_reason = None
        session.add(row)
        return True


def disable_subscription(engine: Engine, subscription_id: int, reason: str) -> None:
    """Stop a subscription because its receiver refused it for good; the reason is shown."""
    with transaction(engine) as session:
        row = session.get(Subscription, subscription_id)
        if row is not None:
            row.paused = True
            row.disabled_reason = reason[:500]
            session.add(row)
