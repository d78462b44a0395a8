"""Rendering a digest: plain text, HTML (Jinja2, inline CSS), the email message, the webhook body.

Pure: content in, strings or an ``EmailMessage`` out. Feed text is escaped in
HTML, links must be http(s), and nothing from a feed ever reaches a header.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from monitor.digest import DigestContent, DigestEntry

WEBHOOK_VERSION = "1"
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]|=\?")


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor", "templates"),
        autoescape=select_autoescape(["html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["highlighted"] = highlighted
    return env


def safe_href(url: str) -> str:
    """The URL if it is an http(s) link, else an empty string (no javascript: and friends)."""
    cleaned = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    return cleaned if urlsplit(cleaned).scheme.lower() in ("http", "https") else ""


def highlighted(entry: DigestEntry) -> Markup:
    """The snippet, escaped, with the matched spans wrapped in <mark>."""
    parts: list[str] = []
    cursor = 0
    text = entry.snippet
    for span in entry.highlights:
        parts.append(str(escape(text[cursor : span.start])))
        parts.append(
            '<mark style="background:#fff1a8;">'
            + str(escape(text[span.start : span.end]))
            + "</mark>"
        )
        cursor = span.end
    parts.append(str(escape(text[cursor:])))
    # The snippet is plain text already; nh3 is the last line of defence.
    return Markup(nh3.clean("".join(parts), tags={"mark"}, attributes={"mark": {"style"}}))


def _context(content: DigestContent) -> dict[str, object]:
    zone = ZoneInfo(content.timezone)

    def localtime(iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    return {
        "sections": content.sections,
        "total": content.total,
        "subscription_id": content.subscription_id,
        "localtime": localtime,
    }


def render_text(content: DigestContent) -> str:
    return _environment().get_template("digest.txt.j2").render(**_context(content))


def render_html(content: DigestContent) -> str:
    return _environment().get_template("digest.html.j2").render(**_context(content))


def header_safe(text: str, limit: int = 200) -> str:
    """One header line: no line breaks, no encoded-word tricks."""
    return _HEADER_UNSAFE.sub(" ", text)[:limit].strip()


def subject(content: DigestContent) -> str:
    names = ", ".join(s.watchlist for s in content.sections)
    count = content.total
    return header_safe(f"newswatch: {count} new {'story' if count == 1 else 'stories'} ({names})")


def email_message(content: DigestContent, sender: str, recipients: list[str]) -> EmailMessage:
    """A multipart text + HTML message whose Message-ID is the digest id."""
    message = EmailMessage()
    message["Subject"] = subject(content)
    message["From"] = header_safe(sender)
    message["To"] = ", ".join(header_safe(r) for r in recipients)
    message["Date"] = format_datetime(datetime.fromisoformat(content.created_at))
    message["Message-ID"] = f"<{content.id}@newswatch>"
    message["List-Id"] = (
        f"newswatch #{content.subscription_id} <sub-{content.subscription_id}.newswatch>"
    )
    message["List-Unsubscribe"] = (
        f"<mailto:{header_safe(sender)}?subject=unsubscribe%20{content.subscription_id}>"
    )
    message["X-Newswatch-Digest"] = content.id
    message.set_content(render_text(content))
    message.add_alternative(render_html(content), subtype="html")
    return message


def webhook_body(content: DigestContent, fmt: str = "json") -> bytes:
    """The webhook payload: the versioned generic JSON, or a Slack-style text message."""
    if fmt in ("slack", "mattermost", "discord", "teams"):
        key = "content" if fmt == "discord" else "text"
        return json.dumps({key: render_text(content)}, ensure_ascii=False).encode()
    items = [
        {
            "watchlist": section.watchlist,
            "cluster": e.cluster,
            "story_id": e.story_id,
            "title": e.title,
            "url": e.url,
            "source": e.source,
            "also_reported_by": list(e.also_reported_by),
            "published": e.published,
            "snippet": e.snippet,
            "watchlists": list(e.watchlists),
            "score": e.score,
            "terms": list(e.terms),
        }
        for section in content.sections
        for e in section.entries
    ]
    payload = {
        "type": "newswatch.digest",
        "version": WEBHOOK_VERSION,
        "id": content.id,
        "subscription_id": content.subscription_id,
        "created_at": content.created_at,
        "total": content.total,
        "items": items,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
