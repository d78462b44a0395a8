"""Parsing feed bytes into normalized stories.

Pure (CPU only): feedparser gets the body as a file object, never as a str
(it would treat a str as a path or URL). Entity declarations are screened
out before parsing; titles and summaries become plain text without control
characters; dates outside reason become None (first-seen time stands in).
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from monitor.canonical import canonical_url
from monitor.errors import ParseError
from monitor.story import Story

MAX_SUMMARY_CHARS = 4000
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,2000}>")
_BLOCK_TAG = re.compile(r"</?(p|br|div|li|h[1-6]|tr|blockquote)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    language: str | None
    stories: tuple[Story, ...]
    ttl_minutes: int | None = None


def parse_feed(body: bytes, headers: dict[str, str], feed_url: str, now: datetime) -> ParsedFeed:
    """Parse one response body; raise ``ParseError`` with a readable reason if it is no feed."""
    if not body.strip():
        raise ParseError("the server sent an empty body", url=feed_url)
    head = body[:65536]
    if _ENTITY_DECL.search(head):
        raise ParseError(
            "refused: the document declares XML entities",
            url=feed_url,
            hint="feeds do not need entity declarations; ask the publisher to remove them",
        )
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    channel: Any = parsed.get("feed", {})
    entries: list[Any] = parsed.get("entries", [])
    if not entries and not channel.get("title"):
        if _HTML_START.search(head):
            raise ParseError(
                "this is an HTML page, not a feed",
                url=feed_url,
                hint='use the page\'s RSS or Atom link (look for <link rel="alternate">)',
            )
        reason = parsed.get("bozo_exception")
        raise ParseError(f"not a readable feed ({reason or 'no items and no title'})", url=feed_url)
    language = _language(channel.get("language"))
    title = clean_text(channel.get("title", ""))
    source = title or feed_url
    stories = tuple(_story(e, feed_url, source, language, now) for e in entries)
    ttl = channel.get("ttl")
    return ParsedFeed(
        title=title,
        language=language,
        stories=stories,
        ttl_minutes=int(ttl) if isinstance(ttl, str) and ttl.isdigit() else None,
    )


def _story(entry: Any, feed_url: str, source: str, language: str | None, now: datetime) -> Story:
    title = clean_text(entry.get("title", ""))
    summary = clean_text(entry.get("summary", "") or _first_content(entry))[:MAX_SUMMARY_CHARS]
    link = _control_free(str(entry.get("link", "") or "")).strip()
    guid = _control_free(str(entry.get("id", "") or "")).strip()
    if not guid:
        guid = link or "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode()).hexdigest()
    return Story(
        feed_url=feed_url,
        guid=guid[:1000],
        url=link[:2000],
        canonical_url=canonical_url(link) if link else "",
        title=title[:1000],
        summary=summary,
        published=checked_date(entry.get("published_parsed") or entry.get("updated_parsed"), now),
        source=source[:300],
        language=_language(entry.get("language")) or language,
    )


def _first_content(entry: Any) -> str:
    content = entry.get("content") or []
    return str(content[0].get("value", "")) if content else ""


def clean_text(value: str) -> str:
    """HTML to one line of plain text: tags dropped, entities decoded, control characters gone."""
    text = _BLOCK_TAG.sub(" ", str(value))
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return _SPACE.sub(" ", _control_free(text)).strip()


def _control_free(text: str) -> str:
    return _CONTROL.sub(" ", text)


def checked_date(parsed: time.struct_time | None, now: datetime) -> datetime | None:
    """A publisher's date if it is plausible (after 1995, not in the future), else None."""
    if parsed is None:
        return None
    try:
        when = datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    if when < EARLIEST or when > now + FUTURE_SLACK:
        return None
    return when


def _language(value: Any) -> str | None:
    if not value or not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None
