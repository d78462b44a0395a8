"""``/api/v1/digests``: list (in pages), show (as it was sent), retry.

Does I/O (the database; a retry delivers). A retry goes through the same
outbox as the daemon, so a digest keeps its id on every try.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Query

from monitor.delivery.dispatch import outgoing_content
from monitor.delivery.subscriptions import retry_digest
from monitor.digests.feed_alerts import AlertContent
from monitor.digests.render import render_alert_text, render_text
from monitor.digests.subscriptions import API
from monitor.errors import NotFoundError
from monitor.web.deps import Admin, Reader, WebContext
from monitor.web.paging import MAX_LIMIT, answer, decode_text_cursor
from monitor.web.views import digest_view
from storage.digests import get_digest, list_digests

router = APIRouter(prefix="/digests", tags=["digests"])

DigestId = Path(max_length=100, description="A digest id (nwd_…) or feed alert id (nwa_…).")


@router.get("", summary="Recent digests and feed alerts: state, attempts, next try, last error")
def list_all(
    ctx: Reader,
    state: Literal["pending", "sent", "failed"] | None = None,
    subscription: int | None = Query(None, ge=1, le=2**53),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(None, max_length=200, description="next_cursor of a page"),
) -> dict[str, Any]:
    return digest_page(ctx, limit, cursor, state, subscription)


def digest_page(
    ctx: WebContext, limit: int, cursor: str | None, state: str | None, subscription: int | None
) -> dict[str, Any]:
    """One page of digests, newest first (a subscription's history when ``subscription``)."""
    after = decode_text_cursor(cursor) if cursor else None
    rows = list_digests(ctx.engine, limit, state, subscription, after)
    keys = [(d.created_at, d.id) for d in rows]
    return answer([digest_view(d) for d in rows], keys, limit)


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
    retried = retry_digest(ctx.engine, ctx.settings, digest_id, ctx.clock(), API)
    if retried.report is None:
        return {"id": digest_id, "state": "sent", "sent": [], "failed": {}}
    after = get_digest(ctx.engine, digest_id)
    return {
        "id": digest_id,
        "state": after.state if after else "unknown",
        "sent": retried.report.sent,
        "failed": retried.report.failed,
    }
