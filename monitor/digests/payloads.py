"""Webhook bodies: the versioned generic JSON, and Slack, Mattermost, Discord and Teams messages.

Pure: content in, bytes out. Each chat format is the shape that service's
incoming webhooks accept, within its size limits; feed text is escaped for
its markup and can mention no one. The generic JSON is documented in docs/webhooks.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.digests.compose import DigestContent, DigestEntry
from monitor.digests.render import oneline, safe_href

WEBHOOK_VERSION = "1"
FORMATS = ("json", "slack", "mattermost", "discord", "teams")
_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN = re.compile(r"([\\`*_~\[\]()#>|<!@])")
SLACK_BLOCKS = 48  # Slack allows 50 blocks per message
DISCORD_EMBEDS = 10
TEAMS_ITEMS = 25


def webhook_body(content: DigestContent, fmt: str = "json") -> bytes:
    """The body for one webhook format (``FORMATS``); unknown formats get the generic JSON."""
    builder: Callable[[DigestContent], dict[str, Any]] = _BUILDERS.get(fmt, generic_payload)
    return json.dumps(builder(content), ensure_ascii=False, sort_keys=True).encode()


def generic_payload(content: DigestContent) -> dict[str, Any]:
    """The documented ``newswatch.digest`` JSON, version 1."""
    items = [
        {
            "watchlist": section.watchlist,
            "cluster": e.cluster,
            "story_id": e.story_id,
            "title": e.title,
            "url": safe_href(e.url),
            "source": e.source,
            "also_reported_by": list(e.also_reported_by),
            "published": e.published,
            "published_is_first_seen": e.first_seen,
            "snippet": e.snippet,
            "highlights": [[h.start, h.end] for h in e.highlights],
            "watchlists": list(e.watchlists),
            "score": e.score,
            "terms": list(e.terms),
        }
        for section in content.sections
        for e in section.entries
    ]
    return {
        "type": "newswatch.digest",
        "version": WEBHOOK_VERSION,
        "id": content.id,
        "subscription_id": content.subscription_id,
        "created_at": content.created_at,
        "timezone": content.timezone,
        "total": content.total,
        "sections": [
            {"watchlist": s.watchlist, "shown": len(s.entries), "more": s.more}
            for s in content.sections
        ],
        "items": items,
    }


def _title(content: DigestContent) -> str:
    count = content.total
    if count == 0:
        return "newswatch: nothing new"
    return f"newswatch: {count} new {'story' if count == 1 else 'stories'}"


def _footer(content: DigestContent) -> str:
    sub = content.subscription_id
    return (
        f"Digest {content.id} · subscription #{sub} · manage with "
        f"`newswatch subscription show {sub}`, `pause {sub}` or `remove {sub}`"
    )


def _when(content: DigestContent, entry: DigestEntry) -> str:
    local = datetime.fromisoformat(entry.published).astimezone(ZoneInfo(content.timezone))
    shown = local.strftime("%Y-%m-%d %H:%M %Z")
    return f"first seen {shown}" if entry.first_seen else shown


def _sources(entry: DigestEntry) -> str:
    also = ", ".join(entry.also_reported_by)
    return oneline(entry.source + (f", also reported by {also}" if also else ""))


def _why(entry: DigestEntry) -> str:
    return f"why: {', '.join(entry.terms) or 'matched'} · score {entry.score:.2f}"


def markdown_escape(text: str) -> str:
    """Feed text made inert in Markdown (no links, emphasis, headings or mentions)."""
    return _MARKDOWN.sub(r"\\\1", oneline(text))


def _markdown_link(entry: DigestEntry) -> str:
    title = markdown_escape(entry.title)
    href = safe_href(entry.url).replace("(", "%28").replace(")", "%29")
    return f"[{title}]({href})" if href else title


def _markdown_entry(content: DigestContent, entry: DigestEntry) -> str:
    lines = [
        f"**{_markdown_link(entry)}**",
        markdown_escape(f"{_sources(entry)} · {_when(content, entry)}"),
    ]
    if entry.snippet:
        lines.append("> " + markdown_escape(entry.snippet))
    lines.append("_" + markdown_escape(_why(entry)) + "_")
    return "\n".join(lines)


def slack_escape(text: str) -> str:
    """Feed text on one line with Slack's control characters (``&``, ``<``, ``>``) escaped."""
    return "".join(_SLACK_ESCAPES.get(ch, ch) for ch in oneline(text))


