"""Digests and feed alerts end to end: compose what is due, then deliver what the outbox holds.

Does I/O (database, SMTP, HTTP, files). Composing records a digest and its
story clusters (or a feed alert and what it tells) before anything is sent;
delivering marks it sent only after the receiver accepted it, and retries with
backoff otherwise. Digests and feed alerts share the outbox, its ids and retries.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.send import Outgoing, send_email, send_webhook, write_outbox
from monitor.delivery.unsubscribe import load_key
from monitor.digests.compose import DigestContent, build_digest
from monitor.digests.feed_alerts import EVENTS, AlertContent, build_alert, is_alert
from monitor.digests.unsubscribe import links as unsubscribe_links
from monitor.errors import ConfigError, DeliveryError, NewswatchError, WebhookError
from monitor.schedule.digests import (
    is_due,
    parse_quiet_hours,
    parse_schedule,
    parse_timezone,
    quiet_until,
)
from monitor.schedule.health import ALERT_STATES
from storage.digests import (
    claim_due_digests,
    create_digest,
    mark_attempt_failed,
    mark_digest_period,
    mark_sent,
    undelivered_matches,
)
from storage.feed_alerts import feed_alert_candidates, record_feed_alert
from storage.records import DigestRecord, SubscriptionRecord
from storage.subscriptions import disable_subscription, get_subscription, list_subscriptions

log = logging.getLogger(__name__)

BACKFILL = timedelta(hours=24)  # a new subscription also gets the last day's matches
LEASE = timedelta(minutes=5)
CLAIM_BATCH = 5  # digests leased at once: five slow receivers (timeouts) stay within LEASE
FIRST_RETRY = 60.0  # seconds; then ×3 per attempt: 1 min, 3, 9, 27, 81, 243, 360…
BACKOFF_FACTOR = 3.0
MAX_RETRY = 6 * 3600.0
MAX_RETRY_AFTER = 24 * 3600.0


@dataclass
class DispatchReport:
    composed: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    retrying: dict[str, datetime] = field(default_factory=dict)


def new_digest_id() -> str:
    return "nwd_" + uuid.uuid4().hex


def new_alert_id() -> str:
    return "nwa_" + uuid.uuid4().hex


def _fault_point(settings: Settings, step: str) -> None:
    """Die here, like a power cut, when ``NEWSWATCH_FAULT_INJECT`` names this step (tests)."""
    if settings.fault_inject == step:
        os.kill(os.getpid(), signal.SIGKILL)


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
    """Record a pending digest for every subscription whose period ended; returns their ids.

    Quiet hours hold a due digest until they end. A period with nothing new sends
    nothing, unless the subscription asked for empty digests. One subscription
    with an unusable stored setting is logged and skipped, not fatal to the rest.
    """
    composed = []
    for sub in list_subscriptions(engine):
        if sub.paused or not sub.watchlists or (only is not None and sub.id != only):
            continue  # paused, or a subscription to feed alerts only
        try:
            digest_id = _compose_one(engine, sub, now, force)
        except ConfigError as exc:
            log.error("subscription %d skipped: %s (%s)", sub.id, exc, exc.hint or "")
            continue
        if digest_id is not None:
            composed.append(digest_id)
    return composed


def _compose_one(engine: Engine, sub: SubscriptionRecord, now: datetime, force: bool) -> str | None:
    schedule = parse_schedule(sub.schedule)
    zone = parse_timezone(sub.timezone)
    since = sub.last_digest_at or sub.created_at
    if not force:
        if not is_due(schedule, zone, since, now):
            return None
        quiet = parse_quiet_hours(sub.quiet_hours) if sub.quiet_hours else None
        if quiet_until(quiet, zone, now) is not None:
            return None
    content = next_digest(engine, sub, now)
    if content is None:
        if schedule.kind == "instant" and not force:
            return None
        if not sub.send_empty:
            mark_digest_period(engine, sub.id, now)
            return None
        content = build_digest(new_digest_id(), sub, [], now)
    if not create_digest(
        engine,
        digest_id=content.id,
        subscription_id=sub.id,
        payload=content.to_json(),
        items=content.clusters,
        now=now,
    ):
        return None  # another process took these stories first
    log.info("digest %s composed for subscription %d (%d items)", content.id, sub.id, content.total)
    return content.id


def compose_feed_alerts(engine: Engine, now: datetime) -> list[str]:
    """Record a feed alert for every subscription that has one coming; returns their ids.

    A subscription with feed alerts on gets one message naming every feed that
    turned failing or dead since it was last told (a feed going on from failing
    to dead is no news: it was already reported broken), and one naming every
    feed that left those states (a poll succeeded: healthy or stale). Turning
    the option on brings one message about the feeds broken at that moment.

    The changes are read from the stored feed states, not from one cycle's
    memory, so a crash between polling and this step loses no alert; and each
    message is recorded with what it tells in one transaction, so none is
    composed twice. Alerts go out at once, whatever the digest schedule, but
    quiet hours hold them like digests: a feed that breaks at night is reported
    when quiet hours end (both messages, in order, if it also recovered).
    Paused subscriptions are not told; on resuming they hear about what is
    still different.
    """
    composed = []
    for sub in list_subscriptions(engine):
        if not sub.feed_alerts or sub.paused:
            continue
        try:
            composed += _compose_alerts(engine, sub, now)
        except ConfigError as exc:
            log.error("subscription %d skipped: %s (%s)", sub.id, exc, exc.hint or "")
    return composed


def _compose_alerts(engine: Engine, sub: SubscriptionRecord, now: datetime) -> list[str]:
    candidates = feed_alert_candidates(engine, sub.id, ALERT_STATES)
    if not candidates:
        return []
    zone = parse_timezone(sub.timezone)
    quiet = parse_quiet_hours(sub.quiet_hours) if sub.quiet_hours else None
    send_at = quiet_until(quiet, zone, now) or now
    composed = []
    for event in EVENTS:
        told = [c for c in candidates if c.event == event]
        if not told:
            continue
        content = build_alert(new_alert_id(), sub, event, told, now)
        if record_feed_alert(
            engine,
            digest_id=content.id,
            subscription_id=sub.id,
            candidates=told,
            payload=content.to_json(),
            now=now,
            send_at=send_at,
        ):
            composed.append(content.id)
            log.info(
                "feed alert %s composed for subscription %d: %s",
                content.id,
                sub.id,
                ", ".join(f"{c.feed.url} {event}" for c in told),
            )
    return composed


def retry_delay(attempt: int, retry_after: float | None, rng: random.Random | None = None) -> float:
    """Exponential backoff with ±25 % jitter, never sooner than the receiver's Retry-After."""
    delay = min(MAX_RETRY, FIRST_RETRY * BACKOFF_FACTOR ** max(0, attempt - 1))
    delay *= 0.75 + (rng or random).random() * 0.5
    return max(delay, min(retry_after or 0.0, MAX_RETRY_AFTER))


