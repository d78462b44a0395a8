"""Delivering a digest or a feed alert: SMTP (STARTTLS, implicit TLS, AUTH), signed webhooks,
files.

Does I/O (network, files). Each function either returns (the receiver accepted
the message) or raises a ``DeliveryError`` saying whether a retry can help.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import os
import secrets
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import httpx

from monitor.digests.alert_payloads import alert_body
from monitor.digests.compose import DigestContent
from monitor.digests.feed_alerts import AlertContent
from monitor.digests.payloads import webhook_body
from monitor.digests.render import alert_email_message, email_message, sender_address
from monitor.digests.unsubscribe import UnsubscribeLinks
from monitor.errors import AddressRefusedError, EmailError, FetchError, WebhookError
from monitor.fetch.netguard import resolve_checked
from monitor.schedule.polling import retry_after_seconds

SMTP_TIMEOUT = 30.0

# What the outbox holds: a digest, or a feed alert. Both have an ``id`` and go the same ways.
Outgoing = DigestContent | AlertContent


def outgoing_email(
    content: Outgoing,
    sender: str,
    recipients: list[str],
    unsubscribe: UnsubscribeLinks | None = None,
) -> EmailMessage:
    """The email message for a digest or a feed alert."""
    if isinstance(content, AlertContent):
        return alert_email_message(content, sender, recipients, unsubscribe)
    return email_message(content, sender, recipients, unsubscribe)


def outgoing_body(content: Outgoing, fmt: str = "json") -> bytes:
    """The webhook body for a digest or a feed alert, in one of the webhook formats."""
    if isinstance(content, AlertContent):
        return alert_body(content, fmt)
    return webhook_body(content, fmt)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def webhook_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_…`` secret: the base64-decoded part after the prefix."""
    text = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        return text.encode()


