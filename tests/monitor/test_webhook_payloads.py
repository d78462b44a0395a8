"""Chat payloads stay within each service's limits and carry no live markup from a feed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from monitor.digests.compose import build_digest
from monitor.digests.payloads import FORMATS, webhook_body
from tests.monitor.digest_samples import NOW, match, story, subscription

HOSTILE = "[click me](javascript:alert(1)) <!channel> @everyone **bold** <https://evil.example|x>"


def payload(fmt: str, count: int = 3, title: str = HOSTILE) -> dict[str, Any]:
    stories = [story(200 + i, f"{title} {i}", "Jorge Glas arrested") for i in range(count)]
    candidates = [match(s, "embassy-raids", 0.9, "Jorge Glas") for s in stories]
    content = build_digest("nwd_p", subscription(), candidates, NOW, cap=500)
    data: dict[str, Any] = json.loads(webhook_body(content, fmt))
    return data


def test_slack_keeps_to_fifty_blocks_and_says_how_many_more() -> None:
    data = payload("slack", count=200)
    assert len(data["blocks"]) <= 50
    texts = [b["text"]["text"] for b in data["blocks"] if b["type"] == "section"]
    assert any(t.startswith("… +") and t.endswith(" more") for t in texts)
    assert all(len(t) <= 3000 for t in texts)
    assert data["text"] == "newswatch: 200 new stories"  # the notification fallback


def test_slack_escapes_its_control_characters_in_feed_text() -> None:
    text = json.dumps(payload("slack", count=1))
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil.example|x>" not in text


def test_discord_sends_at_most_ten_embeds_and_mentions_no_one() -> None:
    data = payload("discord", count=25)
    assert len(data["embeds"]) == 10 and "+15 more" in data["content"]
    assert data["allowed_mentions"] == {"parse": []}
    assert all(len(e["title"]) <= 256 and len(e["description"]) <= 4096 for e in data["embeds"])
    assert len(data["content"]) <= 2000


@pytest.mark.parametrize("fmt", ["mattermost", "teams"])
def test_markdown_formats_escape_links_and_emphasis_from_feeds(fmt: str) -> None:
    text = json.dumps(payload(fmt, count=1))
    assert "](javascript:" not in text.replace("\\\\]\\\\(javascript:", "")
    assert "[click me](javascript" not in text
    assert "\\\\*\\\\*bold\\\\*\\\\*" in text  # shown literally, not bold


def test_teams_is_an_adaptive_card_message() -> None:
    data = payload("teams", count=40)
    [attachment] = data["attachments"]
    assert data["type"] == "message"
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [b["text"] for b in card["body"]]
    assert any("+15 more" in t for t in texts)
    assert len(json.dumps(data).encode()) < 28_000  # Teams refuses larger cards


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_links_only_http_urls(fmt: str) -> None:
    bad = story(300, "Raid", "Jorge Glas", url="javascript:alert(1)")
    content = build_digest("nwd_q", subscription(), [match(bad, "embassy-raids", 1)], NOW)
    body = webhook_body(content, fmt).decode()
    assert "javascript:" not in body
    if fmt == "json":
        assert json.loads(body)["items"][0]["url"] == ""


def test_every_field_of_the_generic_payload_is_documented() -> None:
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text()
    data = payload("json", count=1)
    fields = set(data) | set(data["items"][0]) | set(data["sections"][0])
    missing = sorted(f for f in fields if f"`{f}`" not in docs)
    assert missing == [], f"document these fields in docs/webhooks.md: {missing}"
