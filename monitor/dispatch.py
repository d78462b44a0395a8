"""Digests end to end: compose the ones that are due, then deliver what the outbox holds.

Does I/O (database, SMTP, HTTP, files). Composing records a digest and its
story clusters before anything is sent; delivering marks it sent only after
the receiver accepted it, and retries with backoff otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.deliver import send_email, send_webhook, write_outbox
from monitor.digest import DigestContent, build_digest
from monitor.errors import DeliveryError, NewswatchError
from monitor.schedule import is_due, parse_schedule, parse_timezone
from storage.digests import (
    claim_due_digests,
    create_digest,
    mark_attempt_failed,
    mark_digest_period,
    mark_sent,
    undelivered_matches,
)
from storage.records import DigestRecord, SubscriptionRecord
from storage.subscriptions import disable_subscription, get_subscription, list_subscriptions

log = logging.getLogger(__name__)

BACKFILL = timedelta(hours=24)  # a new subscription also gets the last day's matches
LEASE = timedelta(minutes=5)
FIRST_RETRY = 60.0
MAX_RETRY = 6 * 3600.0


@dataclass
class DispatchReport:
    composed: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def new_digest_id() -> str:
    return "nwd_" + uuid.uuid4().hex


def next_digest(
    engine: Engine, subscription: SubscriptionRecord, now: datetime
) -> DigestContent | None:
    """What this subscription would receive now, or None when nothing is new."""
    candidates = undelivered_matches(
        engine,
        subscription.id,
        subscription.watchlists,
        subscription.min_score,
        subscription.created_at - BACKFILL,
    )
    if not candidates:
        return None
    return build_digest(new_digest_id(), subscription, candidates, now)


def compose_due(
    engine: Engine, now: datetime, only: int | None = None, force: bool = False
) -> list[str]:
    """Record a pending digest for every subscription whose period ended; returns their ids."""
    composed = []
    for sub in list_subscriptions(engine):
        if sub.paused or (only is not None and sub.id != only):
            continue
        schedule = parse_schedule(sub.schedule)
        since = sub.last_digest_at or sub.created_at
        if not force and not is_due(schedule, parse_timezone(sub.timezone), since, now):
            continue
        content = next_digest(engine, sub, now)
        if content is None:
            if schedule.kind != "instant":
                mark_digest_period(engine, sub.id, now)
            continue
        if create_digest(
            engine,
            digest_id=content.id,
            subscription_id=sub.id,
            payload=content.to_json(),
            items=content.clusters,
            now=now,
        ):
            composed.append(content.id)
            log.info(
                "digest %s composed for subscription %d (%d items)",
                content.id,
                sub.id,
                content.total,
            )
    return composed


def retry_delay(attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with jitter, never sooner than the receiver's Retry-After."""
    delay = min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, attempt - 1))
    delay *= 0.75 + random.random() * 0.5
    return max(delay, retry_after or 0.0)


async def deliver_due(engine: Engine, settings: Settings, now: datetime) -> DispatchReport:
    """Try every pending digest that is due; each success or failure is recorded at once."""
    report = DispatchReport()
    for record in claim_due_digests(engine, now, LEASE):
        try:
            await deliver_one(engine, settings, record)
        except DeliveryError as exc:
            _failed(engine, settings, record, exc, now)
            report.failed[record.id] = str(exc)
            continue
        except NewswatchError as exc:
            mark_attempt_failed(engine, record.id, str(exc), None)
            report.failed[record.id] = str(exc)
            continue
        mark_sent(engine, record.id, now)
        report.sent.append(record.id)
        log.info("digest %s delivered", record.id)
    return report


async def deliver_one(engine: Engine, settings: Settings, record: DigestRecord) -> None:
    sub = get_subscription(engine, record.subscription_id)
    if sub is None:
        raise DeliveryError("its subscription was removed", target="-", permanent=True)
    content = DigestContent.from_json(record.payload)
    if sub.channel == "email":
        recipients = [r.strip() for r in sub.target.split(",") if r.strip()]
        if settings.smtp_url:
            await asyncio.to_thread(
                send_email, content, settings.smtp_url, settings.smtp_from, recipients
            )
        else:
            write_outbox(content, settings.outbox_dir, settings.smtp_from, recipients)
    else:
        await send_webhook(
            content,
            sub.target,
            sub.format,
            sub.secret,
            settings.allow_private_networks,
            settings.webhook_timeout,
        )


def _failed(
    engine: Engine, settings: Settings, record: DigestRecord, exc: DeliveryError, now: datetime
) -> None:
    attempt = record.attempts + 1
    if exc.permanent or attempt >= settings.delivery_attempts:
        mark_attempt_failed(engine, record.id, str(exc), None)
        if exc.permanent and "410" in str(exc):
            disable_subscription(engine, record.subscription_id, f"receiver said gone: {exc}")
        log.error("digest %s failed for good: %s", record.id, exc)
        return
    when = now + timedelta(seconds=retry_delay(attempt, exc.retry_after))
    mark_attempt_failed(engine, record.id, str(exc), when)
    log.warning(
        "digest %s attempt %d failed (%s); next try %s", record.id, attempt, exc, when.isoformat()
    )