def sign_webhook(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(webhook_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def smtp_context(options: dict[str, str], ca_file: str) -> ssl.SSLContext:
    """Verify the server's certificate (against ``ca_file`` if given) unless ``verify=false``."""
    context = ssl.create_default_context(cafile=ca_file or None)
    if options.get("verify") == "false":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send_email(
    content: Outgoing,
    smtp_url: str,
    sender: str,
    recipients: list[str],
    ca_file: str = "",
    unsubscribe: UnsubscribeLinks | None = None,
) -> None:
    """Send over SMTP: ``smtp://`` (``?starttls=true`` to upgrade), ``smtps://`` for TLS."""
    parts = urlsplit(smtp_url)
    host = parts.hostname or "localhost"
    implicit_tls = parts.scheme == "smtps"
    port = parts.port or (465 if implicit_tls else 25)
    options = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    target = f"{host}:{port}"
    message = outgoing_email(content, sender, recipients, unsubscribe)
    envelope_from = sender_address(sender).addr_spec
    try:
        context = smtp_context(options, ca_file)
        smtp: smtplib.SMTP
        if implicit_tls:
            smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        with smtp:
            if not implicit_tls and options.get("starttls") == "true":
                smtp.starttls(context=context)
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            envelope_to = [parseaddr(r)[1] for r in recipients]
            smtp.send_message(message, from_addr=envelope_from, to_addrs=envelope_to)
    except smtplib.SMTPAuthenticationError as exc:
        raise EmailError(
            f"SMTP server {target} refused the login ({exc.smtp_code})",
            target=target,
            hint="check the user and password in NEWSWATCH_SMTP_URL",
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise EmailError(
            f"SMTP server {target} does not support what was asked ({exc})",
            target=target,
            hint="drop ?starttls=true or the user name from NEWSWATCH_SMTP_URL, or use smtps://",
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        raise EmailError(
            f"SMTP server {target} refused every recipient ({', '.join(map(str, codes))})",
            target=target,
            permanent=all(code >= 500 for code in codes),
            hint="check the addresses with `newswatch subscription show ID`",
        ) from exc
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        raise EmailError(
            f"SMTP server {target} rejected the message ({exc.smtp_code})",
            target=target,
            permanent=exc.smtp_code >= 500,
        ) from exc
    except ssl.SSLError as exc:
        raise EmailError(
            f"TLS with SMTP server {target} failed: {exc.reason or exc}",
            target=target,
            hint="set NEWSWATCH_SMTP_CA_FILE to the CA that signed the server's certificate",
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailError(f"SMTP delivery to {target} failed: {exc}", target=target) from exc


def write_outbox(
    content: Outgoing,
    outbox: Path,
    sender: str,
    recipients: list[str],
    unsubscribe: UnsubscribeLinks | None = None,
) -> Path:
    """Write ``<id>.eml`` and ``<id>.json`` into the outbox folder (when no SMTP is set)."""
    outbox.mkdir(parents=True, exist_ok=True)
    eml = outbox / f"{content.id}.eml"
    _atomic_write(eml, outgoing_email(content, sender, recipients, unsubscribe).as_bytes())
    _atomic_write(outbox / f"{content.id}.json", outgoing_body(content))
    return eml


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


async def send_webhook(
    content: Outgoing,
    url: str,
    fmt: str,
    secret: str | None,
    allow_private: bool,
    timeout: float,
    now: datetime,
) -> None:
    """POST the digest or alert, signed; only a 2xx counts. Redirects are not followed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"'{url}' is not an http(s) URL", target=url, permanent=True)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await resolve_checked(parts.hostname, port, url, allow_private)
    except AddressRefusedError as exc:
        raise WebhookError(str(exc), target=url, permanent=True, hint=exc.hint) from exc
    except FetchError as exc:
        raise WebhookError(str(exc), target=url) from exc
    body = outgoing_body(content, fmt)
    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": "newswatch-webhook/1",
        "webhook-id": content.id,
        "webhook-timestamp": str(timestamp),
        "host": parts.netloc.rsplit("@", 1)[-1],
    }
    if secret:
        headers["webhook-signature"] = sign_webhook(secret, content.id, timestamp, body)
    # Connect to an address that was just checked, not to whatever a second DNS
    # answer says (DNS rebinding); TLS still verifies the certificate for the name.
    extensions: dict[str, Any] = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=timeout, trust_env=False
        ) as client:
            response = await asyncio.wait_for(
                _post_pinned(client, url, addresses, body, headers, extensions), timeout
            )
    except (httpx.HTTPError, TimeoutError) as exc:
        raise WebhookError(
            f"webhook {url} unreachable: {exc.__class__.__name__}",
            target=url,
            hint="check that the receiver is up; the digest is retried with backoff",
        ) from exc
    status = response.status_code
    if 200 <= status < 300:
        return
    hint = None
    if 300 <= status < 400:
        hint = (
            f"a redirect is not followed: give the final URL ({response.headers.get('location')})"
        )
    elif status == 410:
        hint = "the receiver said the hook is gone; fix the URL and `subscription resume` it"
    raise WebhookError(
        f"webhook {url} answered HTTP {status}",
        target=url,
        status=status,
        permanent=status == 410,
        retry_after=retry_after_seconds(response.headers.get("retry-after"), now),
        hint=hint,
    )


def pinned_url(url: str, address: str) -> str:
    """``url`` with its host replaced by ``address`` (bracketed if IPv6), port and path kept."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{userinfo}{host}{port}", parts.path, parts.query, ""))


async def _post_pinned(
    client: httpx.AsyncClient,
    url: str,
    addresses: list[str],
    body: bytes,
    headers: dict[str, str],
    extensions: dict[str, Any],
) -> httpx.Response:
    """POST to each checked address in turn (IPv4 first) until one connects."""
    ordered = sorted(addresses, key=lambda a: (":" in a, a)) or [urlsplit(url).hostname or ""]
    for address in ordered[:-1]:
        try:
            return await client.post(
                pinned_url(url, address), content=body, headers=headers, extensions=extensions
            )
        except httpx.ConnectError:
            continue
    return await client.post(
        pinned_url(url, ordered[-1]), content=body, headers=headers, extensions=extensions
    )
