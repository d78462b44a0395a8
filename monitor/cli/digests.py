"""``newswatch digest …``: preview the next digest, send it now, list the history, retry.

Does I/O (database, delivery). A preview records nothing; send and retry go
through the same outbox as the daemon, so a digest keeps its id on every try.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

from monitor.cli.console import ExitCode, emit, err, out, table, when
from monitor.cli.context import state
from monitor.clock import utcnow
from monitor.config import Settings
from monitor.delivery.dispatch import (
    DispatchReport,
    next_digest,
    outgoing_content,
)
from monitor.delivery.send import outgoing_body
from monitor.delivery.subscriptions import require_subscription, retry_digest, send_now
from monitor.digests.feed_alerts import AlertContent
from monitor.digests.render import render_alert_text, render_html, render_text
from monitor.errors import NotFoundError
from storage.digests import digest_stories, get_digest, list_digests
from storage.records import SubscriptionRecord

digest_app = typer.Typer(help="Preview, send, list and retry digests.", no_args_is_help=True)


def find_subscription(subscription_id: int, reader: bool = False) -> SubscriptionRecord:
    return require_subscription(state.reader() if reader else state.engine(), subscription_id)


@digest_app.command("preview")
def preview(
    subscription_id: int,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the HTML here.")] = None,
) -> None:
    """Render the next digest as it would go out (email text, or the webhook's body),
    without sending or recording it."""
    sub = find_subscription(subscription_id, reader=True)
    content = next_digest(state.reader(), sub, utcnow())
    if content is None:
        out.print("nothing new for this subscription")
        return
    if sub.channel == "webhook":
        body = json.loads(outgoing_body(content, sub.format))
        err.print(f"POST {sub.target} ({sub.format}):", markup=False)
        out.print(json.dumps(body, ensure_ascii=False, indent=2), markup=False)
    else:
        out.print(render_text(content), markup=False, end="")
    if html is not None:
        html.write_text(render_html(content), encoding="utf-8")
        out.print(f"HTML written to {html}", markup=False)


@digest_app.command("send")
def send(subscription_id: int) -> None:
    """Compose this subscription's digest now, whatever its schedule, and send it.

    Exits 0 when it was delivered (or there was nothing new to send), 1 when nothing
    could be delivered, 3 when some of what was due went out and some did not.
    """
    sub, settings = find_subscription(subscription_id), state.settings()
    sent = send_now(state.engine(), settings, sub, utcnow())
    if not sent.composed:
        out.print("nothing new for this subscription")
    _report(settings, sent.report, sub)


def _report(settings: Settings, report: DispatchReport, sub: SubscriptionRecord) -> None:
    """Say what went where; exit 1 if nothing was delivered, 3 if only some was."""
    for digest_id in report.sent:
        if sub.channel == "email" and not settings.smtp_url:
            out.print(
                f"digest {digest_id} written to {settings.outbox_dir / digest_id}.eml "
                "(not emailed: no NEWSWATCH_SMTP_URL is set)",
                markup=False,
            )
        elif sub.channel == "email":
            out.print(f"digest {digest_id} sent: emailed to {sub.target}", markup=False)
        else:
            host = urlsplit(sub.target).hostname
            out.print(f"digest {digest_id} sent: posted to the webhook at {host}", markup=False)
    for digest_id, reason in report.failed.items():
        later = report.retrying.get(digest_id)
        then = f"next try {when(later)}" if later else "failed; `newswatch digest retry` replays it"
        err.print(f"digest {digest_id} not delivered: {reason} ({then})", markup=False)
    if report.failed:
        raise typer.Exit(ExitCode.PARTIAL if report.sent else ExitCode.ERROR)


class DigestState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@digest_app.command("list")
def list_digests_(
    state_: Annotated[DigestState | None, typer.Option("--state")] = None,
    subscription: Annotated[int | None, typer.Option("--subscription")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the list as JSON, not as a table.")
    ] = False,
) -> None:
    """Show recent digests: state, items, when sent or next tried (the last error and
    the content: `digest show ID`; everything: --json)."""
    chosen = state_.value if state_ is not None else None
    records = [
        {
            "id": d.id,
            "subscription": d.subscription_id,
            "state": d.state,
            "items": d.item_count,
            "attempts": d.attempts,
            "created": d.created_at,
            "sent": d.sent_at,
            "next_attempt": d.next_attempt_at,
            "last_error": d.last_error,
            "when": _short(d.sent_at if d.state == "sent" else d.next_attempt_at),
        }
        for d in list_digests(state.reader(), limit, chosen, subscription)
    ]
    emit(
        "digests",
        [
            ("id", "id"),
            ("subscription", "sub"),
            ("state", "state"),
            ("items", "items"),
            ("when", "sent/next"),
        ],
        records,
        as_json,
    )
    if not as_json:  # why the ones not sent are waiting: in full, below the table
        for r in records:
            if r["last_error"] and r["state"] != "sent":
                out.print(f"{r['id']}: {r['last_error']}", markup=False, soft_wrap=False)


def _short(moment: datetime | None) -> str:
    return moment.strftime("%m-%d %H:%M") if moment else "-"


@digest_app.command("retry")
def retry(digest_id: str) -> None:
    """Queue a failed digest again (same id, same content) and try to deliver it now."""
    settings = state.settings()
    retried = retry_digest(state.engine(), settings, digest_id, utcnow())
    if retried.report is None:
        out.print(f"digest {digest_id} was already delivered {when(retried.digest.sent_at)}")
        return
    if retried.subscription is not None:
        _report(settings, retried.report, retried.subscription)


@digest_app.command("show")
def show_digest(
    digest_id: str,
    all_: Annotated[
        bool, typer.Option("--all", help="List every story it covers, also those over the cap.")
    ] = False,
) -> None:
    """Print a stored digest (or feed alert) as it was sent (same id, same content)."""
    record = get_digest(state.reader(), digest_id)
    if record is None:
        raise NotFoundError(f"no digest '{digest_id}'", hint="see `newswatch digest list`")
    content = outgoing_content(record.payload)
    status = f"{record.id}: {record.state}, {record.attempts} attempts"
    if record.state == "sent":
        status += f", sent {when(record.sent_at)}"
    elif record.next_attempt_at:
        status += f", next try {when(record.next_attempt_at)}"
    err.print(status, markup=False)
    if record.last_error:
        err.print(f"last error: {record.last_error}", markup=False)
    if isinstance(content, AlertContent):
        out.print(render_alert_text(content), markup=False, end="")
        return
    out.print(render_text(content), markup=False, end="")
    if all_:
        rows = [[t, s, u] for t, u, s in digest_stories(state.reader(), digest_id)]
        table(f"every story in {digest_id}", ["title", "source", "link"], rows)
