"""``/api/v1/feeds``: the health table, add (with discovery), remove, OPML import and export.

Does I/O (the database; discovery fetches the page given). The address
check and the OPML import are ``monitor.fetch.feed_list``'s, as for the CLI,
without local files: a web client may not make the server read its own disk.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from monitor.errors import FetchError, NotFoundError, ParseError
from monitor.fetch.feed_list import check_feed_url, discover_feed
from monitor.fetch.feed_list import import_outlines as import_feeds
from monitor.parse.opml import Outline, read_opml, write_opml
from monitor.web.deps import Admin, Id, Reader, WebContext
from monitor.web.errors import ApiError
from monitor.web.views import feed_view
from storage.feeds import add_feed, find_feed, list_feeds, remove_feed

router = APIRouter(prefix="/feeds", tags=["feeds"])

MAX_OPML = 5 * 1024 * 1024


class NewFeed(BaseModel):
    url: str = Field(max_length=2_000, description="A feed URL, or a site's page to discover.")
    title: str = Field("", max_length=300, description="A name to show instead of the feed's own.")
    discover: bool = Field(True, description="Read a web page's <link rel=alternate> feeds.")


def added_feed(ctx: WebContext, url: str, title: str, find: bool) -> dict[str, Any]:
    """Add one feed as ``feed add`` does; says what discovery found (or why it could not)."""
    target = check_feed_url(url, allow_local=False)
    note = ""
    offered: list[dict[str, str]] = []
    if find:
        try:
            found = discover_feed(target, ctx.settings, ctx.clock())
        except (FetchError, ParseError) as exc:
            note = f"could not find a feed at {target} ({exc.message}); added as given"
        else:
            if found.is_feed:
                target, title = found.url, title or found.title
            else:
                first = found.links[0]
                note = f"{target} is a web page; it offers the {first.kind} feed {first.url}"
                offered = [
                    {"url": link.url, "kind": link.kind, "title": link.title}
                    for link in found.links
                ]
                target = first.url
    record, created = add_feed(ctx.engine, target, ctx.clock(), title=title)
    return {"feed": feed_view(record), "created": created, "note": note, "offered": offered}


def import_outlines(ctx: WebContext, outlines: list[Outline]) -> dict[str, Any]:
    """Add every feed of an OPML file: how many were added, present, skipped and why."""
    done = import_feeds(ctx.engine, outlines, ctx.clock())
    skipped = [{"url": url, "reason": reason} for url, reason in done.skipped]
    return {"added": done.added, "present": done.present, "skipped": skipped}


@router.get("", summary="Every feed with its health")
def list_all(ctx: Reader) -> dict[str, Any]:
    return {"items": [feed_view(f) for f in list_feeds(ctx.engine)], "next_cursor": None}


@router.post("", status_code=201, summary="Add a feed, or the feed a site's page offers")
def add(body: NewFeed, ctx: Admin) -> dict[str, Any]:
    return added_feed(ctx, body.url, body.title, body.discover)


@router.get("/export", summary="Every feed as OPML")
def export(ctx: Reader) -> Response:
    outlines = [Outline(f.url, f.title) for f in list_feeds(ctx.engine)]
    return Response(
        write_opml(outlines),
        media_type="text/x-opml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="newswatch-feeds.opml"'},
    )


@router.post(
    "/import",
    summary="Add every feed of an OPML document (the request body)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/x-opml": {"schema": {"type": "string"}}},
        }
    },
)
async def import_opml(request: Request, ctx: Admin) -> dict[str, Any]:
    data = await request.body()
    if len(data) > MAX_OPML:
        raise ApiError(413, "too_large", "the OPML document is over 5 MB", "split it in parts")
    outlines = read_opml(data, "the OPML document")
    return await asyncio.to_thread(import_outlines, ctx, outlines)


@router.get("/{feed_id}", summary="One feed with its health")
def show(feed_id: Id, ctx: Reader) -> dict[str, Any]:
    return feed_view(require(ctx, feed_id))


@router.delete("/{feed_id}", summary="Stop polling a feed (its stored stories stay)")
def remove(feed_id: Id, ctx: Admin) -> dict[str, Any]:
    record = require(ctx, feed_id)
    remove_feed(ctx.engine, record.id)
    return {"removed": record.id, "url": record.url}


def require(ctx: WebContext, feed_id: int) -> Any:
    record = find_feed(ctx.engine, str(feed_id))
    if record is None:
        raise NotFoundError(f"no feed {feed_id}", hint="GET /api/v1/feeds lists the feeds")
    return record
