"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1) read into feedparser-shaped entries.

Pure: bytes in, dictionaries out. ``monitor.parse.feed`` turns them into stories
exactly as it does RSS and Atom entries, so one set of cleaning rules applies.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from monitor.errors import ParseError

VERSION_PREFIX = "https://jsonfeed.org/version/"
_JSON_TYPES = ("application/feed+json", "application/json", "text/json")


def is_json_feed(head: bytes, headers: dict[str, str]) -> bool:
    """Whether a body should be read as JSON: its type says so, or it starts with ``{``."""
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type in _JSON_TYPES:
        return True
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def read_json_feed(body: bytes, feed_url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The channel and its entries, with the keys feedparser would use."""
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(
            f"not a readable JSON Feed ({exc.__class__.__name__}: {str(exc)[:120]})",
            url=feed_url,
            hint="the body looks like JSON but does not parse; check it with a JSON validator",
        ) from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        VERSION_PREFIX
    ):
        raise ParseError(
            "this is JSON, but not a JSON Feed (no jsonfeed.org version)",
            url=feed_url,
            hint="use the site's RSS, Atom or JSON Feed address",
        )
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("the JSON Feed has no 'items' list", url=feed_url)
    channel = {"title": _text(document.get("title")), "language": _text(document.get("language"))}
    entries = [_entry(item) for item in items if isinstance(item, dict)]
    return channel, entries


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    summary = item.get("summary") or item.get("content_text") or item.get("content_html") or ""
    url = _text(item.get("url")) or _text(item.get("external_url"))
    return {
        "id": _text(item.get("id")) or url,
        "link": url,
        "title": _text(item.get("title")),
        "summary": _text(summary),
        "language": _text(item.get("language")),
        "published_parsed": _date(item.get("date_published")),
        "updated_parsed": _date(item.get("date_modified")),
    }


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def _date(value: Any) -> time.struct_time | None:
    """An RFC 3339 date as a UTC ``struct_time`` (what feedparser hands back), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).timetuple()
