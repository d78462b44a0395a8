"""The console's managing pages: the watchlist editor and feeds (subscriptions have their own).

Does I/O (the database; adding a feed may fetch its page). Every form that
changes something goes through ``session.check_change`` (session, CSRF token,
same origin); checking and trying a watchlist change nothing and need neither.
The work is done by the same functions as the API routes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from monitor.errors import WatchlistError
from monitor.parse.opml import read_opml
from monitor.web.api_feeds import MAX_OPML, added_feed, import_outlines
from monitor.web.api_feeds import require as require_feed
from monitor.web.api_watchlists import MAX_YAML, summary_view, tryout, validation
from monitor.web.api_watchlists import require as require_watchlist
from monitor.web.deps import Id
from monitor.web.errors import ApiError
from monitor.web.pages import render
from monitor.web.session import check_change, viewer
from storage.feeds import list_feeds, remove_feed
from storage.watchlist_store import get_watchlist, list_watchlists, save_watchlist, set_enabled
from watchlists.loader import parse_watchlist

router = APIRouter(include_in_schema=False)

NEW_WATCHLIST = """name: my-watchlist
description: What this watchlist is for
groups:
  people:
    - Jorge Glas
  places:
    - embassy
rules:
  - name: person-at-place
    all_of: [people, places]
"""


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists_page(request: Request) -> HTMLResponse:
    seen = viewer(request)
    rows = [summary_view(r) for r in list_watchlists(seen.ctx.engine)]
    return render(request, "watchlists.html.j2", seen, watchlists=rows)


def _editor(
    request: Request, text: str, original: str, status: int = 200, **values: object
) -> HTMLResponse:
    seen = viewer(request)
    checked = validation(text)
    lines = text.splitlines() or [""]
    bad_line = checked["errors"][0]["line"] if checked["errors"] else None
    return render(
        request,
        "editor.html.j2",
        seen,
        status=status,
        text=text,
        original=original,
        checked=checked,
        lines=lines,
        bad_line=bad_line,
        **values,
    )


@router.get("/watchlists/new", response_class=HTMLResponse)
def new_watchlist(request: Request) -> HTMLResponse:
    return _editor(request, NEW_WATCHLIST, "")


@router.get("/watchlists/{name}", response_class=HTMLResponse)
def edit_watchlist(request: Request, name: str) -> HTMLResponse:
    viewer(request)
    record = require_watchlist(viewer(request).ctx, name)
    return _editor(request, record.text, record.name)


@router.post("/watchlists", response_class=HTMLResponse)
def editor_action(
    request: Request,
    text: Annotated[str, Form(max_length=MAX_YAML)],
    action: Annotated[str, Form(max_length=10)] = "check",
    original: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check, try (the last 7 days of stored stories) or save the text in the editor."""
    text = text.replace("\r\n", "\n")
    if action == "save":
        seen = check_change(request, csrf)
        try:
            watchlist = parse_watchlist(text, "watchlist")
        except WatchlistError:
            return _editor(request, text, original, status=422, saved=False)
        if original and watchlist.name != original:
            return _editor(
                request,
                text,
                original,
                status=422,
                problem=f"the text renames '{original}' to '{watchlist.name}': keep the name "
                "(a new watchlist starts from “new watchlist”)",
            )
        if not original and get_watchlist(seen.ctx.engine, watchlist.name) is not None:
            return _editor(
                request,
                text,
                original,
                status=409,
                problem=f"a watchlist named '{watchlist.name}' exists already: choose another name",
            )
        record = save_watchlist(seen.ctx.engine, watchlist.name, text, seen.ctx.clock())
        return RedirectResponse(
            f"/watchlists/{record.name}?saved={record.version}", status_code=303
        )
    if action == "try":
        try:
            watchlist = parse_watchlist(text, "watchlist")
        except WatchlistError:
            return _editor(request, text, original, status=422)
        result = tryout(viewer(request).ctx, watchlist, "7d")
        return _editor(request, text, original, tried=result)
    return _editor(request, text, original)


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, message: str = "") -> HTMLResponse:
    seen = viewer(request)
    return render(
        request, "feeds.html.j2", seen, feeds=list_feeds(seen.ctx.engine), message=message[:300]
    )


@router.post("/feeds", response_class=HTMLResponse)
def add_feed_form(
    request: Request,
    url: Annotated[str, Form(max_length=2000)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    discover: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    seen = check_change(request, csrf)
    result = added_feed(seen.ctx, url, "", discover == "on")
    feed = result["feed"]
    said = "added" if result["created"] else "already present"
    note = f" — {result['note']}" if result["note"] else ""
    return render(
        request,
        "feeds.html.j2",
        seen,
        feeds=list_feeds(seen.ctx.engine),
        message=f"feed {feed['id']} {said}: {feed['url']}{note}",
    )


@router.post("/feeds/import", response_class=HTMLResponse)
async def import_feeds_form(
    request: Request,
    opml: UploadFile,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    seen = check_change(request, csrf)
    data = await opml.read(MAX_OPML + 1)
    if len(data) > MAX_OPML:
        raise ApiError(413, "too_large", "the OPML file is over 5 MB", "split it in parts")
    from asyncio import to_thread

    result = await to_thread(
        import_outlines, seen.ctx, read_opml(data, opml.filename or "OPML file")
    )
    message = f"{result['added']} feeds added, {result['present']} already present"
    if result["skipped"]:
        message += f", {len(result['skipped'])} skipped"
    return render(
        request, "feeds.html.j2", seen, feeds=list_feeds(seen.ctx.engine), message=message
    )


@router.post("/feeds/{feed_id}/remove", response_class=HTMLResponse)
def remove_feed_form(
    request: Request, feed_id: Id, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    seen = check_change(request, csrf)
    record = require_feed(seen.ctx, feed_id)
    remove_feed(seen.ctx.engine, record.id)
    return render(
        request,
        "feeds.html.j2",
        seen,
        feeds=list_feeds(seen.ctx.engine),
        message=f"feed {record.id} removed: {record.url} (its stories stay)",
    )


@router.post("/watchlists/{name}/{verb}")
def toggle_watchlist(
    request: Request, name: str, verb: str, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    seen = check_change(request, csrf)
    if verb not in ("enable", "disable"):
        raise ApiError(404, "not_found", f"no action '{verb}'", "enable or disable")
    require_watchlist(seen.ctx, name)
    set_enabled(seen.ctx.engine, name, verb == "enable")
    return RedirectResponse("/watchlists", status_code=303)
