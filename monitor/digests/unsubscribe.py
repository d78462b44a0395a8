"""Unsubscribing from emails: one secret token per subscription, the links and headers
(RFC 2369 ``List-Unsubscribe``, RFC 8058 one-click), and pausing a subscription.

Pure apart from ``load_key`` (reads, or creates, the key file in the data folder) and
``unsubscribe`` (the database, imported only there: email rendering imports this
module and stays free of database libraries). A link is
``<NEWSWATCH_UNSUBSCRIBE_URL>/unsubscribe/<id>/<token>`` (one-click, answered by the
web console), and always ``mailto:<NEWSWATCH_UNSUBSCRIBE_MAILTO or the sender>`` with
the subject ``unsubscribe <id> <token>``, which ``newswatch subscription unsubscribe
--mail`` reads from a mail server's pipe.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

KEY_FILE = "unsubscribe.key"
_SUBJECT = re.compile(r"\bunsubscribe\s+(\d+)\s+([a-z2-7]{26})\b", re.I)


@dataclass(frozen=True)
class UnsubscribeLinks:
    """Where a recipient stops a subscription: a one-click https URL (if the console is
    served) and a mailto address with the subject to send."""

    subscription_id: int
    token: str
    mailto_address: str
    https: str | None = None

    @property
    def subject(self) -> str:
        return f"unsubscribe {self.subscription_id} {self.token}"

    @property
    def mailto(self) -> str:
        return f"mailto:{self.mailto_address}?subject={quote(self.subject)}"

    def headers(self) -> dict[str, str]:
        """``List-Unsubscribe`` (https first, then mailto) and, with https, RFC 8058's
        ``List-Unsubscribe-Post``."""
        links = [f"<{self.https}>"] if self.https else []
        links.append(f"<{self.mailto}>")
        found = {"List-Unsubscribe": ", ".join(links)}
        if self.https:
            found["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        return found

    def footer(self) -> str:
        """One line for the end of a message, for a person (no commands to run)."""
        if self.https:
            return f"Unsubscribe: {self.https}"
        return (
            f"To unsubscribe, send an email to {self.mailto_address} with the subject "
            f'"{self.subject}".'
        )


def token(key: bytes, subscription_id: int) -> str:
    """The subscription's unsubscribe token: 26 base32 characters (130 bits of an HMAC)."""
    digest = hmac.new(key, f"unsubscribe:{subscription_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:26]


def links(
    key: bytes, subscription_id: int, sender: str, base_url: str = "", mailto: str = ""
) -> UnsubscribeLinks:
    """The links of one subscription; ``mailto`` defaults to the sender's address."""
    secret = token(key, subscription_id)
    address = parseaddr(mailto or sender)[1]
    https = f"{base_url.rstrip('/')}/unsubscribe/{subscription_id}/{secret}" if base_url else None
    return UnsubscribeLinks(subscription_id, secret, address, https)


def load_key(data_dir: Path) -> bytes:
    """The key of the unsubscribe tokens, made on first use (readable by its owner only).

    Every process that sends or answers unsubscribes must see the same data folder.
    """
    path = data_dir / KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_hex(32)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(fresh + "\n")
    return bytes.fromhex(fresh)


def token_in_message(raw: bytes) -> tuple[int, str] | None:
    """``(subscription id, token)`` from the Subject (or first lines) of an email."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found = _SUBJECT.search(str(message.get("Subject", "")))
    if found is None:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        found = _SUBJECT.search(str(text)[:2000])
    return (int(found.group(1)), found.group(2).lower()) if found else None


def unsubscribe(
    engine: Engine, key: bytes, subscription_id: int, given: str, now: datetime
) -> bool:
    """Pause the subscription if ``given`` is its token; whether it was (or already is)."""
    from storage.subscriptions import disable_subscription, get_subscription  # rendering stays pure

    if not hmac.compare_digest(token(key, subscription_id), given.strip().lower()):
        return False
    sub = get_subscription(engine, subscription_id)
    if sub is None:
        return False
    if not sub.paused:
        disable_subscription(
            engine, subscription_id, f"unsubscribed by a recipient at {now:%Y-%m-%d %H:%M}Z"
        )
    return True
