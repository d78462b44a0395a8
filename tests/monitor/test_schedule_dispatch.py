"""Schedules drive real digests: local delivery times across DST, and several senders at once."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.dispatch import compose_due, deliver_due
from storage.database import open_engine
from storage.digests import list_digests
from storage.subscriptions import add_subscription
from tests.monitor.outbox_support import SECRET, VerifyingReceiver, receiving, seed

MADRID = ZoneInfo("Europe/Madrid")


def test_a_daily_digest_arrives_at_eight_madrid_time_on_both_sides_of_dst(engine: Engine) -> None:
    start = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    sub = add_subscription(
        engine,
        channel="email",
        target="desk@example.org",
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="Europe/Madrid",
        now=start,
    )
    now = start
    for day in range(4):
        seed(engine, start + timedelta(days=day), f"Embassy story of day {day}")
        for _ in range(24 * 6):  # a tick every ten minutes for a day
            now += timedelta(minutes=10)
            compose_due(engine, now)
    digests = sorted(list_digests(engine, subscription_id=sub.id), key=lambda d: d.created_at)
    local = [d.created_at.astimezone(MADRID) for d in digests]
    assert [t.strftime("%m-%d %H:%M %Z") for t in local] == [
        "03-28 08:00 CET",
        "03-29 08:00 CEST",  # the night the clocks went forward
        "03-30 08:00 CEST",
        "03-31 08:00 CEST",
    ]
    assert [d.item_count for d in digests] == [1, 1, 1, 1]


def test_two_senders_at_once_deliver_every_digest_exactly_once(
    engine: Engine, database_url: str, settings: Settings
) -> None:
    now = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)
    with receiving(VerifyingReceiver(delay=0.05)) as hook:
        for _ in range(16):
            add_subscription(
                engine,
                channel="webhook",
                target=hook.url(),
                watchlists=["embassy-raids"],
                schedule="instant",
                timezone="UTC",
                now=now - timedelta(hours=1),
                secret=SECRET,
            )
        seed(engine, now, "Police raid the Mexican embassy in Quito")
        compose_due(engine, now)
        engines = [open_engine(database_url) for _ in range(2)]

        sent_by: list[list[str]] = []

        def sender(own: Engine) -> None:
            sent_by.append(asyncio.run(deliver_due(own, settings, now)).sent)

        threads = [threading.Thread(target=sender, args=(e,)) for e in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for own in engines:
            own.dispose()
    deliveries = hook.deliveries()
    assert len(deliveries) == 16 and set(deliveries.values()) == {1}
    assert all(sent_by) and len(sent_by) == 2  # both senders did part of the work
    assert {d.state for d in list_digests(engine)} == {"sent"}
