"""``/api/v1/feeds``: the health table, add (with discovery), remove, OPML import and export.

Does I/O (the database; discovery fetches the page given). The address
check is the CLI's ``check_feed_url``, without local files: a web client may
not make the server read its own disk.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from monitor.cli.feeds import check_feed_url
from monitor.errors import ConfigError, FetchError, NotFoundError, ParseError
from monitor.fetch.discovery import Discovery, discover
from monitor.fetch.documents import document_policy
from monitor.fetch.http import new_client
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
            found = _discover(ctx, target)
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


def _discover(ctx: WebContext, url: str) -> Discovery:
    async def run() -> Discovery:
        async with new_client(2) as client:
            return await discover(url, document_policy(ctx.settings), client, ctx.clock())

    return asyncio.run(run())


def import_outlines(ctx: WebContext, outlines: list[Outline]) -> dict[str, Any]:
    """Add every feed of an OPML file: how many were added, present, skipped and why."""
    added, present = 0, 0
    skipped: list[dict[str, str]] = []
    for outline in outlines:
        try:
            url = check_feed_url(outline.url, allow_local=False)
        except ConfigError as exc:
            skipped.append({"url": outline.url, "reason": exc.message})
            continue
        _, created = add_feed(ctx.engine, url, ctx.clock(), title=outline.title)
        added += created
        present += not created
    return {"added": added, "present": present, "skipped": skipped}


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
