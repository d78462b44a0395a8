"""Rendering for people: digests and feed alerts as plain text, HTML (Jinja2, inline CSS) and email.

Pure: content in, strings or an ``EmailMessage`` out. Feed text is escaped in
HTML, links must be http(s), and nothing from a feed can add or break a header.
"""

from __future__ import annotations

import email.policy
import functools
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import nh3
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from monitor.digests.compose import DigestContent, DigestEntry
from monitor.digests.feed_alerts import AlertContent, headline
from monitor.digests.unsubscribe import UnsubscribeLinks
from monitor.errors import EmailError

# Line breaks of every kind, other control characters, and the start of an
# RFC 2047 encoded word: none of them may reach a header (CVE-2024-6923).
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]|=\?|\?=")
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
SUBJECT_TITLE_CHARS = 110
EXPECTED_HEADERS = frozenset(
    {
        "subject",
        "from",
        "to",
        "date",
        "message-id",
        "list-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "x-newswatch-digest",
        "x-newswatch-alert",
        "x-newswatch-event",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "auto-submitted",
    }
)


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.digests", "templates"),
        autoescape=select_autoescape(["html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["highlighted"] = highlighted
    env.filters["oneline"] = oneline
    return env


def oneline(text: str) -> str:
    """Feed text on one line: line breaks and control characters become spaces."""
    return _ONE_LINE.sub(" ", text).strip()


def safe_href(url: str) -> str:
    """The URL if it is an http(s) link, else an empty string (no javascript: and friends)."""
    cleaned = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return quote(cleaned, safe="/:?#[]@!$&'()*+,;=%~-._")


def highlighted(entry: DigestEntry) -> Markup:
    """The snippet, escaped, with the matched spans wrapped in <mark>."""
    parts: list[str] = []
    cursor = 0
    text = entry.snippet
    for span in entry.highlights:
        parts.append(str(escape(text[cursor : span.start])))
        parts.append(
            '<mark style="background:#fff1a8;color:#1d1d1b;">'
            + str(escape(text[span.start : span.end]))
            + "</mark>"
        )
        cursor = span.end
    parts.append(str(escape(text[cursor:])))
    # The snippet is escaped plain text already; nh3 is the last line of defence.
    return Markup(nh3.clean("".join(parts), tags={"mark"}, attributes={"mark": {"style"}}))


def _context(content: DigestContent) -> dict[str, object]:
    zone = ZoneInfo(content.timezone)

    def localtime(iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    return {
        "sections": content.sections,
        "total": content.total,
        "subscription_id": content.subscription_id,
        "digest_id": content.id,
        "capped": any(section.more for section in content.sections),
        "created": localtime(content.created_at),
        "localtime": localtime,
    }


def render_text(content: DigestContent, unsubscribe: str = "") -> str:
    """The text part; ``unsubscribe`` is the recipient's footer line (else the operator's)."""
    template = _environment().get_template("digest.txt.j2")
    return template.render(**_context(content), unsubscribe=unsubscribe)


def render_html(content: DigestContent, unsubscribe: str = "") -> str:
    template = _environment().get_template("digest.html.j2")
    return template.render(**_context(content), unsubscribe=unsubscribe)


def header_safe(text: str, limit: int = 200) -> str:
    """One header value: no line breaks, no control characters, no encoded-word tricks."""
    return " ".join(_HEADER_UNSAFE.sub(" ", text).split())[:limit].strip()


def subject(content: DigestContent) -> str:
    """``[newswatch] <top headline> (+N more)``, or a line saying nothing was new."""
    count = content.total
    if count == 0:
        names = ", ".join(s.watchlist for s in content.sections) or "your watchlists"
        return header_safe(f"[newswatch] nothing new ({names})")
    top = next(e for s in content.sections for e in s.entries)
    title = header_safe(top.title, SUBJECT_TITLE_CHARS)
    if len(title) == SUBJECT_TITLE_CHARS:
        title = title[: SUBJECT_TITLE_CHARS - 1].rstrip() + "…"
    more = f" (+{count - 1} more)" if count > 1 else ""
    return header_safe(f"[newswatch] {title}{more}", 250)


def sender_address(sender: str) -> Address:
    """``Name <user@host>`` or ``user@host`` as an ``Address``; names may be non-ASCII."""
    name, addr = parseaddr(sender)
    if "@" not in addr:
        raise EmailError(
            f"the sender '{sender}' is not an email address",
            target=sender,
            permanent=True,
            hint="set NEWSWATCH_SMTP_FROM to e.g. 'newswatch <alerts@example.org>'",
        )
    user, domain = addr.rsplit("@", 1)
    return Address(display_name=header_safe(name) or "newswatch", username=user, domain=domain)


def email_message(
    content: DigestContent,
    sender: str,
    recipients: list[str],
    unsubscribe: UnsubscribeLinks | None = None,
) -> EmailMessage:
    """A multipart text + HTML message whose Message-ID carries the digest id."""
    message = _envelope(
        content.id,
        subject(content),
        content.created_at,
        content.subscription_id,
        sender,
        recipients,
        unsubscribe,
    )
    footer = unsubscribe.footer() if unsubscribe else ""
    message["X-Newswatch-Digest"] = content.id
    message.set_content(render_text(content, footer))
    message.add_alternative(render_html(content, footer), subtype="html")
    _check_headers(message, content.id)
    return message


def _envelope(
    message_id: str,
    subject_line: str,
    created_at: str,
    subscription_id: int,
    sender: str,
    recipients: list[str],
    unsubscribe: UnsubscribeLinks | None = None,
) -> EmailMessage:
    """The headers every newswatch message carries; the caller adds its own and the body."""
    origin = sender_address(sender)
    domain = origin.domain or "newswatch.invalid"
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = subject_line
    message["From"] = origin
    message["To"] = [_recipient(r) for r in recipients]
    message["Date"] = format_datetime(datetime.fromisoformat(created_at))
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["List-Id"] = (
        f"newswatch subscription {subscription_id} <subscription-{subscription_id}.{domain}>"
    )
    if unsubscribe is None:
        message["List-Unsubscribe"] = (
            f"<mailto:{origin.addr_spec}?subject=unsubscribe%20subscription%20{subscription_id}>"
        )
    else:
        for name, value in unsubscribe.headers().items():
            message[name] = value
    message["Auto-Submitted"] = "auto-generated"
    return message


def _alert_context(content: AlertContent) -> dict[str, object]:
    zone = ZoneInfo(content.timezone)

    def localtime(iso: str | None) -> str:
        if not iso:
            return "never"
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    return {
        "alert": content,
        "broke": content.event == "broke",
        "headline": headline(content),
        "created": localtime(content.created_at),
        "localtime": localtime,
        "subscription_id": content.subscription_id,
    }


def render_alert_text(content: AlertContent, unsubscribe: str = "") -> str:
    template = _environment().get_template("alert.txt.j2")
    return template.render(**_alert_context(content), unsubscribe=unsubscribe)


def render_alert_html(content: AlertContent, unsubscribe: str = "") -> str:
    template = _environment().get_template("alert.html.j2")
    return template.render(**_alert_context(content), unsubscribe=unsubscribe)


def alert_subject(content: AlertContent) -> str:
    """``[newswatch] feed failing: <feed title>`` or ``[newswatch] 3 feeds recovered``."""
    line = header_safe(f"[newswatch] {headline(content)}", 250)
    return line if len(line) < 250 else line[:249].rstrip() + "…"


def alert_email_message(
    content: AlertContent,
    sender: str,
    recipients: list[str],
    unsubscribe: UnsubscribeLinks | None = None,
) -> EmailMessage:
    """A multipart text + HTML feed alert; Message-ID and X-Newswatch-Alert carry its id."""
    message = _envelope(
        content.id,
        alert_subject(content),
        content.created_at,
        content.subscription_id,
        sender,
        recipients,
        unsubscribe,
    )
    footer = unsubscribe.footer() if unsubscribe else ""
    message["X-Newswatch-Alert"] = content.id
    message["X-Newswatch-Event"] = content.type
    message.set_content(render_alert_text(content, footer))
    message.add_alternative(render_alert_html(content, footer), subtype="html")
    _check_headers(message, content.id)
    return message


def _recipient(address: str) -> Address:
    name, addr = parseaddr(header_safe(address))
    if "@" not in addr:
        raise EmailError(
            f"'{address}' is not an email address",
            target=address,
            permanent=True,
            hint="fix it with `newswatch subscription edit ID --email …`",
        )
    user, domain = addr.rsplit("@", 1)
    return Address(display_name=name, username=user, domain=domain)


def _check_headers(message: EmailMessage, message_id: str) -> None:
    """Parse the message back: exactly the headers we set, whatever the feeds said."""
    parsed = BytesParser(policy=email.policy.default).parsebytes(message.as_bytes())
    names = {name.lower() for name in parsed.keys()}
    if not names <= EXPECTED_HEADERS or len(parsed.get_all("to", [])) != 1:
        raise EmailError(
            f"message {message_id} would carry unexpected headers: "
            f"{', '.join(sorted(names - EXPECTED_HEADERS)) or 'repeated To'}",
            target="-",
            permanent=True,
            hint="this is a bug in newswatch's header handling; please report it",
        )
