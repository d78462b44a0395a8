"""``/api/v1/subscriptions``: CRUD, pause, resume, preview, send now, delivery history.

Does I/O (the database; "send" delivers). Every value is checked by the
CLI's own checks (``monitor.cli.subscriptions``, ``monitor.schedule.digests``) before
anything is stored. A webhook secret is shown once, when it is made.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from monitor.cli.subscriptions import (
    _check_emails,
    _check_format,
    _check_secret,
    _check_webhook,
    _quiet,
)
from monitor.delivery.dispatch import compose_due, deliver_due, next_digest
from monitor.delivery.send import new_webhook_secret
from monitor.digests.payloads import webhook_body
from monitor.digests.render import render_html, render_text, subject
from monitor.errors import ConfigError, NotFoundError, UnknownWatchlistError
from monitor.schedule.digests import parse_schedule, parse_timezone
from monitor.web.deps import Admin, Id, Reader, WebContext
from monitor.web.views import digest_view, subscription_view
from storage.digests import list_digests
from storage.records import SubscriptionRecord
from storage.subscriptions import (
    add_subscription,
    get_subscription,
    list_subscriptions,
    remove_subscription,
    set_paused,
    update_subscription,
)
from storage.watchlist_store import list_watchlists

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])


class NewSubscription(BaseModel):
    email: list[str] = Field(default_factory=list, max_length=50, description="Addresses.")
    webhook: str | None = Field(None, max_length=2_000, description="A webhook URL.")
    watchlists: list[str] = Field(default_factory=list, max_length=100)
    every: str = Field("daily@08:00", max_length=100, description="A schedule, as in the CLI.")
    timezone: str = Field("UTC", max_length=64)
    format: str = Field("json", max_length=20)
    secret: str | None = Field(None, max_length=200, description="whsec_…; omitted: one is made")
    min_score: float = Field(0.0, ge=0.0, le=1.0)
    quiet_hours: str | None = Field(None, max_length=20, description="e.g. 22:00-07:00")
    send_empty: bool = False
    feed_alerts: bool = False


class SubscriptionChange(BaseModel):
    email: list[str] | None = Field(None, max_length=50)
    webhook: str | None = Field(None, max_length=2_000)
    watchlists: list[str] | None = Field(None, max_length=100)
    every: str | None = Field(None, max_length=100)
    timezone: str | None = Field(None, max_length=64)
    format: str | None = Field(None, max_length=20)
    min_score: float | None = Field(None, ge=0.0, le=1.0)
    quiet_hours: str | None = Field(None, max_length=20, description="HH:MM-HH:MM, or 'none'")
    send_empty: bool | None = None
    feed_alerts: bool | None = None


def require(ctx: WebContext, subscription_id: int) -> SubscriptionRecord:
    record = get_subscription(ctx.engine, subscription_id)
    if record is None:
        raise NotFoundError(
            f"no subscription {subscription_id}", hint="GET /api/v1/subscriptions lists them"
        )
    return record


def _check_watchlists(ctx: WebContext, names: list[str]) -> None:
    known = {w.name for w in list_watchlists(ctx.engine)}
    for name in names:
        if name not in known:
            raise UnknownWatchlistError(
                f"no watchlist '{name}'", hint=f"known watchlists: {', '.join(sorted(known))}"
            )


@router.get("", summary="Every subscription")
def list_all(ctx: Reader) -> dict[str, Any]:
    rows = list_subscriptions(ctx.engine)
    return {"items": [subscription_view(s) for s in rows], "next_cursor": None}


@router.post("", status_code=201, summary="Subscribe addresses or a webhook to watchlists")
def create(body: NewSubscription, ctx: Admin) -> dict[str, Any]:
    if bool(body.email) == bool(body.webhook):
        raise ConfigError(
            "give either email (one or more) or webhook", hint='e.g. "email": ["a@example.org"]'
        )
    if not body.watchlists and not body.feed_alerts:
        raise ConfigError(
            "give at least one watchlist",
            hint="or feed_alerts alone for a subscription that only hears about feed health",
        )
    _check_watchlists(ctx, body.watchlists)
    schedule = parse_schedule(body.every)
    parse_timezone(body.timezone)
    secret, shown = None, None
    if body.email:
        channel, target = "email", _check_emails(body.email)
    else:
        assert body.webhook is not None
        channel, target = "webhook", _check_webhook(body.webhook)
        _check_format(body.format)
        secret = _check_secret(body.secret) if body.secret else new_webhook_secret()
        shown = None if body.secret else secret
    record = add_subscription(
        ctx.engine,
        channel=channel,
        target=target,
        watchlists=body.watchlists,
        schedule=str(schedule),
        timezone=body.timezone,
        now=ctx.clock(),
        format=body.format,
        secret=secret,
        min_score=body.min_score,
        quiet_hours=_quiet(body.quiet_hours),
        send_empty=body.send_empty,
        feed_alerts=body.feed_alerts,
    )
    view = subscription_view(record)
    if shown:
        view["secret"] = shown  # shown once, like the CLI does
    return view


@router.get("/{subscription_id}", summary="One subscription")
def show(subscription_id: Id, ctx: Reader) -> dict[str, Any]:
    return subscription_view(require(ctx, subscription_id))


@router.patch("/{subscription_id}", summary="Change a subscription; what is not given stays")
def change(subscription_id: Id, body: SubscriptionChange, ctx: Admin) -> dict[str, Any]:
    current = require(ctx, subscription_id)
    changes: dict[str, Any] = {}
    if body.watchlists:
        _check_watchlists(ctx, body.watchlists)
        changes["watchlists"] = body.watchlists
    if body.email:
        if current.channel != "email":
            raise ConfigError("this subscription is a webhook", hint="give webhook instead")
        changes["target"] = _check_emails(body.email)
    if body.webhook:
        if current.channel != "webhook":
            raise ConfigError("this subscription is by email", hint="give email instead")
        changes["target"] = _check_webhook(body.webhook)
    if body.every:
        changes["schedule"] = str(parse_schedule(body.every))
    if body.timezone:
        parse_timezone(body.timezone)
        changes["timezone"] = body.timezone
    if body.format:
        if current.channel != "webhook":
            raise ConfigError("format applies to webhook subscriptions only")
        changes["format"] = _check_format(body.format)
    if body.min_score is not None:
        changes["min_score"] = body.min_score
    if body.quiet_hours is not None:
        changes["quiet_hours"] = _quiet(body.quiet_hours)
    if body.send_empty is not None:
        changes["send_empty"] = body.send_empty
    if body.feed_alerts is not None:
        if not body.feed_alerts and not (body.watchlists or current.watchlists):
            raise ConfigError(
                f"subscription {subscription_id} gets feed alerts only: without them, nothing",
                hint="delete it, or give watchlists too",
            )
        changes["feed_alerts"] = body.feed_alerts
    if not changes:
        raise ConfigError("nothing to change", hint="give at least one field to change")
    update_subscription(ctx.engine, subscription_id, **changes)
    return subscription_view(require(ctx, subscription_id))


@router.delete("/{subscription_id}", summary="Delete a subscription and its digest history")
def remove(subscription_id: Id, ctx: Admin) -> dict[str, Any]:
    require(ctx, subscription_id)
    remove_subscription(ctx.engine, subscription_id)
    return {"removed": subscription_id}


@router.post("/{subscription_id}/pause", summary="Stop sending digests (matches are kept)")
def pause(subscription_id: Id, ctx: Admin) -> dict[str, Any]:
    require(ctx, subscription_id)
    set_paused(ctx.engine, subscription_id, True)
    return subscription_view(require(ctx, subscription_id))


@router.post("/{subscription_id}/resume", summary="Send digests again")
def resume(subscription_id: Id, ctx: Admin) -> dict[str, Any]:
    require(ctx, subscription_id)
    set_paused(ctx.engine, subscription_id, False)
    return subscription_view(require(ctx, subscription_id))


def preview_of(ctx: WebContext, sub: SubscriptionRecord) -> dict[str, Any] | None:
    """The next digest as it would be received: email subject, text, HTML and webhook body."""
    content = next_digest(ctx.engine, sub, ctx.clock())
    if content is None:
        return None
    return {
        "stories": content.total,
        "subject": subject(content),
        "text": render_text(content),
        "html": render_html(content),
        "webhook_format": sub.format if sub.channel == "webhook" else None,
        "webhook_body": json.loads(webhook_body(content, sub.format))
        if sub.channel == "webhook"
        else None,
    }


@router.get("/{subscription_id}/preview", summary="The next digest, without sending it")
def preview(subscription_id: Id, ctx: Reader) -> dict[str, Any]:
    shown = preview_of(ctx, require(ctx, subscription_id))
    return {"empty": shown is None, "digest": shown}


@router.post("/{subscription_id}/send", summary="Compose the digest now and send it")
def send(subscription_id: Id, ctx: Admin) -> dict[str, Any]:
    sub = require(ctx, subscription_id)
    if sub.paused:
        raise ConfigError(
            f"subscription {sub.id} is paused: nothing is sent to it",
            hint=f"POST /api/v1/subscriptions/{sub.id}/resume first",
        )
    now = ctx.clock()
    composed = compose_due(ctx.engine, now, only=subscription_id, force=True)
    report = asyncio.run(deliver_due(ctx.engine, ctx.settings, now, only=subscription_id))
    return {"composed": list(composed), "sent": report.sent, "failed": report.failed}


@router.get("/{subscription_id}/digests", summary="Delivery history, newest first")
def history(
    subscription_id: Id,
    ctx: Reader,
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    require(ctx, subscription_id)
    rows = list_digests(ctx.engine, limit, None, subscription_id)
    return {"items": [digest_view(d) for d in rows], "next_cursor": None}
