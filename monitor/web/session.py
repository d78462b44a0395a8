"""The console's side of access: who is looking, and whether a form may change anything.

No I/O. A page gets a ``Viewer``; a form that changes something passes
``check_change``: a valid session, its CSRF token, and (when the browser says)
the same origin. The rules themselves live in ``access``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request

from monitor.web.access import SESSION_COOKIE
from monitor.web.deps import WebContext, context
from monitor.web.errors import ApiError


@dataclass(frozen=True)
class Viewer:
    ctx: WebContext
    signed_in: bool
    csrf: str  # "" when not signed in

    @property
    def can_change(self) -> bool:
        return self.signed_in

    @property
    def read_only_server(self) -> bool:
        return self.ctx.access.read_only


class LoginNeeded(Exception):
    """The page needs a signed-in viewer (a server on a non-loopback address)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def viewer(request: Request) -> Viewer:
    ctx = context(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    signed = ctx.access.session_valid(cookie, time.time())
    if ctx.access.public and not signed:
        raise LoginNeeded(request.url.path)
    return Viewer(ctx, signed, ctx.access.csrf_token(cookie) if signed and cookie else "")


def same_origin(request: Request) -> bool:
    """False when the browser says the form came from another site."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", "")


def check_change(request: Request, csrf: str | None) -> Viewer:
    """Refuse a change without a session, without its CSRF token, or from another origin."""
    seen = viewer(request)
    if not same_origin(request):
        raise ApiError(403, "forbidden", "this form was sent from another site", "")
    if seen.ctx.access.read_only:
        raise ApiError(
            403,
            "read_only",
            "this console is read-only: no admin token is set",
            "set NEWSWATCH_ADMIN_TOKEN (or NEWSWATCH_ADMIN_TOKEN_FILE) and restart newswatch",
        )
    if not seen.signed_in:
        raise ApiError(401, "unauthorized", "log in to change anything", "use the log-in page")
    if not seen.ctx.access.csrf_valid(request.cookies.get(SESSION_COOKIE), csrf):
        raise ApiError(
            403,
            "forbidden",
            "the form's CSRF token is missing or stale",
            "reload the page and try again",
        )
    return seen
