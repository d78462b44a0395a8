"""``/api/v1/watchlists``: list, show, create, update, delete, validate, test, backtest, export.

Does I/O (the database; a URL to test is fetched). Uses the CLI's library
calls: ``parse_watchlist`` validates, ``storage.watchlist_store`` stores,
``compile_watchlists`` matches, ``monitor.matching.tryout`` backtests.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from monitor.config import parse_age
from monitor.errors import ConfigError, UnknownWatchlistError, WatchlistError
from monitor.matching.tryout import Tryout, try_watchlist
from monitor.web.deps import Admin, Reader, WebContext
from monitor.web.errors import ApiError
from monitor.web.views import hit_view, story_view
from storage.records import WatchlistRecord
from storage.stories import recent_stories
from storage.watchlist_store import (
    delete_watchlist,
    get_watchlist,
    list_watchlists,
    save_watchlist,
    set_enabled,
)
from watchlists.builtin import builtin_watchlist_texts
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists
from watchlists.model import Watchlist

router = APIRouter(prefix="/watchlists", tags=["watchlists"])

MAX_YAML = 512 * 1024
AGE = r"^[0-9]{1,4}[dhw]$"


class WatchlistText(BaseModel):
    text: str = Field(max_length=MAX_YAML, description="The watchlist as YAML.")


class TryText(WatchlistText):
    since: str = Field("7d", pattern=AGE, description="How far back: 7d, 12h, 2w.")


class Documents(BaseModel):
    name: str = Field(max_length=100, description="The draft's name, e.g. quito-raid.")
    urls: list[str] = Field(default_factory=list, max_length=20, description="Web pages.")
    texts: list[str] = Field(
        default_factory=list, max_length=20, description="Pasted texts (plain, Markdown or HTML)."
    )
    max_names: int = Field(80, ge=0, le=500)
    max_phrases: int = Field(25, ge=0, le=200)


def _web_address(url: str) -> str:
    """Only http(s) addresses: a web client may not make the server read its own files."""
    from monitor.fetch.documents import is_url

    if not is_url(url):
        raise ConfigError(
            f"'{url[:200]}' is not an http(s) address", hint="e.g. https://example.org/page"
        )
    return url


class TestInput(BaseModel):
    title: str = Field("", max_length=10_000)
    text: str = Field("", max_length=200_000, description="The body (summary) to test.")
    url: str | None = Field(None, max_length=2_000, description="A web page to fetch and test.")


def _description(record: WatchlistRecord) -> str:
    try:
        return parse_watchlist(record.text, record.name).description
    except WatchlistError:
        return "(invalid: replace it with a valid text)"


def summary_view(record: WatchlistRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "version": record.version,
        "enabled": record.enabled,
        "builtin": record.builtin,
        "updated_at": record.updated_at.isoformat() if record.updated_at else None,
        "description": _description(record),
    }


def require(ctx: WebContext, name: str) -> WatchlistRecord:
    record = get_watchlist(ctx.engine, name)
    if record is None:
        known = ", ".join(w.name for w in list_watchlists(ctx.engine)) or "none"
        raise UnknownWatchlistError(f"no watchlist '{name}'", hint=f"known watchlists: {known}")
    return record


def validation(text: str) -> dict[str, Any]:
    """Whether a YAML text is a valid watchlist; if not, the error with its line."""
    try:
        watchlist = parse_watchlist(text, "watchlist")
    except WatchlistError as exc:
        return {
            "valid": False,
            "name": None,
            "errors": [{"message": exc.message, "line": exc.line, "hint": exc.hint or ""}],
        }
    return {"valid": True, "name": watchlist.name, "errors": []}


def tryout(ctx: WebContext, watchlist: Watchlist, since: str) -> Tryout:
    """The watchlist run over the stories stored in the last ``since``."""
    stories = recent_stories(ctx.engine, ctx.clock() - parse_age(since))
    return try_watchlist(watchlist, stories)


def tryout_view(result: Tryout, since: str) -> dict[str, Any]:
    return {
        "watchlist": result.watchlist,
        "since": since,
        "stories": result.stories,
        "caught": [
            {
                "story": story_view(c.story),
                "score": round(c.match.score, 3),
                "terms": list(c.match.terms),
                "hits": [hit_view(h) for h in c.match.hits],
            }
            for c in result.caught
        ],
        "near_misses": [
            {
                "story": story_view(n.story),
                "hits": [hit_view(h) for h in n.diagnosis.hits],
                "reasons": n.reasons,
            }
            for n in result.near_misses
        ],
    }


@router.get("", summary="List watchlists")
def list_all(ctx: Reader) -> dict[str, Any]:
    return {"items": [summary_view(r) for r in list_watchlists(ctx.engine)], "next_cursor": None}


@router.get("/schema", summary="The JSON Schema of the watchlist format")
def schema(ctx: Reader) -> dict[str, Any]:
    from watchlists.schema import watchlist_json_schema

    return watchlist_json_schema()


@router.post("/validate", summary="Check a watchlist text without saving it")
def validate(body: WatchlistText, ctx: Reader) -> dict[str, Any]:
    return validation(body.text)


@router.post("/try", summary="Run an unsaved watchlist text over recent stored stories")
def try_draft(body: TryText, ctx: Reader) -> dict[str, Any]:
    watchlist = parse_watchlist(body.text, "watchlist")
    return tryout_view(tryout(ctx, watchlist, body.since), body.since)


@router.post("/build", summary="Draft a watchlist from web pages or pasted texts, to review")
def build(body: Documents, ctx: Reader) -> Response:
    from monitor.fetch.documents import load_documents
    from watchlists.builder import SourceText, build_watchlist_yaml, check_name

    check_name(body.name)
    if not body.urls and not body.texts:
        raise ConfigError("no documents given", hint="give urls or texts")
    sources = (
        load_documents([_web_address(u) for u in body.urls], ctx.settings) if body.urls else []
    )
    sources += [SourceText(f"text {n}", t) for n, t in enumerate(body.texts, start=1)]
    text = build_watchlist_yaml(sources, body.name, body.max_names, body.max_phrases)
    return Response(text, media_type="application/yaml; charset=utf-8")


@router.post("", status_code=201, summary="Create a watchlist")
def create(body: WatchlistText, ctx: Admin) -> dict[str, Any]:
    watchlist = parse_watchlist(body.text, "watchlist")
    if get_watchlist(ctx.engine, watchlist.name) is not None:
        raise ApiError(
            409,
            "conflict",
            f"a watchlist named '{watchlist.name}' exists",
            f"PUT /api/v1/watchlists/{watchlist.name} replaces it",
        )
    record = save_watchlist(ctx.engine, watchlist.name, body.text, ctx.clock())
    return {**summary_view(record), "text": record.text}


@router.get("/{name}", summary="Show a watchlist with its YAML")
def show(name: str, ctx: Reader) -> dict[str, Any]:
    record = require(ctx, name)
    return {**summary_view(record), "text": record.text}


@router.get("/{name}/export", summary="The watchlist's YAML, as a file")
def export(name: str, ctx: Reader) -> Response:
    record = require(ctx, name)
    return Response(
        record.text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{record.name}.yaml"'},
    )


@router.put("/{name}", summary="Create or replace a watchlist (a changed text is a new version)")
def update(name: str, body: WatchlistText, ctx: Admin) -> dict[str, Any]:
    watchlist = parse_watchlist(body.text, "watchlist")
    if watchlist.name != name:
        raise ConfigError(
            f"the text names the watchlist '{watchlist.name}', not '{name}'",
            hint="keep the name, or create it as a new watchlist with POST /api/v1/watchlists",
        )
    record = save_watchlist(ctx.engine, name, body.text, ctx.clock())
    return {**summary_view(record), "text": record.text}


@router.delete("/{name}", summary="Delete a watchlist (its stored matches stay)")
def remove(name: str, ctx: Admin) -> dict[str, Any]:
    require(ctx, name)
    delete_watchlist(ctx.engine, name)
    return {"removed": name}


@router.post("/{name}/enable", summary="Match stories against this watchlist again")
def enable(name: str, ctx: Admin) -> dict[str, Any]:
    require(ctx, name)
    set_enabled(ctx.engine, name, True)
    return summary_view(require(ctx, name))


@router.post("/{name}/disable", summary="Stop matching against this watchlist (it is kept)")
def disable(name: str, ctx: Admin) -> dict[str, Any]:
    require(ctx, name)
    set_enabled(ctx.engine, name, False)
    return summary_view(require(ctx, name))


@router.post("/{name}/reset", summary="Put a built-in watchlist back to the shipped text")
def reset(name: str, ctx: Admin) -> dict[str, Any]:
    shipped = builtin_watchlist_texts()
    if name not in shipped:
        raise UnknownWatchlistError(
            f"'{name}' is not a built-in watchlist", hint=f"built-ins: {', '.join(sorted(shipped))}"
        )
    record = save_watchlist(ctx.engine, name, shipped[name], ctx.clock(), builtin=True)
    return summary_view(record)


@router.post("/{name}/test", summary="Whether and why a text or a web page matches")
def test(name: str, body: TestInput, ctx: Reader) -> dict[str, Any]:
    if not (body.title or body.text or body.url):
        raise ConfigError("nothing to test", hint="give title, text or url")
    text = body.text
    if body.url:
        from monitor.fetch.documents import load_documents
        from watchlists.textformats import to_plain

        (source,) = load_documents([_web_address(body.url)], ctx.settings)
        text = to_plain(source.text, source.format, source.name).text
    matcher = compile_watchlists([parse_watchlist(require(ctx, name).text, name)])
    found = matcher.match(body.title, text, None)
    diagnosis = matcher.diagnose(name, body.title, text, None)
    return {
        "watchlist": name,
        "matched": bool(found),
        "score": round(found[0].score, 3) if found else None,
        "hits": [hit_view(h) for h in (found[0].hits if found else diagnosis.hits)],
        "explanation": diagnosis.explain(),
    }


@router.get(
    "/{name}/backtest", summary="What the watchlist caught and nearly caught in stored stories"
)
def backtest(
    name: str,
    ctx: Reader,
    since: str = Query("30d", pattern=AGE, description="How far back: 30d, 12h, 2w."),
) -> dict[str, Any]:
    watchlist = parse_watchlist(require(ctx, name).text, name)
    return tryout_view(tryout(ctx, watchlist, since), since)
