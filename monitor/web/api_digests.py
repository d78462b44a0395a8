"""``/api/v1/digests``: list, show (as it was sent), retry.

Does I/O (the database; a retry delivers). A retry goes through the same
outbox as the daemon, so a digest keeps its id on every try.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Path, Query

from monitor.delivery.dispatch import deliver_due, outgoing_content
from monitor.digests.feed_alerts import AlertContent
from monitor.digests.render import render_alert_text, render_text
from monitor.errors import ConfigError, NotFoundError
from monitor.web.deps import Admin, Reader
from monitor.web.views import digest_view
from storage.digests import get_digest, list_digests, requeue_digest
from storage.subscriptions import get_subscription

router = APIRouter(prefix="/digests", tags=["digests"])

DigestId = Path(max_length=100, description="A digest id (nwd_…) or feed alert id (nwa_…).")


@router.get("", summary="Recent digests and feed alerts: state, attempts, next try, last error")
def list_all(
    ctx: Reader,
    state: Literal["pending", "sent", "failed"] | None = None,
    subscription: int | None = Query(None, ge=1, le=2**53),
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    rows = list_digests(ctx.engine, limit, state, subscription)
    return {"items": [digest_view(d) for d in rows], "next_cursor": None}


@router.get("/{digest_id}", summary="One digest, with its content and its text as sent")
def show(ctx: Reader, digest_id: str = DigestId) -> dict[str, Any]:
    record = get_digest(ctx.engine, digest_id)
    if record is None:
        raise NotFoundError(f"no digest '{digest_id}'", hint="GET /api/v1/digests lists them")
    content = outgoing_content(record.payload)
    text = render_alert_text(content) if isinstance(content, AlertContent) else render_text(content)
    return {**digest_view(record, with_content=True), "text": text}


@router.post("/{digest_id}/retry", summary="Queue a failed digest again and try it now")
def retry(ctx: Admin, digest_id: str = DigestId) -> dict[str, Any]:
    now = ctx.clock()
    before = requeue_digest(ctx.engine, digest_id, now)
    if before is None:
        raise NotFoundError(f"no digest '{digest_id}'", hint="GET /api/v1/digests lists them")
    if before.state == "sent":
        return {"id": digest_id, "state": "sent", "sent": [], "failed": {}}
    sub = get_subscription(ctx.engine, before.subscription_id)
    if sub is not None and sub.paused:
        raise ConfigError(
            f"subscription {sub.id} is paused: the digest waits for it",
            hint=f"POST /api/v1/subscriptions/{sub.id}/resume first",
        )
    report = asyncio.run(deliver_due(ctx.engine, ctx.settings, now, only=before.subscription_id))
    after = get_digest(ctx.engine, digest_id)
    return {
        "id": digest_id,
        "state": after.state if after else "unknown",
        "sent": report.sent,
        "failed": report.failed,
    }
