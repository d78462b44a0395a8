"""``/api/v1/stories`` and ``/api/v1/alerts``: search stored stories and what was caught.

Does I/O (the database). Filters by watchlist, source, language, text and
time; newest first, in pages (``cursor``). One story comes with its sources
and the watchlists that caught it, with the words that made them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from monitor.config import parse_age
from monitor.errors import NotFoundError
from monitor.web.deps import Admin, Id, Reader
from monitor.web.paging import MAX_LIMIT, answer, page
from monitor.web.views import alert_view, source_view, story_view
from storage.browse import Filters, find_stories, list_alerts, story_alerts, story_sources
from storage.stories import get_story

router = APIRouter(tags=["stories"])


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass(frozen=True)
class Query_:
    filters: Filters
    limit: int
    cursor: str | None


def story_query(
    watchlist: Annotated[str | None, Query(max_length=200, description="Caught by it")] = None,
    source: Annotated[str | None, Query(max_length=300, description="The outlet's name")] = None,
    language: Annotated[str | None, Query(max_length=20, description="e.g. en, es")] = None,
    q: Annotated[str | None, Query(max_length=300, description="Words in title or summary")] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601; UTC if no offset")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601; UTC if no offset")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of a page")
    ] = None,
) -> Query_:
    filters = Filters(
        watchlist=watchlist or None,
        source=source or None,
        language=language or None,
        query=q or None,
        since=_utc(since),
        until=_utc(until),
    )
    return Query_(filters, limit, cursor)


StoryQuery = Annotated[Query_, Depends(story_query)]


@router.get("/stories", summary="Search stored stories, newest first")
def search(ctx: Reader, query: StoryQuery) -> dict[str, Any]:
    stories = find_stories(ctx.engine, query.filters, page(query.limit, query.cursor))
    keys = [(s.first_seen_at, s.id) for s in stories]
    return answer([story_view(s) for s in stories], keys, query.limit)


@router.get("/stories/{story_id}", summary="One story, its sources, and why it matched")
def show(story_id: Id, ctx: Reader) -> dict[str, Any]:
    story = get_story(ctx.engine, story_id)
    if story is None:
        raise NotFoundError(f"no story {story_id}", hint="GET /api/v1/stories finds story ids")
    alerts = story_alerts(ctx.engine, story_id)
    sources = story_sources(ctx.engine, [story_id])[story_id]
    return {
        **story_view(story),
        "sources": [source_view(s) for s in sources],
        "matches": [{k: v for k, v in alert_view(a).items() if k != "story"} for a in alerts],
    }


@router.post("/stories/prune", summary="Delete stories older than an age; they never alert again")
def prune(
    ctx: Admin,
    older_than: Annotated[str, Query(pattern=r"^[0-9]{1,4}[dhw]$", description="e.g. 90d")] = "90d",
) -> dict[str, Any]:
    from storage.retention import prune_stories

    now = ctx.clock()
    summary = prune_stories(ctx.engine, now - parse_age(older_than), now)
    return {"stories": summary.stories, "tombstones": summary.tombstones}


@router.get("/alerts", summary="Stories the watchlists caught, newest first")
def alerts(ctx: Reader, query: StoryQuery) -> dict[str, Any]:
    found = list_alerts(ctx.engine, query.filters, page(query.limit, query.cursor))
    keys = [(a.created_at, a.id) for a in found]
    return answer([alert_view(a) for a in found], keys, query.limit)
