"""``newswatch subscription …`` and ``newswatch digest …``.

Does I/O (database, delivery). Everything given is checked before it is
stored: an unknown watchlist, schedule, time zone or address is refused.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from monitor.config import Settings
from monitor.console import out, table, when
from monitor.context import state
from monitor.deliver import new_webhook_secret
from monitor.digest import DigestContent
from monitor.dispatch import compose_due, deliver_due, next_digest
from monitor.errors import ConfigError, NotFoundError, UnknownWatchlistError
from monitor.ingest import utcnow
from monitor.render import render_html, render_text
from monitor.schedule import parse_schedule, parse_timezone
from storage.digests import get_digest, list_digests, requeue_digest
from storage.records import SubscriptionRecord
from storage.subscriptions import (
    add_subscription,
    get_subscription,
    list_subscriptions,
    remove_subscription,
    set_paused,
)
from storage.watchlist_store import list_watchlists

app = typer.Typer(help="Who receives digests, of which watchlists, when.", no_args_is_help=True)
digest_app = typer.Typer(help="Preview, send and inspect digests.", no_args_is_help=True)

_EMAIL = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+$")
FORMATS = ("json", "slack", "discord", "teams", "mattermost")


def _subscription(subscription_id: int) -> SubscriptionRecord:
    record = get_subscription(state.engine(), subscription_id)
    if record is None:
        raise NotFoundError(
            f"no subscription {subscription_id}", hint="see `newswatch subscription list`"
        )
    return record


@app.command("add")
def add(
    watchlist: Annotated[list[str], typer.Option("--watchlist", "-w", help="A watchlist name.")],
    email: Annotated[list[str] | None, typer.Option("--email", help="An email address.")] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="A webhook URL.")] = None,
    every: Annotated[
        str, typer.Option("--every", help="instant, hourly, every@30m or daily@HH:MM")
    ] = "daily@08:00",
    timezone: Annotated[str, typer.Option("--timezone", "--tz")] = "UTC",
    format: Annotated[str, typer.Option("--format", help="json, slack, discord, teams")] = "json",
    secret: Annotated[str | None, typer.Option("--secret", help="whsec_… signing secret")] = None,
    min_score: Annotated[float, typer.Option("--min-score")] = 0.0,
) -> None:
    """Subscribe an email address or a webhook to watchlists."""
    if bool(email) == bool(webhook):
        raise ConfigError(
            "give either --email or --webhook", hint="e.g. --email analyst@example.org"
        )
    known = {w.name for w in list_watchlists(state.engine())}
    for name in watchlist:
        if name not in known:
            raise UnknownWatchlistError(
                f"no watchlist '{name}'", hint=f"known watchlists: {', '.join(sorted(known))}"
            )
    schedule = parse_schedule(every)
    parse_timezone(timezone)
    shown_secret = None
    if email:
        for address in email:
            if not _EMAIL.match(address):
                raise ConfigError(f"'{address}' is not an email address")
        channel, target = "email", ",".join(email)
    else:
        assert webhook is not None
        parts = urlsplit(webhook)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"'{webhook}' is not an http(s) URL")
        if format not in FORMATS:
            raise ConfigError(f"unknown webhook format '{format}'", hint=f"use one of {FORMATS}")
        channel, target = "webhook", webhook
        if secret is None:
            secret = shown_secret = new_webhook_secret()
        elif not secret.startswith("whsec_"):
            raise ConfigError("a webhook secret starts with whsec_", hint="or omit --secret")
    record = add_subscription(
        state.engine(),
        channel=channel,
        target=target,
        watchlists=watchlist,
        schedule=str(schedule),
        timezone=timezone,
        now=utcnow(),
        format=format,
        secret=secret,
        min_score=min_score,
    )
    out.print(f"subscription {record.id} added: {channel} {target}, {record.schedule}")
    if shown_secret:
        out.print(f"webhook signing secret (shown once): {shown_secret}", markup=False)


@app.command("list")
def list_() -> None:
    """Show every subscription."""
    rows = [
        [
            s.id,
            s.channel,
            s.target,
            ", ".join(s.watchlists),
            s.schedule,
            s.timezone,
            "paused" if s.paused else "active",
            s.disabled_reason or "",
            when(s.last_digest_at),
        ]
        for s in list_subscriptions(state.engine())
    ]
    table(
        "subscriptions",
        ["id", "channel", "target", "watchlists", "schedule", "zone", "state", "reason", "last"],
        rows,
    )


@app.command("show")
def show(subscription_id: int) -> None:
    """Show one subscription."""
    s = _subscription(subscription_id)
    rows = [
        ["channel", s.channel],
        ["target", s.target],
        ["format", s.format],
        ["watchlists", ", ".join(s.watchlists)],
        ["schedule", s.schedule],
        ["time zone", s.timezone],
        ["minimum score", s.min_score],
        ["signed", "yes" if s.secret else "no"],
        ["state", "paused" if s.paused else "active"],
        ["reason", s.disabled_reason or ""],
        ["created", when(s.created_at)],
        ["last digest", when(s.last_digest_at)],
    ]
    table(f"subscription {s.id}", ["", ""], rows)


@app.command("remove")
def remove(subscription_id: int) -> None:
    """Delete a subscription."""
    _subscription(subscription_id)
    remove_subscription(state.engine(), subscription_id)
    out.print(f"subscription {subscription_id} removed")


@app.command("pause")
def pause(subscription_id: int) -> None:
    """Stop sending digests to this subscription (matches are kept)."""
    _subscription(subscription_id)
    set_paused(state.engine(), subscription_id, True)
    out.print(f"subscription {subscription_id} paused")


@app.command("resume")
def resume(subscription_id: int) -> None:
    """Send digests again."""
    _subscription(subscription_id)
    set_paused(state.engine(), subscription_id, False)
    out.print(f"subscription {subscription_id} resumed")


@digest_app.command("preview")
def preview(
    subscription_id: int,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML here.")] = None,
) -> None:
    """Render the next digest without sending it."""
    content = next_digest(state.engine(), _subscription(subscription_id), utcnow())
    if content is None:
        out.print("nothing new for this subscription")
        return
    out.print(render_text(content), markup=False)
    if html is not None:
        html.write_text(render_html(content), encoding="utf-8")
        out.print(f"HTML written to {html}")


@digest_app.command("send")
def send(subscription_id: int) -> None:
    """Compose and send this subscription's digest now."""
    _subscription(subscription_id)
    engine, settings, now = state.engine(), state.settings(), utcnow()
    composed = compose_due(engine, now, only=subscription_id, force=True)
    if not composed:
        out.print("nothing new for this subscription")
        return
    report = asyncio.run(deliver_due(engine, settings, now))
    _report(settings, report.sent, report.failed)


