"""Subscriptions as the CLI, the API and the console handle them: add, change, send now, retry.

Does I/O (the database; makes webhook secrets; sending delivers). The rules
are those of ``monitor.digests.subscriptions``, checked against the
watchlists stored here; nothing is stored unless every value passes. A secret
made here is returned once, for the caller to show.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.dispatch import DispatchReport, compose_due, deliver_due
from monitor.delivery.send import new_webhook_secret
from monitor.digests.subscriptions import (
    COMMAND_LINE,
    SubscriptionEdit,
    SubscriptionSpec,
    Wording,
    check_active,
    check_edit,
    check_subscription,
)
from monitor.errors import NotFoundError
from storage.digests import requeue_digest
from storage.records import DigestRecord, SubscriptionRecord
from storage.subscriptions import add_subscription, get_subscription, update_subscription
from storage.watchlist_store import list_watchlists


@dataclass(frozen=True)
class Saved:
    """A subscription as stored, the fields changed, and a secret made for it (shown once)."""

    record: SubscriptionRecord
    changed: tuple[str, ...] = ()
    new_secret: str | None = None


def require_subscription(
    engine: Engine, subscription_id: int, wording: Wording = COMMAND_LINE
) -> SubscriptionRecord:
    """The subscription, or ``NotFoundError`` saying where the subscriptions are listed."""
    record = get_subscription(engine, subscription_id)
    if record is None:
        raise NotFoundError(f"no subscription {subscription_id}", hint=wording.subscription_list)
    return record


def known_watchlists(engine: Engine) -> set[str]:
    """The names of the stored watchlists, enabled or not."""
    return {w.name for w in list_watchlists(engine)}


def create_subscription(
    engine: Engine, spec: SubscriptionSpec, now: datetime, wording: Wording = COMMAND_LINE
) -> Saved:
    """Check ``spec`` (``ConfigError``, ``UnknownWatchlistError``), then store it."""
    checked = check_subscription(spec, known_watchlists(engine), wording)
    secret = new_webhook_secret() if checked.make_secret else checked.secret
    record = add_subscription(
        engine,
        channel=checked.channel,
        target=checked.target,
        watchlists=list(checked.watchlists),
        schedule=checked.schedule,
        timezone=checked.timezone,
        now=now,
        format=checked.format,
        secret=secret,
        min_score=checked.min_score,
        quiet_hours=checked.quiet_hours,
        send_empty=checked.send_empty,
        feed_alerts=checked.feed_alerts,
    )
    return Saved(record, new_secret=secret if checked.make_secret else None)


def edit_subscription(
    engine: Engine,
    current: SubscriptionRecord,
    edit: SubscriptionEdit,
    wording: Wording = COMMAND_LINE,
) -> Saved:
    """Check a change to ``current``, then store it; what is not given stays as it is."""
    checked = check_edit(current, edit, known_watchlists(engine), wording)
    changes = dict(checked.changes)
    new_secret = None
    if checked.make_secret:
        changes["secret"] = new_secret = new_webhook_secret()
    record = update_subscription(engine, current.id, **changes)
    if record is None:  # removed meanwhile
        raise NotFoundError(f"no subscription {current.id}", hint="it was removed meanwhile")
    return Saved(record, tuple(sorted(changes)), new_secret)


@dataclass(frozen=True)
class Sent:
    """What "send now" did: the digests composed, and what became of each delivery."""

    composed: tuple[str, ...]
    report: DispatchReport


def send_now(
    engine: Engine,
    settings: Settings,
    sub: SubscriptionRecord,
    now: datetime,
    wording: Wording = COMMAND_LINE,
) -> Sent:
    """Compose ``sub``'s digest now, whatever its schedule, and deliver what is pending for it.

    A paused subscription is refused (``ConfigError``): nothing is sent to it.
    """
    check_active(sub, "nothing is sent to it", wording)
    composed = compose_due(engine, now, only=sub.id, force=True)
    report = asyncio.run(deliver_due(engine, settings, now, only=sub.id))
    return Sent(tuple(composed), report)


@dataclass(frozen=True)
class Retried:
    """A retry: the digest as it was, its subscription, and the delivery (None: sent before)."""

    digest: DigestRecord
    subscription: SubscriptionRecord | None
    report: DispatchReport | None


def retry_digest(
    engine: Engine,
    settings: Settings,
    digest_id: str,
    now: datetime,
    wording: Wording = COMMAND_LINE,
) -> Retried:
    """Queue a failed digest again (same id, same content) and try to deliver it now.

    ``NotFoundError`` for no such digest; a digest delivered before is left alone;
    a paused subscription's digest is queued and waits for it (``ConfigError``).
    """
    before = requeue_digest(engine, digest_id, now)
    if before is None:
        raise NotFoundError(f"no digest '{digest_id}'", hint=wording.digest_list)
    if before.state == "sent":
        return Retried(before, None, None)
    sub = get_subscription(engine, before.subscription_id)
    if sub is not None:
        check_active(sub, "the digest waits for it", wording)
    report = asyncio.run(deliver_due(engine, settings, now, only=before.subscription_id))
    return Retried(before, sub, report)