async def deliver_due(
    engine: Engine, settings: Settings, now: datetime, only: int | None = None
) -> DispatchReport:
    """Try every pending digest that is due; each success or failure is recorded at once.

    Digests are claimed a few at a time, so a lease never runs out while its
    digest is still waiting behind slow receivers in this process.
    """
    report = DispatchReport()
    seen: set[str] = set()
    while batch := [
        r
        for r in claim_due_digests(engine, now, LEASE, subscription_id=only, limit=CLAIM_BATCH)
        if r.id not in seen
    ]:
        for record in batch:
            seen.add(record.id)
            await _attempt(engine, settings, record, now, report)
    return report


async def _attempt(
    engine: Engine, settings: Settings, record: DigestRecord, now: datetime, report: DispatchReport
) -> None:
    _fault_point(settings, "before-send")
    try:
        where = await deliver_one(engine, settings, record, now)
    except DeliveryError as exc:
        _failed(engine, settings, record, exc, now, report)
        return
    except NewswatchError as exc:
        mark_attempt_failed(engine, record.id, str(exc), None, now)
        report.failed[record.id] = str(exc)
        return
    except Exception as exc:  # a bug must not block the digests queued behind this one
        log.exception("digest %s could not be rendered or sent", record.id)
        reason = f"internal error: {exc.__class__.__name__}: {exc} (run with --debug, report it)"
        mark_attempt_failed(engine, record.id, reason, None, now)
        report.failed[record.id] = reason
        return
    _fault_point(settings, "after-send")
    mark_sent(engine, record.id, now)
    report.sent.append(record.id)
    log.info(
        "digest %s %s",
        record.id,
        where,
        extra={"digest": record.id, "subscription": record.subscription_id, "outcome": "sent"},
    )


async def deliver_one(
    engine: Engine, settings: Settings, record: DigestRecord, now: datetime
) -> str:
    """Send one outbox entry; says where it went ("emailed to …", "written to …")."""
    sub = get_subscription(engine, record.subscription_id)
    if sub is None:
        raise DeliveryError("its subscription was removed", target="-", permanent=True)
    content = outgoing_content(record.payload)
    if sub.channel == "email":
        recipients = [r.strip() for r in sub.target.split(",") if r.strip()]
        leave = unsubscribe_links(
            load_key(settings.data_dir),
            sub.id,
            settings.smtp_from,
            settings.unsubscribe_url,
            settings.unsubscribe_mailto,
        )
        if settings.smtp_url:
            await asyncio.to_thread(
                send_email,
                content,
                settings.smtp_url,
                settings.smtp_from,
                recipients,
                settings.smtp_ca_file,
                leave,
            )
            return f"emailed to {sub.target}"
        path = write_outbox(content, settings.outbox_dir, settings.smtp_from, recipients, leave)
        return f"written to {path} (no NEWSWATCH_SMTP_URL is set: not emailed)"
    await send_webhook(
        content,
        sub.target,
        sub.format,
        sub.secret,
        settings.allow_private_networks,
        settings.webhook_timeout,
        now,
    )
    return f"posted to the webhook at {urlsplit(sub.target).hostname}"  # its path is a secret


def outgoing_content(payload: str) -> Outgoing:
    """A stored outbox payload as the digest or feed alert it is."""
    if is_alert(payload):
        return AlertContent.from_json(payload)
    return DigestContent.from_json(payload)


def _failed(
    engine: Engine,
    settings: Settings,
    record: DigestRecord,
    exc: DeliveryError,
    now: datetime,
    report: DispatchReport,
) -> None:
    attempt = record.attempts + 1
    reason = str(exc) + (f" ({exc.hint})" if exc.hint else "")
    if exc.permanent or attempt >= settings.delivery_attempts:
        why = "permanent" if exc.permanent else f"gave up after {attempt} attempts"
        mark_attempt_failed(engine, record.id, f"{reason} [{why}]", None, now)
        if isinstance(exc, WebhookError) and exc.status == 410:
            disable_subscription(
                engine,
                record.subscription_id,
                f"webhook answered 410 Gone at {now:%Y-%m-%d %H:%M}Z",
            )
        report.failed[record.id] = reason
        log.error("digest %s failed for good (%s): %s", record.id, why, exc)
        return
    when = now + timedelta(seconds=retry_delay(attempt, exc.retry_after))
    mark_attempt_failed(engine, record.id, reason, when, now)
    report.retrying[record.id] = when
    report.failed[record.id] = reason
    log.warning(
        "digest %s attempt %d failed (%s); next try %s", record.id, attempt, exc, when.isoformat()
    )
