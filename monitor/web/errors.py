"""One JSON error shape for the API: ``{"error": code, "message": what, "hint": how to fix}``.

No I/O. newswatch's own errors keep their message and hint (they are written
for people and never carry secrets: URLs in them are redacted where they are
raised); an unexpected error says only that it happened, never its text.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from monitor.errors import (
    ConfigError,
    DeliveryError,
    FeedError,
    NewswatchError,
    NotFoundError,
    StorageError,
    UnknownWatchlistError,
    WatchlistError,
)

log = logging.getLogger(__name__)

# Most specific first: the first class an error is an instance of decides.
STATUS: tuple[tuple[type[NewswatchError], int, str], ...] = (
    (WatchlistError, 422, "invalid_watchlist"),
    (UnknownWatchlistError, 404, "not_found"),
    (NotFoundError, 404, "not_found"),
    (ConfigError, 400, "invalid_request"),
    (FeedError, 502, "feed_unreachable"),
    (DeliveryError, 502, "delivery_failed"),
    (StorageError, 503, "storage_unavailable"),
)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An error a route raises on purpose, with its HTTP status."""

    def __init__(self, status: int, error: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.hint = hint


def body(error: str, message: str, hint: str | None) -> dict[str, Any]:
    return {"error": error, "message": message, "hint": hint or ""}


def classify(exc: NewswatchError) -> tuple[int, str]:
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            return status, code
    return 400, "invalid_request"


def _json(
    status: int, content: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(status_code=status, content=content, headers=headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return _json(exc.status, body(exc.error, exc.message, exc.hint), headers)


async def _newswatch_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NewswatchError)
    status, code = classify(exc)
    return _json(status, body(code, exc.message, exc.hint))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ()))
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    return _json(
        422,
        body(
            "invalid_request",
            "; ".join(parts) or "the request is not valid",
            "see /api/v1/openapi.json for the expected parameters and body",
        ),
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    hint = "see /api/v1/openapi.json for the routes" if exc.status_code in (404, 405) else ""
    return _json(exc.status_code, body(code, message, hint), getattr(exc, "headers", None))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("web request failed", exc_info=exc)
    return _json(
        500,
        body("internal", "the server met an unexpected error", "the server's log has the details"),
    )


def install(app: FastAPI) -> None:
    """Make every error of ``app`` answer in the one shape."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(NewswatchError, _newswatch_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
