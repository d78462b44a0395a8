"""What every route needs: the running server's context, and the access checks as dependencies.

No I/O of its own. ``WebContext`` is built once by ``app.create_app`` and kept on
the application; ``reader`` and ``admin`` are FastAPI dependencies that apply
the rules of ``access``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.web.access import SESSION_COOKIE, TOKEN_HINT, Access
from monitor.web.errors import ApiError


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    engine: Engine
    access: Access
    clock: Callable[[], datetime]


def context(request: Request) -> WebContext:
    found = request.app.state.web
    assert isinstance(found, WebContext)
    return found


def signed_in(request: Request, ctx: WebContext) -> bool:
    """A valid bearer token, or a valid console session cookie."""
    access = ctx.access
    if access.bearer_matches(request.headers.get("authorization")):
        return True
    return access.session_valid(request.cookies.get(SESSION_COOKIE), time.time())


def reader(request: Request) -> WebContext:
    """Anyone on loopback; on another address only with the token."""
    ctx = context(request)
    if ctx.access.public and not signed_in(request, ctx):
        raise ApiError(401, "unauthorized", "this server needs the admin token", TOKEN_HINT)
    return ctx


def admin(request: Request) -> WebContext:
    """A change: only with the admin token, given as a bearer token."""
    ctx = context(request)
    if ctx.access.read_only:
        raise ApiError(
            403,
            "read_only",
            "this server is read-only: no admin token is set",
            "set NEWSWATCH_ADMIN_TOKEN (or NEWSWATCH_ADMIN_TOKEN_FILE) and restart it",
        )
    if not ctx.access.bearer_matches(request.headers.get("authorization")):
        raise ApiError(401, "unauthorized", "this change needs the admin token", TOKEN_HINT)
    return ctx


Reader = Annotated[WebContext, Depends(reader)]
Admin = Annotated[WebContext, Depends(admin)]

Id = Annotated[int, Path(ge=1, le=2**53, description="A numeric id.")]
