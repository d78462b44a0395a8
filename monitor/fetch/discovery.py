"""Finding a site's feed: ``newswatch feed add https://site/`` reads the page's feed links.

Does I/O: fetches the page through ``monitor.fetch.http`` (the same guard, deadline
and size cap as every feed), then reads ``<link rel="alternate">`` elements
pointing at RSS, Atom or JSON Feed. A URL that already is a feed is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from monitor.errors import FeedError, ParseError
from monitor.fetch.http import FetchPolicy, FetchResult, fetch_feed
from monitor.parse.feed import parse_feed

FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RSS 1.0",
}


@dataclass(frozen=True, slots=True)
class FeedLink:
    url: str
    title: str
    kind: str


@dataclass(frozen=True, slots=True)
class Discovery:
    """What ``url`` turned out to be: a feed itself, or a page listing ``links``."""

    url: str
    is_feed: bool
    title: str
    links: tuple[FeedLink, ...]


class _LinkReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and values.get("href") and self.base is None:
            self.base = values["href"]
        if tag != "link":
            return
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";", 1)[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES and values.get("href"):
            self.links.append((values["href"].strip(), values.get("title", "").strip(), kind))


def feed_links(html_text: str, page_url: str) -> list[FeedLink]:
    """Every feed ``<link rel="alternate">`` of a page, absolute, in page order, no repeats."""
    reader = _LinkReader()
    reader.feed(html_text[:2_000_000])
    base = urljoin(page_url, reader.base) if reader.base else page_url
    seen: dict[str, FeedLink] = {}
    for href, title, kind in reader.links:
        url = urljoin(base, href)
        if urlsplit(url).scheme in ("http", "https") and url not in seen:
            seen[url] = FeedLink(url, title, FEED_TYPES[kind])
    return list(seen.values())


def _page_text(result: FetchResult) -> str:
    charset = re.search(r"charset=([\w.-]+)", result.headers.get("content-type", ""), re.I)
    try:
        return result.body.decode(charset.group(1) if charset else "utf-8", errors="replace")
    except LookupError:
        return result.body.decode("utf-8", errors="replace")


async def discover(
    url: str, policy: FetchPolicy, client: httpx.AsyncClient, now: datetime
) -> Discovery:
    """Fetch ``url``; if it is a feed say so, else list the feeds its page links to.

    ``now`` is the caller's clock (it dates the feed's undated items while reading it).
    """
    result = await fetch_feed(client, url, policy, now=now)
    final = result.permanent_redirect or url
    try:
        parsed = parse_feed(result.body, result.headers, final, now)
    except FeedError:
        parsed = None
    if parsed is not None:
        return Discovery(final, True, parsed.title, ())
    links = feed_links(_page_text(result), result.url)
    if not links:
        raise ParseError(
            "this page is not a feed and links to none",
            url=url,
            hint="look for an RSS or Atom link on the site and add that address",
        )
    return Discovery(final, False, "", tuple(links))
