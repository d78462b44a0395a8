"""The console's reading pages: alerts by story cluster, one story, charts; log in and out.

Does I/O (the database). Server-rendered with Jinja2 (autoescaped); a page
reads fully without JavaScript. ``install`` adds the console's error pages.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from monitor.errors import NewswatchError, NotFoundError
from monitor.web import charts
from monitor.web.access import SESSION_COOKIE, SESSION_SECONDS
from monitor.web.clusters import group_alerts
from monitor.web.deps import Id, context
from monitor.web.errors import ApiError, classify
from monitor.web.highlight import highlight, link
from monitor.web.paging import decode_cursor, encode_cursor
from monitor.web.session import LoginNeeded, Viewer, same_origin, viewer
from monitor.web.views import stored_hits
from storage.browse import (
    Filters,
    Page,
    alert_delays,
    alerts_per_day,
    list_alerts,
    story_alerts,
    story_sources,
)
from storage.feed_days import feed_days
from storage.stories import get_story
from storage.watchlist_store import list_watchlists

router = APIRouter(include_in_schema=False)

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)
_env.globals.update(highlight=highlight, link=link)
templates = Jinja2Templates(env=_env)
PAGE_SIZE = 60


def when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


_env.filters["when"] = when


def render(
    request: Request, name: str, seen: Viewer | None, status: int = 200, **values: Any
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"viewer": seen, **values}, status_code=status)


def _day(text: str | None, field: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError as exc:
        raise ApiError(
            400, "invalid_request", f"{field}: '{text}' is not a date", "use YYYY-MM-DD"
        ) from exc


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/alerts", status_code=303)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    watchlist: Annotated[str, Query(max_length=200)] = "",
    source: Annotated[str, Query(max_length=300)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    seen = viewer(request)
    ctx = seen.ctx
    end = _day(until, "until")
    filters = Filters(
        watchlist=watchlist or None,
        source=source or None,
        since=_day(since, "since"),
        until=end + timedelta(days=1) if end else None,
    )
    found = list_alerts(
        ctx.engine, filters, Page(PAGE_SIZE, decode_cursor(cursor) if cursor else None)
    )
    sources = story_sources(ctx.engine, sorted({a.story.id for a in found}))
    older = ""
    if len(found) == PAGE_SIZE:
        shown = {"watchlist": watchlist, "source": source, "since": since, "until": until}
        query = {k: v for k, v in shown.items() if v}
        query["cursor"] = encode_cursor(found[-1].created_at, found[-1].id)
        older = "/alerts?" + urlencode(query)
    return render(
        request,
        "alerts.html.j2",
        seen,
        clusters=group_alerts(found, sources),
        watchlists=[w.name for w in list_watchlists(ctx.engine)],
        filters={"watchlist": watchlist, "source": source, "since": since, "until": until},
        older=older,
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: Id) -> HTMLResponse:
    seen = viewer(request)
    story = get_story(seen.ctx.engine, story_id)
    if story is None:
        raise NotFoundError(f"no story {story_id}", hint="the alerts page links to stored stories")
    found = story_alerts(seen.ctx.engine, story_id)
    matches = [{"alert": a, "hits": stored_hits(a.explanation)} for a in found]
    hits = [h for a in found for h in stored_hits(a.explanation)]
    return render(
        request,
        "story.html.j2",
        seen,
        story=story,
        hits=hits,
        matches=matches,
        sources=story_sources(seen.ctx.engine, [story_id])[story_id],
    )


@router.get("/charts", response_class=HTMLResponse)
def charts_page(request: Request, days: Annotated[int, Query(ge=7, le=90)] = 14) -> HTMLResponse:
    seen = viewer(request)
    today = seen.ctx.clock().astimezone(UTC).date()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = datetime.combine(span[0], datetime.min.time(), UTC)
    counts = alerts_per_day(seen.ctx.engine, start)
    delays = alert_delays(seen.ctx.engine, start)
    health = feed_days(seen.ctx.engine, span[0])
    return render(
        request,
        "charts.html.j2",
        seen,
        days=days,
        per_day=charts.alerts_per_day(
            counts, span, f"Alerts per watchlist per day, last {days} days"
        ),
        delays=charts.histogram(
            charts.delay_buckets(delays), f"Time from publication to alert, last {days} days"
        ),
        delay_count=len(delays),
        health=charts.feed_states(
            health, span, f"Feeds by health at each day's last poll, last {days} days"
        ),
        worst=charts.worst_feeds(health),
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, next: Annotated[str, Query(max_length=500)] = "/alerts"
) -> HTMLResponse:
    return render(request, "login.html.j2", None, next=_local(next), failed=False)


def _local(path: str) -> str:
    """Only a path on this server (no //other.example, no scheme) is a place to return to."""
    return (
        path
        if path.startswith("/") and not path.startswith("//") and "\\" not in path
        else "/alerts"
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    token: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/alerts",
) -> Response:
    ctx = context(request)
    if not same_origin(request):
        raise ApiError(403, "forbidden", "this form was sent from another site", "")
    if ctx.access.read_only:
        raise ApiError(
            403,
            "read_only",
            "there is nothing to log in to: no admin token is set",
            "set NEWSWATCH_ADMIN_TOKEN (or NEWSWATCH_ADMIN_TOKEN_FILE) and restart newswatch",
        )
    if not ctx.access.token_matches(token):
        return render(request, "login.html.j2", None, status=401, next=_local(next), failed=True)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        ctx.access.new_session(time.time()),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/alerts", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def install(app: FastAPI) -> None:
    """The console's answers to errors: a page, not JSON."""

    async def login_needed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginNeeded)
        return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)

    async def refused(request: Request, exc: Exception) -> Response:
        if isinstance(exc, ApiError):
            status, message, hint = exc.status, exc.message, exc.hint
        else:
            assert isinstance(exc, NewswatchError)
            status, message, hint = classify(exc)[0], exc.message, exc.hint
        return render(
            request, "error.html.j2", None, status=status, message=message, hint=hint or ""
        )

    app.add_exception_handler(LoginNeeded, login_needed)
    app.add_exception_handler(ApiError, refused)
    app.add_exception_handler(NewswatchError, refused)
