"""Unsubscribe links in emails: one secret token per subscription, the links and headers
(RFC 2369 ``List-Unsubscribe``, RFC 8058 one-click), and the token in a reply.

Pure: the key is an argument (``monitor.delivery.unsubscribe`` keeps it and pauses the
subscription). A link is
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
import re
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import quote

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


def token_in_message(raw: bytes) -> tuple[int, str] | None:
    """``(subscription id, token)`` from the Subject (or first lines) of an email."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found = _SUBJECT.search(str(message.get("Subject", "")))
    if found is None:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        found = _SUBJECT.search(str(text)[:2000])
    return (int(found.group(1)), found.group(2).lower()) if found else None
