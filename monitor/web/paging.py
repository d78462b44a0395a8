"""Cursor pagination for the API: an opaque cursor names the last row of the previous page.

Pure. A cursor is the URL-safe base64 of ``[time, id]`` (the id a
number, or text for digests); a page answers
``{"items": [...], "next_cursor": "…" | null}``; a cursor that cannot be read
is a 400 in the one error shape.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from monitor.web.errors import ApiError
from storage.browse import Page

MAX_LIMIT = 200


def encode_cursor(when: datetime, row_id: int | str) -> str:
    raw = json.dumps([when.astimezone(UTC).isoformat(), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")


def _refused() -> ApiError:
    return ApiError(
        400,
        "invalid_cursor",
        "the cursor is not one this server gave out",
        "start again without a cursor, then pass each page's next_cursor unchanged",
    )


def _decode(cursor: str, kind: type) -> tuple[datetime, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, row_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        parsed = datetime.fromisoformat(when)
        if parsed.tzinfo is None or not isinstance(row_id, kind) or isinstance(row_id, bool):
            raise ValueError("not a cursor")
        return parsed, row_id
    except (ValueError, TypeError, UnicodeError, binascii.Error) as exc:
        raise _refused() from exc


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (time, numeric id) a cursor names; ``ApiError`` 400 if it is not one of ours."""
    when, row_id = _decode(cursor, int)
    return when, int(row_id)


def decode_text_cursor(cursor: str) -> tuple[datetime, str]:
    """The (time, text id) a cursor names, for rows keyed by text (digests: ``nwd_…``)."""
    when, row_id = _decode(cursor, str)
    if not 0 < len(row_id) <= 100:
        raise _refused()
    return when, str(row_id)


def page(limit: int, cursor: str | None) -> Page:
    return Page(limit=limit, after=decode_cursor(cursor) if cursor else None)


def answer(
    items: Sequence[Any], rows: Sequence[tuple[datetime, int | str]], limit: int
) -> dict[str, Any]:
    """A page of ``items``; ``rows`` are their (time, id) keys, for the next cursor."""
    next_cursor = encode_cursor(*rows[-1]) if len(rows) == limit and rows else None
    return {"items": list(items), "next_cursor": next_cursor}
