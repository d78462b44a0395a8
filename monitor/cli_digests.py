"""``newswatch digest …``: preview the next digest, send it now, list the history, retry.

Does I/O (database, delivery). A preview records nothing; send and retry go
through the same outbox as the daemon, so a digest keeps its id on every try.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from monitor.alert import AlertContent
from monitor.clock import utcnow
from monitor.config import Settings
from monitor.console import out, table, when
from monitor.context import state
from monitor.dispatch import (
    DispatchReport,
    compose_due,
    deliver_due,
    next_digest,
    outgoing_content,
)
from monitor.errors import ConfigError, NotFoundError
from monitor.render import render_alert_text, render_html, render_text
from storage.digests import digest_stories, get_digest, list_digests, requeue_digest
from storage.records import SubscriptionRecord
from storage.subscriptions import get_subscription

digest_app = typer.Typer(help="Preview, send, list and retry digests.", no_args_is_help=True)


def find_subscription(subscription_id: int) -> SubscriptionRecord:
    record = get_subscription(state.engine(), subscription_id)
    if record is None:
        raise NotFoundError(
            f"no subscription {subscription_id}", hint="see `newswatch subscription list`"
        )
    return record


def subscription_state(s: SubscriptionRecord) -> str:
    if s.disabled_reason:
        return "disabled"
    return "paused" if s.paused else "active"


def _require_active(s: SubscriptionRecord, what: str) -> None:
    if s.paused:
        raise ConfigError(
            f"subscription {s.id} is {subscription_state(s)}: {what}",
            hint=f"`newswatch subscription resume {s.id}` first",
        )


@digest_app.command("preview")
def preview(
    subscription_id: int,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML here.")] = None,
) -> None:
    """Render the next digest without sending or recording it."""
    content = next_digest(state.engine(), find_subscription(subscription_id), utcnow())
    if content is None:
        out.print("nothing new for this subscription")
        return
    out.print(render_text(content), markup=False, end="")
    if html is not None:
        html.write_text(render_html(content), encoding="utf-8")
        out.print(f"HTML written to {html}", markup=False)


@digest_app.command("send")
def send(subscription_id: int) -> None:
    """Compose this subscription's digest now, whatever its schedule, and send it."""
    _require_active(find_subscription(subscription_id), "nothing is sent to it")
    engine, settings, now = state.engine(), state.settings(), utcnow()
    composed = compose_due(engine, now, only=subscription_id, force=True)
    if not composed:
        out.print("nothing new for this subscription")
    report = asyncio.run(deliver_due(engine, settings, now, only=subscription_id))
    _report(settings, report)


def _report(settings: Settings, report: DispatchReport) -> None:
    for digest_id in report.sent:
        where = f" (written to {settings.outbox_dir})" if not settings.smtp_url else ""
        out.print(f"digest {digest_id} sent{where}", markup=False)
    for digest_id, reason in report.failed.items():
        later = report.retrying.get(digest_id)
        then = f"next try {when(later)}" if later else "failed; `newswatch digest retry` replays it"
        out.print(f"digest {digest_id} not delivered: {reason} ({then})", markup=False)


@digest_app.command("list")
def list_digests_(
    state_: Annotated[str | None, typer.Option("--state", help="pending, sent or failed")] = None,
    subscription: Annotated[int | None, typer.Option("--subscription")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
) -> None:
    """Show recent digests: state, attempts, next try and last error."""
    rows = [
        [
            d.id,
            d.subscription_id,
            d.state,
            d.item_count,
            d.attempts,
            when(d.created_at),
            when(d.sent_at) if d.state == "sent" else when(d.next_attempt_at),
            d.last_error or "",
        ]
        for d in list_digests(state.engine(), limit, state_, subscription)
    ]
    table(
        "digests",
        ["id", "sub", "state", "items", "attempts", "created", "sent / next try", "last error"],
        rows,
    )


@digest_app.command("retry")
def retry(digest_id: str) -> None:
    """Queue a failed digest again (same id, same content) and try to deliver it now."""
    engine, settings, now = state.engine(), state.settings(), utcnow()
    before = requeue_digest(engine, digest_id, now)
    if before is None:
        raise NotFoundError(f"no digest '{digest_id}'", hint="see `newswatch digest list`")
    if before.state == "sent":
        out.print(f"digest {digest_id} was already delivered {when(before.sent_at)}")
        return
    sub = get_subscription(engine, before.subscription_id)
    if sub is not None:
        _require_active(sub, "the digest waits for it")
    report = asyncio.run(deliver_due(engine, settings, now, only=before.subscription_id))
    _report(settings, report)


@digest_app.command("show")
def show_digest(
    digest_id: str,
    all_: Annotated[
        bool, typer.Option("--all", help="List every story it covers, also those over the cap.")
    ] = False,
) -> None:
    """Print a stored digest (or feed alert) as it was sent (same id, same content)."""
    record = get_digest(state.engine(), digest_id)
    if record is None:
        raise NotFoundError(f"no digest '{digest_id}'", hint="see `newswatch digest list`")
    content = outgoing_content(record.payload)
    if isinstance(content, AlertContent):
        out.print(render_alert_text(content), markup=False, end="")
        return
    out.print(render_text(content), markup=False, end="")
    if all_:
        rows = [[t, s, u] for t, u, s in digest_stories(state.engine(), digest_id)]
        table(f"every story in {digest_id}", ["title", "source", "link"], rows)