def _report(settings: Settings, sent: list[str], failed: dict[str, str]) -> None:
    for digest_id in sent:
        where = f" (written to {settings.outbox_dir})" if not settings.smtp_url else ""
        out.print(f"digest {digest_id} sent{where}")
    for digest_id, reason in failed.items():
        out.print(f"digest {digest_id} not delivered: {reason} (it will be retried)")


@digest_app.command("list")
def list_digests_() -> None:
    """Show recent digests and their delivery state."""
    rows = [
        [
            d.id,
            d.subscription_id,
            d.state,
            d.item_count,
            d.attempts,
            when(d.created_at),
            when(d.sent_at),
            d.last_error or "",
        ]
        for d in list_digests(state.engine())
    ]
    table("digests", ["id", "sub", "state", "items", "attempts", "created", "sent", "error"], rows)


@digest_app.command("retry")
def retry(digest_id: str) -> None:
    """Queue a failed digest again (same id) and try to deliver it now."""
    engine, now = state.engine(), utcnow()
    if not requeue_digest(engine, digest_id, now):
        raise NotFoundError(f"no digest '{digest_id}'", hint="see `newswatch digest list`")
    report = asyncio.run(deliver_due(engine, state.settings(), now))
    _report(state.settings(), report.sent, report.failed)


@digest_app.command("show")
def show_digest(digest_id: str) -> None:
    """Print a stored digest as text."""
    record = get_digest(state.engine(), digest_id)
    if record is None:
        raise NotFoundError(f"no digest '{digest_id}'", hint="see `newswatch digest list`")
    out.print(render_text(DigestContent.from_json(record.payload)), markup=False)
