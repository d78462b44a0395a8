"""The ASGI application: the REST API under ``/api/v1`` and the console beside it.

No I/O at build time. Every answer carries a restrictive Content-Security-Policy
(no inline script, nothing from another origin) and the usual hardening
headers; the API's own OpenAPI document is at ``/api/v1/openapi.json`` (no
documentation page: those load their scripts from other sites).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.config import Settings
from monitor.web import (
    api_digests,
    api_feeds,
    api_stories,
    api_subscriptions,
    api_watchlists,
    errors,
    pages,
    pages_manage,
    pages_subscriptions,
    unsubscribe_page,
)
from monitor.web.access import Access
from monitor.web.deps import WebContext

API_PREFIX = "/api/v1"
STATIC = Path(__file__).parent / "static"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes browsers send "Origin: null"
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def build_api() -> FastAPI:
    api = FastAPI(
        title="newswatch",
        version="1",
        summary="Watchlists, feeds, subscriptions, digests and stories of a newswatch server.",
        description=(
            "Reads are open on a loopback address (and need the admin token on any other); "
            "every change needs `Authorization: Bearer <NEWSWATCH_ADMIN_TOKEN>`. "
            "Errors answer `{error, message, hint}`; lists answer `{items, next_cursor}`."
        ),
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    errors.install(api)
    for module in (api_watchlists, api_feeds, api_subscriptions, api_digests, api_stories):
        api.include_router(module.router)
    return api


def create_app(
    settings: Settings,
    engine: Engine,
    *,
    public: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The whole web application for one server (``public``: bound to a non-loopback address)."""
    web = WebContext(settings, engine, Access(settings.admin_token, public), clock)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.web = web
    api = build_api()
    api.state.web = web
    app.mount(API_PREFIX, api)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    pages.install(app)
    app.include_router(pages.router)
    app.include_router(pages_manage.router)
    app.include_router(pages_subscriptions.router)
    app.include_router(unsubscribe_page.router)

    @app.middleware("http")
    async def hardening(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.path.startswith(API_PREFIX):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
