"""Feed alert messages: golden text, HTML and webhook bodies; headers and markup no feed can break.

Golden files live in tests/monitor/golden/; regenerate them only on purpose with
``NEWSWATCH_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/monitor/test_alert_render.py``
and read the diff before committing.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.digests.alert_payloads import alert_body
from monitor.digests.feed_alerts import AlertContent, build_alert, headline, is_alert
from monitor.digests.payloads import FORMATS
from monitor.digests.render import (
    alert_email_message,
    alert_subject,
    render_alert_html,
    render_alert_text,
)
from storage.records import FeedAlertCandidate, FeedRecord
from tests.monitor.digest_samples import NOW, subscription
from tests.monitor.test_render import SENDER, _Inspector, golden

DOCS = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text(encoding="utf-8")


def feed(
    feed_id: int = 3,
    title: str = "Andes Wire — Americas",
    url: str = "https://andes.example/americas/rss",
    state: str = "failing",
    reason: str = "3 failures in a row; last: HTTP 500 from andes.example",
    errors: int = 3,
) -> FeedRecord:
    return FeedRecord(
        id=feed_id,
        url=url,
        title=title,
        state=state,
        etag=None,
        last_modified=None,
        error_count=errors,
        last_error="HTTP 500 from andes.example" if errors else None,
        item_count=40,
        next_check_at=NOW + timedelta(hours=2),
        last_checked_at=NOW,
        last_success_at=NOW - timedelta(hours=3, minutes=45),
        state_reason=reason,
    )


def broke(*feeds: FeedRecord) -> AlertContent:
    candidates = [FeedAlertCandidate("broke", f, 0, None, None) for f in feeds or (feed(),)]
    return build_alert("nwa_feedface", subscription(), "broke", candidates, NOW)


def recovered(*feeds: FeedRecord) -> AlertContent:
    back = feeds or (feed(state="healthy", reason="4 new items", errors=0),)
    candidates = [
        FeedAlertCandidate("recovered", f, 1, "dead", NOW - timedelta(days=2)) for f in back
    ]
    return build_alert("nwa_beefcafe", subscription(), "recovered", candidates, NOW)


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


@pytest.mark.parametrize("event", ["broke", "recovered"])
def test_alert_text_and_html_match_golden(event: str) -> None:
    content = broke() if event == "broke" else recovered()
    golden(f"alert-{event}.txt", render_alert_text(content))
    golden(f"alert-{event}.html", render_alert_html(content))


@pytest.mark.parametrize("fmt", FORMATS)
def test_alert_webhook_bodies_match_golden(fmt: str) -> None:
    golden(f"alert-broke-{fmt}.json", alert_body(broke(), fmt).decode() + "\n")


def test_the_message_names_the_feed_its_state_and_the_reason_in_local_time() -> None:
    text = render_alert_text(broke())
    assert "feed failing: Andes Wire — Americas" in text
    assert "https://andes.example/americas/rss" in text
    assert "failing: 3 failures in a row; last: HTTP 500 from andes.example" in text
    assert "last success: 2024-04-06 04:45 CEST" in text  # 02:45 UTC in Madrid
    back = render_alert_text(recovered())
    assert "feed recovered: Andes Wire — Americas" in back
    assert "healthy: 4 new items" in back and "it was dead since 2024-04-04 08:30 CEST" in back


def test_the_email_is_multipart_with_its_own_id_and_event_headers() -> None:
    raw = alert_email_message(broke(), SENDER, ["ops@example.org"]).as_bytes()
    message = parse(raw)
    assert message["Subject"] == "[newswatch] feed failing: Andes Wire — Americas"
    assert message["Message-ID"] == "<nwa_feedface@newswatch.example>"
    assert message["X-Newswatch-Alert"] == "nwa_feedface"
    assert message["X-Newswatch-Event"] == "newswatch.feed.broke"
    assert message["X-Newswatch-Digest"] is None
    assert message["List-Id"] == "newswatch subscription 7 <subscription-7.newswatch.example>"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    raw.decode("ascii")


INJECTIONS = [
    "Wire\r\nBcc: victim@example.net",
    "Wire\nBcc: victim@example.net",
    "Wire\u2028Bcc: victim@example.net",
    "Wire =?UTF-8?Q?=0A?=Bcc: victim@example.net",
    "=?UTF-8?Q?=0D=0ABcc=3A_victim=40example=2Enet?=",
]


@pytest.mark.parametrize("title", INJECTIONS, ids=[repr(t)[:30] for t in INJECTIONS])
def test_a_hostile_feed_title_never_creates_a_header(title: str) -> None:
    raw = alert_email_message(broke(feed(title=title)), SENDER, ["ops@example.org"]).as_bytes()
    message = parse(raw)
    assert message["Bcc"] is None and "bcc" not in {k.lower() for k in message.keys()}
    block = raw.split(b"\r\n\r\n")[0].decode("ascii")
    unfolded = re.sub(r"\r\n[ \t]", " ", block).split("\r\n")
    assert all(line.startswith("Subject:") for line in unfolded if "victim" in line)
    assert message["Subject"].startswith("[newswatch] feed failing: ")


def test_hostile_feed_title_url_and_reason_are_inert_in_html_and_text() -> None:
    hostile = feed(
        title='Wire <script>alert("t")</script><img src=x onerror=alert(1)>',
        url="javascript:alert(1)",
        reason="HTTP 500: <iframe src=https://evil.example></iframe>",
    )
    html = render_alert_html(broke(hostile))
    inspector = _Inspector()
    inspector.feed(html)
    assert not {"script", "img", "iframe", "style"} & set(inspector.tags)
    assert not any(name.startswith("on") or name == "src" for name, _ in inspector.attributes)
    assert all(value.startswith("http") for name, value in inspector.attributes if name == "href")
    assert "&lt;script&gt;" in html and "&lt;iframe" in html
    text = render_alert_text(broke(feed(title="Wire\nforged line", reason="a\r\nb")))
    assert "Wire forged line" in text and "failing: a b" in text


def test_a_mass_outage_is_one_message_naming_a_hundred_feeds_and_counting_the_rest() -> None:
    many = [feed(i, f"Feed {i}", f"https://f{i}.example/rss") for i in range(1, 131)]
    many[5] = feed(6, "Gone", "https://gone.example/rss", state="dead", reason="HTTP 410")
    content = broke(*many)
    assert (len(content.feeds), content.more, content.total) == (100, 30, 130)
    assert headline(content) == "130 feeds dead or failing"
    assert alert_subject(content) == "[newswatch] 130 feeds dead or failing"
    assert "… +30 more feeds" in render_alert_text(content)
    slack = json.loads(alert_body(content, "slack"))
    assert len(slack["blocks"]) <= 50
    assert any("+90 more feeds" in b["text"]["text"] for b in slack["blocks"][1:-1])
    discord = json.loads(alert_body(content, "discord"))
    assert len(discord["embeds"]) == 10 and "+120 more" in discord["content"]
    teams = json.loads(alert_body(content, "teams"))["attachments"][0]["content"]["body"]
    assert any(block.get("text") == "… +105 more feeds" for block in teams)


HOSTILE = "[click](javascript:alert(1)) <!channel> @everyone **bold** <https://evil.example|x>"


@pytest.mark.parametrize("fmt", ["slack", "mattermost", "discord", "teams"])
def test_chat_formats_escape_feed_text_and_mention_no_one(fmt: str) -> None:
    body = alert_body(broke(feed(title=HOSTILE, reason=HOSTILE)), fmt).decode()
    if fmt == "slack":  # Slack's own syntax: <!channel>, <url|text>
        assert "<!channel>" not in body and "<https://evil.example|x>" not in body
        assert "&lt;!channel&gt;" in body
    elif fmt == "discord":  # embeds and content may mention, but nobody is pinged
        assert json.loads(body)["allowed_mentions"] == {"parse": []}
        assert "[click](javascript" not in json.loads(body)["content"]
    else:  # Markdown: no links, no emphasis from a feed
        assert "[click](javascript" not in body
        assert "\\\\*\\\\*bold\\\\*\\\\*" in body


def test_the_generic_json_says_what_happened_to_which_feed() -> None:
    data: dict[str, Any] = json.loads(alert_body(broke()))
    assert data["type"] == "newswatch.feed.broke" and data["id"] == "nwa_feedface"
    [item] = data["feeds"]
    assert (item["url"], item["state"], item["error_count"]) == (
        "https://andes.example/americas/rss",
        "failing",
        3,
    )
    back: dict[str, Any] = json.loads(alert_body(recovered()))
    assert back["type"] == "newswatch.feed.recovered"
    assert (back["feeds"][0]["was"], back["feeds"][0]["state"]) == ("dead", "healthy")


def test_every_field_of_the_alert_payload_is_documented() -> None:
    data: dict[str, Any] = json.loads(alert_body(recovered()))
    fields = set(data) | set(data["feeds"][0])
    missing = sorted(f for f in fields if f"`{f}`" not in DOCS)
    assert missing == [], f"document these fields in docs/webhooks.md: {missing}"
    assert "`newswatch.feed.broke`" in DOCS and "`newswatch.feed.recovered`" in DOCS


def test_an_alert_survives_the_outbox_unchanged() -> None:
    content = recovered()
    stored = content.to_json()
    assert is_alert(stored) and not is_alert('{"id": "nwd_1", "sections": []}')
    assert AlertContent.from_json(stored) == content
