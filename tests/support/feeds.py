"""Building small RSS documents for tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    summary: str
    link: str
    published: datetime = datetime(2024, 4, 6, 4, 0, tzinfo=UTC)


def rss(title: str, items: list[Item]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://example.org/</link>",
        "<description>test feed</description><language>en</language>",
    ]
    for item in items:
        parts.append(
            "<item>"
            f"<title>{escape(item.title)}</title>"
            f"<link>{escape(item.link)}</link>"
            f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
            f"<pubDate>{format_datetime(item.published)}</pubDate>"
            f"<description>{escape(item.summary)}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")
