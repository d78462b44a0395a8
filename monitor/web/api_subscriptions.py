"""``/api/v1/subscriptions``: CRUD, pause, resume, preview, send now, delivery history.

Does I/O (the database; "send" delivers). Adding and changing go through
``monitor.delivery.subscriptions``, the rules the CLI uses too, so a value the
CLI refuses is refused here with the same message. A webhook secret is shown
once, when it is made.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from monitor.delivery.dispatch import next_digest
from monitor.delivery.subscriptions import (
    create_subscription,
    edit_subscription,
    require_subscription,
    send_now,
)
from monitor.digests.payloads import webhook_body
from monitor.digests.render import render_html, render_text, subject
from monitor.digests.subscriptions import API, SubscriptionEdit, SubscriptionSpec
from monitor.web.api_digests import digest_page
from monitor.web.deps import Admin, Id, Reader, WebContext
from monitor.web.paging import MAX_LIMIT, answer, decode_cursor
from monitor.web.views import subscription_view
from storage.records import SubscriptionRecord
from storage.subscriptions import (
    list_subscriptions,
    remove_subscription,
    set_paused,
)

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])


class NewSubscription(BaseModel):
    email: list[str] = Field(default_factory=list, max_length=50, description="Addresses.")
    webhook: str | None = Field(None, max_length=2_000, description="A webhook URL.")
    watchlists: list[str] = Field(default_factory=list, max_length=100)
    every: str = Field("daily@08:00", max_length=100, description="A schedule, as in the CLI.")
    timezone: str = Field("UTC", max_length=64)
    format: str | None = Field(
        None, max_length=20, description="json, slack, …; omitted: the webhook address's own"
    )
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
    secret: str | None = Field(None, max_length=200, description="whsec_…, or 'new'")
    min_score: float | None = Field(None, ge=0.0, le=1.0)
    quiet_hours: str | None = Field(None, max_length=20, description="HH:MM-HH:MM, or 'none'")
    send_empty: bool | None = None
    feed_alerts: bool | None = None


def require(ctx: WebContext, subscription_id: int) -> SubscriptionRecord:
    return require_subscription(ctx.engine, subscription_id, API)


@router.get("", summary="Every subscription, oldest first, in pages")
def list_all(
    ctx: Reader,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(None, max_length=200, description="next_cursor of a page"),
) -> dict[str, Any]:
    after = decode_cursor(cursor)[1] if cursor else None
    rows = list_subscriptions(ctx.engine, limit, after)
    keys = [(s.created_at, s.id) for s in rows]
    return answer([subscription_view(s) for s in rows], keys, limit)


@router.post("", status_code=201, summary="Subscribe addresses or a webhook to watchlists")
def create(body: NewSubscription, ctx: Admin) -> dict[str, Any]:
    spec = SubscriptionSpec(**body.model_dump())
    saved = create_subscription(ctx.engine, spec, ctx.clock(), API)
    view = subscription_view(saved.record)
    if saved.new_secret:
        view["secret"] = saved.new_secret  # shown once, like the CLI does
    return view


@router.get("/{subscription_id}", summary="One subscription")
def show(subscription_id: Id, ctx: Reader) -> dict[str, Any]:
    return subscription_view(require(ctx, subscription_id))


@router.patch("/{subscription_id}", summary="Change a subscription; what is not given stays")
def change(subscription_id: Id, body: SubscriptionChange, ctx: Admin) -> dict[str, Any]:
    change = SubscriptionEdit(**body.model_dump())
    saved = edit_subscription(ctx.engine, require(ctx, subscription_id), change, API)
    view = subscription_view(saved.record)
    if saved.new_secret:
        view["secret"] = saved.new_secret  # shown once
    return view


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
    sent = send_now(ctx.engine, ctx.settings, require(ctx, subscription_id), ctx.clock(), API)
    return {"composed": list(sent.composed), "sent": sent.report.sent, "failed": sent.report.failed}


@router.get("/{subscription_id}/digests", summary="Delivery history, newest first")
def history(
    subscription_id: Id,
    ctx: Reader,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(None, max_length=200, description="next_cursor of a page"),
) -> dict[str, Any]:
    require(ctx, subscription_id)
    return digest_page(ctx, limit, cursor, None, subscription_id)
