"""Adding and changing subscriptions, for the CLI, the API and the console alike.

Does I/O (the database; makes webhook secrets). The rules are those of
``monitor.digests.subscriptions``, checked against the watchlists stored
here; nothing is stored unless every value passes. A secret made here is
returned once, for the caller to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from monitor.delivery.send import new_webhook_secret
from monitor.digests.subscriptions import (
    COMMAND_LINE,
    SubscriptionEdit,
    SubscriptionSpec,
    Wording,
    check_edit,
    check_subscription,
)
from monitor.errors import NotFoundError
from storage.records import SubscriptionRecord
from storage.subscriptions import add_subscription, update_subscription
from storage.watchlist_store import list_watchlists


@dataclass(frozen=True)
class Saved:
    """A subscription as stored, the fields changed, and a secret made for it (shown once)."""

    record: SubscriptionRecord
    changed: tuple[str, ...] = ()
    new_secret: str | None = None


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
