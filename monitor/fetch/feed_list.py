"""The list of feeds as users change it: addresses checked, the feed behind a page, OPML imports.

Does I/O (the database; discovery fetches the page given; a local path is
looked up on disk). Used by ``newswatch feed …`` and ``/api/v1/feeds`` alike, so
an address one refuses the other refuses with the same message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import url2pathname

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.fetch.discovery import Discovery, discover
from monitor.fetch.http import fetch_policy, new_client
from monitor.parse.opml import Outline, default_feeds
from storage.feeds import add_feed, list_feeds, remove_feed

_FILE_SUFFIXES = (".xml", ".rss", ".atom", ".rdf", ".json", ".opml")


def normalize_url(text: str) -> str:
    """``HTTP://News.Example/RSS`` as ``http://news.example/RSS``: scheme and host are not
    case-sensitive, so one feed is not added twice for the way it was typed."""
    parts = urlsplit(text)
    netloc = parts.netloc
    if parts.hostname:
        user, at, host = netloc.rpartition("@")
        netloc = f"{user}{at}{host.lower()}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def check_feed_url(url: str, allow_local: bool = True) -> str:
    """An absolute http(s) URL, or (for offline use) a local file; say how to fix it if not.

    ``allow_local=False`` refuses local files: an OPML list or a web client may not
    make newswatch read its own disk.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    first = text.split("/", 1)[0]
    if not scheme and not Path(text).exists() and "." in first and " " not in text:
        if not first.startswith(".") and not first.lower().endswith(_FILE_SUFFIXES):
            raise ConfigError(  # news.example.org/rss: an address without its scheme
                f"'{url}' is not a feed address (no http:// or https://)",
                hint=f"did you mean https://{text}?",
            )
    looks_local = scheme == "file" or (not scheme and ("/" in text or Path(text).exists()))
    looks_local = looks_local or (not scheme and text.lower().endswith(_FILE_SUFFIXES))
    if allow_local and looks_local:
        path = Path(url2pathname(parts.path)) if scheme == "file" else Path(text)
        if not path.is_file():
            raise ConfigError(
                f"no file at {path}",
                hint="give the path of a saved feed file, or the feed's http(s) address",
            )
        return path.resolve().as_uri()
    if scheme not in ("http", "https") or not parts.hostname:
        hint = "give the full URL, e.g. https://example.com/rss.xml"
        if allow_local:
            hint += ", or the path of a feed file"
        raise ConfigError(f"'{url}' is not a feed address", hint=hint)
    return normalize_url(text)


def discover_feed(url: str, settings: Settings, now: datetime) -> Discovery:
    """Fetch ``url`` once (at ``now``): a feed (its address and title), or a page and its feeds.

    Raises ``FetchError`` or ``ParseError`` when it is neither.
    """

    async def run() -> Discovery:
        async with new_client(2) as client:
            return await discover(url, fetch_policy(settings), client, now)

    return asyncio.run(run())


@dataclass(frozen=True)
class Imported:
    """What an OPML import did: feeds added, already present, and skipped with the reason."""

    added: int = 0
    present: int = 0
    skipped: Sequence[tuple[str, str]] = field(default_factory=tuple)


def import_outlines(engine: Engine, outlines: Sequence[Outline], now: datetime) -> Imported:
    """Add every feed of an OPML list; an entry that is not an http(s) address is skipped.

    The addresses are not fetched: their errors show on the feed once it is polled.
    """
    added, present = 0, 0
    skipped: list[tuple[str, str]] = []
    for outline in outlines:
        try:
            url = check_feed_url(outline.url, allow_local=False)
        except ConfigError as exc:
            skipped.append((outline.url, exc.message))
            continue
        _, created = add_feed(engine, url, now, title=outline.title)
        added += created
        present += not created
    return Imported(added, present, tuple(skipped))


def drop_bundled(engine: Engine, keep: int) -> int:
    """Remove the bundled world-news feeds once a feed of one's own (``keep``) is added.

    They stood in while there were no feeds of one's own; their stories stay. Only
    when every other feed is exactly the bundled list; returns how many were removed.
    """
    bundled = {normalize_url(o.url) for o in default_feeds()}
    others = [f for f in list_feeds(engine) if f.id != keep]
    if not others or len(others) != len(bundled):
        return 0
    if {normalize_url(f.url) for f in others} != bundled:
        return 0
    for feed in others:
        remove_feed(engine, feed.id)
    return len(others)
