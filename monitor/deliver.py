"""Delivering a rendered digest: SMTP, signed webhooks, or files in the outbox folder.

Does I/O (network, files). Each function either returns (the receiver accepted)
or raises a ``DeliveryError`` saying whether a retry can help.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import smtplib
import ssl
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from monitor.digest import DigestContent
from monitor.errors import AddressRefusedError, EmailError, FetchError, WebhookError
from monitor.fetch import retry_after_seconds
from monitor.netguard import resolve_checked
from monitor.render import email_message, render_text, webhook_body

SMTP_TIMEOUT = 30.0


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign_webhook(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks signature header value: ``v1,<base64 HMAC-SHA256>``."""
    key_text = secret.removeprefix("whsec_")
    try:
        key = base64.b64decode(key_text, validate=True)
    except ValueError:
        key = key_text.encode()
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def send_email(content: DigestContent, smtp_url: str, sender: str, recipients: list[str]) -> None:
    """Send over SMTP (plain, STARTTLS with ``?starttls=true``, or ``smtps://``), with AUTH."""
    parts = urlsplit(smtp_url)
    host = parts.hostname or "localhost"
    implicit_tls = parts.scheme == "smtps"
    port = parts.port or (465 if implicit_tls else 25)
    options = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    context = ssl.create_default_context()
    if options.get("verify") == "false":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    message = email_message(content, sender, recipients)
    target = f"{host}:{port}"
    try:
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
            smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise EmailError(
            f"SMTP server {target} refused the login ({exc.smtp_code})",
            target=target,
            hint="check the user and password in NEWSWATCH_SMTP_URL",
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise EmailError(
            f"SMTP server {target} refused every recipient", target=target, permanent=True
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailError(f"SMTP delivery to {target} failed: {exc}", target=target) from exc


def write_outbox(content: DigestContent, outbox: Path, sender: str, recipients: list[str]) -> Path:
    """Write ``<id>.eml`` and ``<id>.json`` into the outbox folder (when no SMTP is set)."""
    outbox.mkdir(parents=True, exist_ok=True)
    eml = outbox / f"{content.id}.eml"
    _atomic_write(eml, bytes(email_message(content, sender, recipients)))
    _atomic_write(outbox / f"{content.id}.json", webhook_body(content))
    return eml


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


async def send_webhook(
    content: DigestContent,
    url: str,
    fmt: str,
    secret: str | None,
    allow_private: bool,
    timeout: float,
) -> None:
    """POST the digest; only a 2xx counts. Redirects are not followed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"'{url}' is not an http(s) URL", target=url, permanent=True)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await resolve_checked(parts.hostname, port, url, allow_private)
    except AddressRefusedError as exc:
        raise WebhookError(str(exc), target=url, permanent=True, hint=exc.hint) from exc
    except FetchError as exc:
        raise WebhookError(str(exc), target=url) from exc
    body = webhook_body(content, fmt)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "newswatch-webhook/1",
        "webhook-id": content.id,
        "webhook-timestamp": str(timestamp),
    }
    if secret:
        headers["webhook-signature"] = sign_webhook(secret, content.id, timestamp, body)
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=timeout, trust_env=False
        ) as client:
            response = await asyncio.wait_for(
                client.post(url, content=body, headers=headers), timeout
            )
    except (httpx.HTTPError, TimeoutError) as exc:
        raise WebhookError(
            f"webhook {url} unreachable: {exc.__class__.__name__}", target=url
        ) from exc
    status = response.status_code
    if 200 <= status < 300:
        return
    raise WebhookError(
        f"webhook {url} answered HTTP {status}",
        target=url,
        permanent=status == 410,
        retry_after=retry_after_seconds(response.headers.get("retry-after")),
        hint="a redirect is not followed: give the final URL" if 300 <= status < 400 else None,
    )


def preview_text(content: DigestContent) -> str:
    return render_text(content)