def slack_payload(content: DigestContent) -> dict[str, Any]:
    """Block Kit: a header, one section per story, "+N more" and a context footer."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _title(content)[:150]}}
    ]
    left_out = 0
    for section in content.sections:
        if len(blocks) >= SLACK_BLOCKS - 1:
            left_out += len(section.entries) + section.more
            continue
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{slack_escape(section.watchlist)}*"},
            }
        )
        for e in section.entries:
            if len(blocks) >= SLACK_BLOCKS - 1:
                left_out += 1
                continue
            href = slack_escape(safe_href(e.url).replace("|", "%7C"))
            title = slack_escape(e.title)
            link = f"<{href}|{title}>" if href else title
            lines = [f"*{link}*", slack_escape(f"{_sources(e)} · {_when(content, e)}")]
            if e.snippet:
                lines.append("> " + slack_escape(e.snippet))
            lines.append("_" + slack_escape(_why(e)) + "_")
            text = "\n".join(lines)
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}})
        left_out += section.more
    if left_out:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"… +{left_out} more"}}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": slack_escape(_footer(content))}],
        }
    )
    return {"text": _title(content), "blocks": blocks, "unfurl_links": False}


def mattermost_payload(content: DigestContent) -> dict[str, Any]:
    """Markdown ``text`` (Mattermost's Slack-compatible incoming webhook)."""
    parts = [f"#### {_title(content)}"]
    for section in content.sections:
        parts.append(
            f"**{markdown_escape(section.watchlist)}** ({section.more + len(section.entries)})"
        )
        parts.extend(_markdown_entry(content, e) for e in section.entries)
        if section.more:
            parts.append(f"… +{section.more} more")
    parts.append(_footer(content))
    return {"text": "\n\n".join(parts)[:16000], "username": "newswatch"}


def discord_payload(content: DigestContent) -> dict[str, Any]:
    """A short ``content`` line and one embed per story (Discord allows ten); no mentions."""
    entries = [(s.watchlist, e) for s in content.sections for e in s.entries]
    shown = entries[:DISCORD_EMBEDS]
    left_out = content.total - len(shown)
    embeds = [
        {
            "title": oneline(e.title)[:256],
            **({"url": href} if (href := safe_href(e.url)) else {}),
            "description": (
                f"{markdown_escape(_sources(e))}\n"
                + (f"{markdown_escape(e.snippet)}\n" if e.snippet else "")
                + f"*{markdown_escape(_why(e))}*"
            )[:1000],
            "timestamp": e.published,
            "footer": {"text": oneline(watchlist)[:100]},
        }
        for watchlist, e in shown
    ]
    line = _title(content) + (f" (+{left_out} more not shown)" if left_out else "")
    return discord_message(line, _footer(content), embeds)


def discord_message(headline: str, footer: str, embeds: list[dict[str, Any]]) -> dict[str, Any]:
    """A Discord webhook message: a bold headline, a footer line, embeds; no mentions."""
    return {
        "content": f"**{headline}**\n{footer}"[:2000],
        "embeds": embeds,
        "allowed_mentions": {"parse": []},
        "username": "newswatch",
    }


def teams_payload(content: DigestContent) -> dict[str, Any]:
    """An Adaptive Card in a ``message`` (Teams Workflows incoming webhooks)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": _title(content), "weight": "Bolder", "size": "Medium"}
    ]
    budget = TEAMS_ITEMS
    for section in content.sections:
        body.append(
            {
                "type": "TextBlock",
                "text": markdown_escape(section.watchlist),
                "weight": "Bolder",
                "separator": True,
                "wrap": True,
            }
        )
        for e in section.entries[:budget]:
            body.append({"type": "TextBlock", "text": _markdown_entry(content, e), "wrap": True})
        more = section.more + max(0, len(section.entries) - budget)
        budget = max(0, budget - len(section.entries))
        if more:
            body.append({"type": "TextBlock", "text": f"… +{more} more", "isSubtle": True})
    body.append(
        {
            "type": "TextBlock",
            "text": _footer(content),
            "isSubtle": True,
            "wrap": True,
        }
    )
    return teams_message(body)


def teams_message(body: list[dict[str, Any]]) -> dict[str, Any]:
    """A Teams message carrying one Adaptive Card with these body elements."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


_BUILDERS: dict[str, Callable[[DigestContent], dict[str, Any]]] = {
    "json": generic_payload,
    "slack": slack_payload,
    "mattermost": mattermost_payload,
    "discord": discord_payload,
    "teams": teams_payload,
}
