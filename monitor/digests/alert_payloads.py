"""Webhook bodies of feed alerts: the versioned generic JSON, and Slack, Mattermost, Discord
and Teams messages.

Pure: an ``AlertContent`` in, bytes out. The same shapes and limits as the digest
bodies in ``monitor.digests.payloads``; feed titles, URLs and error reasons are escaped
for each markup and can mention no one. The generic JSON is documented in
docs/webhooks.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.digests.feed_alerts import AlertContent, AlertFeed, headline
from monitor.digests.payloads import (
    WEBHOOK_VERSION,
    discord_message,
    markdown_escape,
    slack_escape,
    teams_message,
)
from monitor.digests.render import oneline, safe_href

SLACK_FEEDS = 40  # sections; with the header, "+N more" and the footer within Slack's 50 blocks
DISCORD_EMBEDS = 10
TEAMS_FEEDS = 25
MARKDOWN_CHARS = 16000
RED, GREEN = 0xC8102E, 0x2E7D32


def alert_body(content: AlertContent, fmt: str = "json") -> bytes:
    """The body for one webhook format; unknown formats get the generic JSON."""
    builder: Callable[[AlertContent], dict[str, Any]] = _BUILDERS.get(fmt, generic_alert)
    return json.dumps(builder(content), ensure_ascii=False, sort_keys=True).encode()


def generic_alert(content: AlertContent) -> dict[str, Any]:
    """The documented ``newswatch.feed.broke`` / ``newswatch.feed.recovered`` JSON, version 1."""
    return {
        "type": content.type,
        "version": WEBHOOK_VERSION,
        "id": content.id,
        "subscription_id": content.subscription_id,
        "created_at": content.created_at,
        "timezone": content.timezone,
        "total": content.total,
        "more": content.more,
        "feeds": [
            {
                "feed_id": f.feed_id,
                "url": f.url,
                "title": f.title,
                "state": f.state,
                "reason": f.reason,
                "error_count": f.error_count,
                "last_error": f.last_error,
                "last_success_at": f.last_success_at,
                "was": f.was,
                "broken_since": f.broken_since,
            }
            for f in content.feeds
        ],
    }


def _title(content: AlertContent) -> str:
    return f"newswatch: {oneline(headline(content))}"


def _short_title(content: AlertContent) -> str:
    """The title without feed text, for places no escaping reaches (Slack's plain_text)."""
    if content.total > 1:
        return _title(content)
    state = content.feeds[0].state if content.event == "broke" else "recovered"
    return f"newswatch: feed {state}"


def _local(content: AlertContent, iso: str | None) -> str:
    if not iso:
        return "never"
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(content.timezone))
    return moment.strftime("%Y-%m-%d %H:%M %Z")


def _detail(content: AlertContent, feed: AlertFeed) -> str:
    """The line under a feed's name, as plain text (escape it for the markup)."""
    if content.event == "broke":
        return f"last success: {_local(content, feed.last_success_at)}"
    if feed.was:
        return f"it was {feed.was} since {_local(content, feed.broken_since)}"
    return ""


def _footer(content: AlertContent) -> str:
    sub = content.subscription_id
    return (
        f"Feed alert {content.id} · subscription #{sub} · "
        f"`newswatch subscription edit {sub} --no-feed-alerts` turns these off"
    )


def _more(content: AlertContent, shown: int) -> int:
    return content.total - shown


def _markdown_feed(content: AlertContent, feed: AlertFeed) -> str:
    name = markdown_escape(feed.name)
    href = safe_href(feed.url).replace("(", "%28").replace(")", "%29")
    lines = [
        f"**[{name}]({href})**" if href else f"**{name}**",
        f"**{markdown_escape(feed.state)}**: {markdown_escape(feed.reason)}",
    ]
    if detail := _detail(content, feed):
        lines.append("_" + markdown_escape(detail) + "_")
    return "\n".join(lines)


def slack_alert(content: AlertContent) -> dict[str, Any]:
    """Block Kit: a header, one section per feed, "+N more" and a context footer."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _short_title(content)[:150]}}
    ]
    shown = content.feeds[:SLACK_FEEDS]
    for feed in shown:
        href = slack_escape(safe_href(feed.url).replace("|", "%7C"))
        name = slack_escape(feed.name)
        lines = [
            f"*<{href}|{name}>*" if href else f"*{name}*",
            f"*{slack_escape(feed.state)}*: {slack_escape(feed.reason)}",
        ]
        if detail := _detail(content, feed):
            lines.append("_" + slack_escape(detail) + "_")
        text = "\n".join(lines)[:2900]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if left_out := _more(content, len(shown)):
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"… +{left_out} more feeds"}}
        )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": slack_escape(_footer(content))}],
        }
    )
    return {"text": slack_escape(_title(content)), "blocks": blocks, "unfurl_links": False}


def mattermost_alert(content: AlertContent) -> dict[str, Any]:
    """Markdown ``text`` (Mattermost's Slack-compatible incoming webhook)."""
    parts = [f"#### {markdown_escape(_title(content))}"]
    parts.extend(_markdown_feed(content, f) for f in content.feeds)
    if content.more:
        parts.append(f"… +{content.more} more feeds")
    parts.append(_footer(content))
    return {"text": "\n\n".join(parts)[:MARKDOWN_CHARS], "username": "newswatch"}


def discord_alert(content: AlertContent) -> dict[str, Any]:
    """A short ``content`` line and one embed per feed (Discord allows ten); no mentions."""
    shown = content.feeds[:DISCORD_EMBEDS]
    left_out = _more(content, len(shown))
    embeds = [
        {
            "title": oneline(f.name)[:256],
            **({"url": href} if (href := safe_href(f.url)) else {}),
            "description": (
                f"**{markdown_escape(f.state)}**: {markdown_escape(f.reason)}"
                + (f"\n*{markdown_escape(detail)}*" if (detail := _detail(content, f)) else "")
            )[:1000],
            "color": RED if content.event == "broke" else GREEN,
            "timestamp": content.created_at,
        }
        for f in shown
    ]
    line = markdown_escape(_title(content)) + (f" (+{left_out} more not shown)" if left_out else "")
    return discord_message(line, _footer(content), embeds)


def teams_alert(content: AlertContent) -> dict[str, Any]:
    """An Adaptive Card in a ``message`` (Teams Workflows incoming webhooks)."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": markdown_escape(_title(content)),
            "weight": "Bolder",
            "size": "Medium",
            "color": "Attention" if content.event == "broke" else "Good",
            "wrap": True,
        }
    ]
    shown = content.feeds[:TEAMS_FEEDS]
    body.extend(
        {"type": "TextBlock", "text": _markdown_feed(content, f), "wrap": True} for f in shown
    )
    if left_out := _more(content, len(shown)):
        body.append({"type": "TextBlock", "text": f"… +{left_out} more feeds", "isSubtle": True})
    body.append({"type": "TextBlock", "text": _footer(content), "isSubtle": True, "wrap": True})
    return teams_message(body)


_BUILDERS: dict[str, Callable[[AlertContent], dict[str, Any]]] = {
    "json": generic_alert,
    "slack": slack_alert,
    "mattermost": mattermost_alert,
    "discord": discord_alert,
    "teams": teams_alert,
}
