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

from monitor.errors import FeedError, FetchError, ParseError
from monitor.parse.canonical import canonical_url
from monitor.parse.decode import decode_all
from monitor.parse.jsonfeed import is_json_feed, read_json_feed
from monitor.parse.story import Story

MAX_SUMMARY_CHARS = 4000
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)
_ROOT_START = re.compile(r"<[A-Za-z_]")
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_TAG = re.compile(r"<[^>]{0,2000}>")
_BLOCK_TAG = re.compile(r"</?(p|br|div|li|h[1-6]|tr|blockquote)\b[^>]*>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)
_DECLARED = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_ONE_BYTE = {"windows-1252", "cp1252", "iso-8859-1", "iso-8859-15", "latin-1", "latin1", "us-ascii"}
_PERIODS = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200, "yearly": 525600}
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    language: str | None
    stories: tuple[Story, ...]
    ttl_minutes: int | None = None  # RSS <ttl>
    update_minutes: int | None = None  # sy:updatePeriod / sy:updateFrequency


def parse_feed(
    body: bytes,
    headers: dict[str, str],
    feed_url: str,
    now: datetime,
    max_bytes: int = 10 * 1024 * 1024,
) -> ParsedFeed:
    """Parse one response body; raise ``ParseError`` with a readable reason if it is no feed."""
    if body[:2] == GZIP_MAGIC:  # a compressed file, or a server that forgot Content-Encoding
        body = decode_all([body], "gzip", max_bytes, feed_url)
    if not body.strip():
        raise ParseError("the server sent an empty body", url=feed_url)
    head = body[:65536]
    if is_json_feed(head, headers):
        channel, entries = read_json_feed(body, feed_url)
        return _build(channel, entries, feed_url, now)
    screen_entities(body, feed_url)
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=_charset_fixed(body, headers),
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    channel = parsed.get("feed", {})
    entries = parsed.get("entries", [])
    if not entries and not channel.get("title"):
        if _HTML_START.search(head):
            raise ParseError(
                "this is an HTML page, not a feed",
                url=feed_url,
                hint='use the page\'s RSS or Atom link (look for <link rel="alternate">)',
            )
        if not parsed.get("version") or parsed.get("bozo"):
            reason = parsed.get("bozo_exception") or "no items, no title, no RSS or Atom root"
            raise ParseError(
                f"not a readable feed ({reason})",
                url=feed_url,
                hint="open the address in a browser: it should show RSS, Atom or JSON Feed",
            )
    return _build(channel, entries, feed_url, now)


def _build(channel: Any, entries: list[Any], feed_url: str, now: datetime) -> ParsedFeed:
    language = _language(channel.get("language"))
    title = clean_text(channel.get("title", ""))
    source = title or feed_url
    stories = tuple(_story(e, feed_url, source, language, now) for e in entries)
    ttl = channel.get("ttl")
    return ParsedFeed(
        title=title,
        language=language,
        stories=stories,
        ttl_minutes=int(ttl) if isinstance(ttl, str) and ttl.strip().isdigit() else None,
        update_minutes=update_period_minutes(
            channel.get("sy_updateperiod"), channel.get("sy_updatefrequency")
        ),
    )


def update_period_minutes(period: Any, frequency: Any) -> int | None:
    """``sy:updatePeriod`` / ``sy:updateFrequency`` as minutes between updates."""
    minutes = _PERIODS.get(str(period or "").strip().lower())
    if minutes is None:
        return None
    text = str(frequency or "1").strip()
    count = int(text) if text.isdigit() and int(text) > 0 else 1
    return max(1, minutes // count)


def _charset_fixed(body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """A document declared as a one-byte charset whose bytes are valid UTF-8 is UTF-8.

    Publishers copy a ``windows-1252`` prolog onto UTF-8 output; reading it as
    declared turns every accented letter into two (``â‚¬`` for ``€``).
    """
    declared = _DECLARED.search(body[:200])
    content_type = headers.get("content-type", "")
    charset = _CHARSET.search(content_type)
    names = {m.group(1).decode().lower() for m in (declared,) if m}
    if charset:
        names.add(charset.group(1).lower())
    if not names or not names <= _ONE_BYTE or body.isascii():
        return headers
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return headers
    return {**headers, "content-type": "application/xml; charset=utf-8"}


def screen_entities(body: bytes, feed_url: str) -> None:
    """Refuse a document whose prolog declares entities (billion laughs, XXE, blow-ups).

    Only the prolog, before the root element, can declare entities; it is read
    in the document's own encoding (UTF-16 and UTF-32 too), so a declaration
    cannot hide behind a byte-order mark. A plain DOCTYPE (RSS 0.91) passes.
    """
    encoding = next((name for bom, name in _BOMS if body.startswith(bom)), "latin-1")
    text = body.decode(encoding, errors="replace") if encoding != "latin-1" else None
    if text is None:
        root = re.search(rb"<[A-Za-z_]", body)
        prolog = body[: root.start()] if root else body
        declares = re.search(rb"<!ENTITY", prolog, re.IGNORECASE) is not None
    else:
        found = _ROOT_START.search(text)
        declares = _ENTITY_DECL.search(text[: found.start()] if found else text) is not None
    if declares:
        raise ParseError(
            "refused: the document declares XML entities",
            url=feed_url,
            hint="feeds do not need entity declarations; ask the publisher to remove them",
        )


def _story(entry: Any, feed_url: str, source: str, language: str | None, now: datetime) -> Story:
    title = clean_text(entry.get("title", ""))
    summary = clean_text(entry.get("summary", "") or _first_content(entry))[:MAX_SUMMARY_CHARS]
    link = _control_free(str(entry.get("link", "") or "")).strip()[:2000]
    guid = _control_free(str(entry.get("id", "") or "")).strip()
    if not guid:
        guid = link or "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode()).hexdigest()
    return Story(
        feed_url=feed_url,
        guid=guid[:1000],
        url=link,
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


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """A ``FeedError`` carried back from a worker process as plain data."""

    kind: str  # "parse" or "fetch"
    message: str
    hint: str | None


def parse_in_worker(
    body: bytes, headers: dict[str, str], feed_url: str, now: datetime, max_bytes: int
) -> ParsedFeed | ParseFailure:
    """``parse_feed`` for a process pool: errors come back as values (they pickle)."""
    try:
        return parse_feed(body, headers, feed_url, now, max_bytes)
    except FeedError as exc:
        kind = "fetch" if isinstance(exc, FetchError) else "parse"
        return ParseFailure(kind, exc.message, exc.hint)


def raise_failure(failure: ParseFailure, feed_url: str) -> None:
    error = FetchError if failure.kind == "fetch" else ParseError
    raise error(failure.message, url=feed_url, hint=failure.hint)
