"""``newswatch subscription …``: add, list, show, edit, remove, pause, resume; feed alerts on/off.

Does I/O (the database). Everything given is checked before it is stored: an
unknown watchlist, schedule, time zone, address or format is refused.
The digest commands live in ``cli_digests``; ``digest_app`` is re-exported here.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from monitor.cli.console import emit, out, table, when
from monitor.cli.context import state
from monitor.cli.digests import digest_app as digest_app  # re-exported for monitor.cli.main
from monitor.cli.digests import find_subscription
from monitor.clock import utcnow
from monitor.delivery.subscriptions import create_subscription, edit_subscription
from monitor.digests.payloads import FORMATS
from monitor.digests.subscriptions import SubscriptionEdit, SubscriptionSpec, subscription_state
from monitor.errors import ConfigError, MisappliedOptionError
from monitor.schedule.digests import (
    describe_next,
    parse_quiet_hours,
    parse_schedule,
    parse_timezone,
)
from storage.feed_alerts import told_feeds
from storage.records import SubscriptionRecord
from storage.subscriptions import list_subscriptions, remove_subscription, set_paused
from storage.watchlist_store import list_watchlists

app = typer.Typer(
    help="Who receives digests (and feed alerts), of which watchlists, when.",
    no_args_is_help=True,
)

EVERY_HELP = (
    "instant, hourly, every@30m, every@6h, daily@HH:MM, weekly@mon@HH:MM, 'cron:0 8 * * 1-5'"
)
ALERTS_HELP = (
    "Also send one message when a feed turns failing or dead and one when it recovers "
    "(at once, whatever the schedule; quiet hours hold them)."
)
ALERTS_ONLY = "(none: feed alerts only)"
JSON_HELP = "Print the list as JSON (the full values), not as a table."
FORMAT_HELP = (
    f"{', '.join(FORMATS)}; by default the one the webhook's address belongs to "
    "(Slack, Discord, Teams), else json"
)


@app.command("add")
def add(
    watchlist: Annotated[
        list[str] | None,
        typer.Option("--watchlist", "-w", help="A watchlist name (none: feed alerts only)."),
    ] = None,
    email: Annotated[list[str] | None, typer.Option("--email", help="An email address.")] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="A webhook URL.")] = None,
    every: Annotated[str, typer.Option("--every", help=EVERY_HELP)] = "daily@08:00",
    timezone: Annotated[str, typer.Option("--timezone", "--tz", help="IANA zone.")] = "UTC",
    format: Annotated[str | None, typer.Option("--format", help=FORMAT_HELP)] = None,
    secret: Annotated[str | None, typer.Option("--secret", help="whsec_… signing secret")] = None,
    min_score: Annotated[
        float, typer.Option("--min-score", min=0.0, max=1.0, help="0 to 1.")
    ] = 0.0,
    quiet_hours: Annotated[
        str | None, typer.Option("--quiet-hours", help="e.g. 22:00-07:00, local time")
    ] = None,
    send_empty: Annotated[
        bool, typer.Option("--send-empty", help="Send a digest even when nothing is new.")
    ] = False,
    feed_alerts: Annotated[bool, typer.Option("--feed-alerts", help=ALERTS_HELP)] = False,
) -> None:
    """Subscribe email addresses or a webhook to watchlists, and/or to feed health alerts."""
    spec = SubscriptionSpec(
        email=email or (),
        webhook=webhook,
        watchlists=watchlist or (),
        every=every,
        timezone=timezone,
        format=format,
        secret=secret,
        min_score=min_score,
        quiet_hours=quiet_hours,
        send_empty=send_empty,
        feed_alerts=feed_alerts,
    )
    try:
        saved = create_subscription(state.engine(), spec, utcnow())
    except MisappliedOptionError as exc:  # options that do not go together: a usage error
        raise typer.BadParameter(exc.message, param_hint="'--format' / '--secret'") from exc
    record, channel, target = saved.record, saved.record.channel, saved.record.target
    what = record.schedule if watchlist else "feed alerts only"
    if watchlist and feed_alerts:
        what += ", feed alerts"
    how = f" ({record.format})" if channel == "webhook" else ""
    out.print(f"subscription {record.id} added: {channel}{how} {target}, {what}", markup=False)
    if saved.new_secret:
        out.print(f"webhook signing secret (shown once): {saved.new_secret}", markup=False)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """Show every subscription (everything about one: `subscription show ID`)."""
    known = {w.name for w in list_watchlists(state.reader())}
    records = [
        {
            "id": s.id,
            "channel": s.channel,
            "format": s.format if s.channel == "webhook" else None,
            "target": s.target,
            "watchlists": list(s.watchlists) if as_json else _watchlists(s, known),
            "missing_watchlists": [w for w in s.watchlists if w not in known],
            "schedule": s.schedule if s.watchlists else None,
            "timezone": s.timezone,
            "feed_alerts": s.feed_alerts,
            "state": subscription_state(s),
            "disabled_reason": s.disabled_reason,
            "last_digest": s.last_digest_at,
        }
        for s in list_subscriptions(state.reader())
    ]
    if not as_json:
        for r in records:
            r["channel"] = r["format"] or r["channel"]  # a webhook shows its format
            r["schedule"] = r["schedule"] or "—"
            if r["feed_alerts"]:
                r["schedule"] = f"{r['schedule']} +alerts" if r["schedule"] != "—" else "alerts"
    emit(
        "subscriptions",
        [
            ("id", "id"),
            ("state", "state"),
            ("channel", "via"),
            ("schedule", "schedule"),
            ("watchlists", "watchlists"),
            ("target", "target"),
        ],
        records,
        as_json,
    )


def _watchlists(s: SubscriptionRecord, known: set[str]) -> str:
    """The watchlist names, a removed one marked: it sends nothing until it is added again."""
    removed = [f"(removed) {w}" for w in s.watchlists if w not in known]
    return ", ".join(removed + [w for w in s.watchlists if w in known]) or ALERTS_ONLY


@app.command("show")
def show(subscription_id: int) -> None:
    """Show one subscription, with when its next digest is due."""
    s = find_subscription(subscription_id, reader=True)
    known = {w.name for w in list_watchlists(state.reader())}
    zone = parse_timezone(s.timezone)
    quiet = parse_quiet_hours(s.quiet_hours) if s.quiet_hours else None
    upcoming = describe_next(
        parse_schedule(s.schedule), zone, s.last_digest_at or s.created_at, utcnow(), quiet
    )
    told = sum(1 for broken, _, _ in told_feeds(state.reader(), s.id).values() if broken)
    alerts = "off"
    if s.feed_alerts:
        alerts = "on (when a feed breaks or recovers)"
        if told:
            alerts = f"on ({told} feeds reported broken now)"
    next_digest = upcoming.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    if s.paused or not s.watchlists:
        next_digest = "—"
    rows: list[list[Any]] = [
        ["channel", s.channel],
        ["target", s.target],
        ["format", s.format if s.channel == "webhook" else "email (text + HTML)"],
        ["watchlists", _watchlists(s, known)],
        ["feed alerts", alerts],
        ["schedule", s.schedule],
        ["time zone", s.timezone],
        ["quiet hours", s.quiet_hours or "none"],
        ["minimum score", s.min_score],
        ["empty digests", "sent" if s.send_empty else "not sent"],
        ["signed", "yes (Standard Webhooks)" if s.secret else "no"],
        ["state", subscription_state(s)],
        ["reason", s.disabled_reason or ""],
        ["created", when(s.created_at)],
        ["last digest", when(s.last_digest_at)],
        ["next digest", next_digest],
    ]
    table(f"subscription {s.id}", ["", ""], rows)


@app.command("edit")
def edit(
    subscription_id: int,
    watchlist: Annotated[
        list[str] | None, typer.Option("--watchlist", "-w", help="Replaces the watchlists.")
    ] = None,
    email: Annotated[
        list[str] | None, typer.Option("--email", help="Replaces the addresses.")
    ] = None,
    webhook: Annotated[str | None, typer.Option("--webhook", help="A new webhook URL.")] = None,
    every: Annotated[str | None, typer.Option("--every", help=EVERY_HELP)] = None,
    timezone: Annotated[str | None, typer.Option("--timezone", "--tz")] = None,
    format: Annotated[str | None, typer.Option("--format")] = None,
    secret: Annotated[str | None, typer.Option("--secret", help="whsec_… or 'new'")] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", min=0.0, max=1.0, help="0 to 1.")
    ] = None,
    quiet_hours: Annotated[
        str | None, typer.Option("--quiet-hours", help="HH:MM-HH:MM, or 'none'")
    ] = None,
    send_empty: Annotated[bool | None, typer.Option("--send-empty/--no-send-empty")] = None,
    feed_alerts: Annotated[
        bool | None, typer.Option("--feed-alerts/--no-feed-alerts", help=ALERTS_HELP)
    ] = None,
) -> None:
    """Change a subscription; what is not given stays as it is."""
    change = SubscriptionEdit(
        watchlists=watchlist,
        email=email,
        webhook=webhook,
        every=every,
        timezone=timezone,
        format=format,
        secret=secret,
        min_score=min_score,
        quiet_hours=quiet_hours,
        send_empty=send_empty,
        feed_alerts=feed_alerts,
    )
    saved = edit_subscription(state.engine(), find_subscription(subscription_id), change)
    out.print(f"subscription {subscription_id} changed: {', '.join(saved.changed)}", markup=False)
    if saved.new_secret:
        out.print(f"new webhook signing secret (shown once): {saved.new_secret}", markup=False)


@app.command("remove")
def remove(subscription_id: int) -> None:
    """Delete a subscription and its digest history."""
    find_subscription(subscription_id)
    remove_subscription(state.engine(), subscription_id)
    out.print(f"subscription {subscription_id} removed")


@app.command("pause")
def pause(subscription_id: int) -> None:
    """Stop sending digests to this subscription (matches are kept for later)."""
    find_subscription(subscription_id)
    set_paused(state.engine(), subscription_id, True)
    out.print(f"subscription {subscription_id} paused")


@app.command("resume")
def resume(subscription_id: int) -> None:
    """Send digests again (also after a receiver had it disabled)."""
    find_subscription(subscription_id)
    set_paused(state.engine(), subscription_id, False)
    out.print(f"subscription {subscription_id} resumed")


@app.command("unsubscribe")
def unsubscribe_(
    subscription_id: Annotated[int | None, typer.Argument(help="From the email's link.")] = None,
    token: Annotated[str | None, typer.Argument(help="The token from the same link.")] = None,
    mail: Annotated[
        bool,
        typer.Option(
            "--mail",
            help="Read an unsubscribe email on stdin (for a mail server's pipe, e.g. an alias "
            "'unsubscribe: \"|newswatch subscription unsubscribe --mail\"').",
        ),
    ] = False,
) -> None:
    """What a recipient's unsubscribe does: the subscription is paused (resume brings it back)."""
    import sys

    from monitor.delivery.unsubscribe import load_key, unsubscribe
    from monitor.digests.unsubscribe import token_in_message

    if mail == (subscription_id is not None):
        raise typer.BadParameter("give ID TOKEN, or --mail with the email on stdin")
    if mail:
        found = token_in_message(sys.stdin.buffer.read())
        if found is None:
            raise ConfigError(
                "no 'unsubscribe ID TOKEN' in the email's subject",
                hint="the recipient must keep the subject of the unsubscribe link",
            )
        subscription_id, token = found
    if subscription_id is None or not token:
        raise typer.BadParameter("give the token too: ID TOKEN")
    key = load_key(state.settings().data_dir)
    if not unsubscribe(state.engine(), key, subscription_id, token, utcnow()):
        raise ConfigError(
            f"not unsubscribed: that is not the token of subscription {subscription_id}",
            hint="copy the whole link from the email",
        )
    out.print(f"subscription {subscription_id} paused: a recipient unsubscribed", markup=False)
