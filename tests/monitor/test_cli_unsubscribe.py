"""Recipients can unsubscribe: a one-click https link (RFC 8058) when the console is served,
and always a mailto whose email, piped to ``newswatch subscription unsubscribe --mail``,
pauses the subscription. The footer names no command."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote

from tests.monitor.test_cli_exit_codes import _seeded
from tests.support.cli import newswatch

LINKS = {
    "NEWSWATCH_UNSUBSCRIBE_URL": "https://news.example.org/console",
    "NEWSWATCH_UNSUBSCRIBE_MAILTO": "leave@example.org",
}


def _sent(data: Path, env: dict[str, str]) -> EmailMessage:
    ran = newswatch(data, "digest", "send", "1", env=env, width=200)
    assert ran.code == 0, ran.text
    (eml,) = (data / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_digest_carries_one_click_and_mailto_links(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seeded(data)
    message = _sent(data, LINKS)
    header = str(message["List-Unsubscribe"])
    https, mailto = [part.strip(" <>") for part in header.split(",")]
    assert https.startswith("https://news.example.org/console/unsubscribe/1/")
    assert mailto.startswith("mailto:leave@example.org?subject=unsubscribe%201%20")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    body = text.get_content()
    assert f"Unsubscribe: {https}" in body
    assert "Manage it" not in body and "subscription pause" not in body  # no commands


def test_the_mailto_email_pauses_the_subscription(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seeded(data)
    message = _sent(data, {})  # no console, no address set: mailto the sender
    header = str(message["List-Unsubscribe"]).strip("<>")
    assert header.startswith("mailto:newswatch@localhost?subject=")
    assert "List-Unsubscribe-Post" not in message
    subject = unquote(header.split("subject=", 1)[1])
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and subject in body.get_content()
    request = f"From: desk@example.org\nTo: newswatch@localhost\nSubject: {subject}\n\n\n"
    ran = newswatch(data, "subscription", "unsubscribe", "--mail", input=request)
    assert ran.code == 0, ran.text
    listed = json.loads(newswatch(data, "subscription", "list", "--json").stdout)
    assert listed[0]["state"] == "disabled"
    assert "unsubscribed by a recipient" in listed[0]["disabled_reason"]
    assert newswatch(data, "digest", "send", "1").code == 1  # nothing goes to it any more
    assert newswatch(data, "subscription", "resume", "1").code == 0


def test_a_wrong_token_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seeded(data)
    ran = newswatch(data, "subscription", "unsubscribe", "1", "a" * 26)
    assert ran.code == 1 and "not the token" in ran.stderr
    listed = json.loads(newswatch(data, "subscription", "list", "--json").stdout)
    assert listed[0]["state"] == "active"


def test_the_unsubscribe_address_must_be_https(tmp_path: Path) -> None:
    ran = newswatch(
        tmp_path / "data", "status", env={"NEWSWATCH_UNSUBSCRIBE_URL": "http://news.example.org"}
    )
    assert ran.code == 1 and "is not an https URL" in ran.stderr
