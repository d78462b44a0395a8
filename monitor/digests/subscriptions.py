"""Subscription rules: what a new subscription, or a change to one, may hold.

Pure: no I/O and no clock. The callers (the CLI, the API, through
``monitor.delivery.subscriptions``) pass what was given and the names of the
watchlists that exist; they get back what to store, or a ``ConfigError`` /
``UnknownWatchlistError`` that says what is wrong and how to fix it, worded in
the caller's own vocabulary (``--email`` on the command line, ``email`` in JSON).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from monitor.digests.payloads import FORMATS
from monitor.errors import ConfigError, MisappliedOptionError, UnknownWatchlistError
from monitor.schedule.digests import parse_quiet_hours, parse_schedule, parse_timezone
from storage.records import SubscriptionRecord


@dataclass(frozen=True)
class Wording:
    """How a caller names a subscription's fields in its messages and hints."""

    email: str
    webhook: str
    watchlist: str
    feed_alerts: str
    format: str
    secret: str
    email_example: str
    use_email: str
    use_webhook: str
    remove: str  # how to remove subscription {id}
    resume: str  # how to resume subscription {id}
    edit_help: str
    subscription_list: str  # where the subscriptions are listed
    digest_list: str  # where the digests are listed


COMMAND_LINE = Wording(
    email="--email",
    webhook="--webhook",
    watchlist="--watchlist",
    feed_alerts="--feed-alerts",
    format="--format",
    secret="--secret",
    email_example="--email a@example.org",
    use_email="use --email ADDRESS",
    use_webhook="use --webhook URL",
    remove="`newswatch subscription remove {id}`",
    resume="`newswatch subscription resume {id}` first",
    edit_help="see `newswatch subscription edit --help`",
    subscription_list="see `newswatch subscription list`",
    digest_list="see `newswatch digest list`",
)
API = Wording(
    email="email",
    webhook="webhook",
    watchlist="watchlist",
    feed_alerts="feed_alerts",
    format="format",
    secret="secret",
    email_example='"email": ["a@example.org"]',
    use_email="give email instead",
    use_webhook="give webhook instead",
    remove="DELETE /api/v1/subscriptions/{id}",
    resume="POST /api/v1/subscriptions/{id}/resume first",
    edit_help="give at least one field to change",
    subscription_list="GET /api/v1/subscriptions lists them",
    digest_list="GET /api/v1/digests lists them",
)


@dataclass(frozen=True)
class SubscriptionSpec:
    """A new subscription as given: either email addresses or a webhook URL."""

    email: Sequence[str] = ()
    webhook: str | None = None
    watchlists: Sequence[str] = ()
    every: str = "daily@08:00"
    timezone: str = "UTC"
    format: str | None = None  # None: the one the webhook's address calls for
    secret: str | None = None  # None: a new one is made (and shown once)
    min_score: float = 0.0
    quiet_hours: str | None = None  # None, "" or "none": no quiet hours
    send_empty: bool = False
    feed_alerts: bool = False


@dataclass(frozen=True)
class SubscriptionEdit:
    """A change as given: what is None stays as it is."""

    watchlists: Sequence[str] | None = None
    email: Sequence[str] | None = None
    webhook: str | None = None
    every: str | None = None
    timezone: str | None = None
    format: str | None = None
    secret: str | None = None  # whsec_…, or NEW_SECRET for a new one
    min_score: float | None = None
    quiet_hours: str | None = None  # "none" removes them
    send_empty: bool | None = None
    feed_alerts: bool | None = None


NEW_SECRET = "new"


@dataclass(frozen=True)
class CheckedSubscription:
    """A new subscription ready to store (``make_secret``: the caller makes one)."""

    channel: str
    target: str
    watchlists: tuple[str, ...]
    schedule: str
    timezone: str
    format: str
    secret: str | None
    make_secret: bool
    min_score: float
    quiet_hours: str | None
    send_empty: bool
    feed_alerts: bool


@dataclass(frozen=True)
class CheckedEdit:
    """The fields to change, checked (``make_secret``: the caller makes a new one)."""

    changes: Mapping[str, object] = field(default_factory=dict)
    make_secret: bool = False


_EMAIL = re.compile(r"^[^@\s,<>\"]+@[^@\s,<>\"]+\.[^@\s,<>\"]+$|^[^@\s,<>\"]+@localhost$")
_NAMED = re.compile(r"^([^,<>\"\x00-\x1f\u2028\u2029]*?)\s*<([^<>]+)>$")
_FORMAT_HOSTS = (
    ("hooks.slack.com", "slack"),
    ("discord.com", "discord"),
    ("discordapp.com", "discord"),
    ("webhook.office.com", "teams"),
    ("logic.azure.com", "teams"),
)


def check_emails(addresses: Sequence[str]) -> str:
    """``a@example.org`` or ``Alicia Bárcena <a@example.org>``, joined for storage."""
    for address in addresses:
        named = _NAMED.match(address.strip())
        bare = named.group(2) if named else address.strip()
        if not _EMAIL.match(bare):
            raise ConfigError(
                f"'{address}' is not an email address",
                hint="give it as name@example.org or 'Full Name <name@example.org>'",
            )
    return ",".join(a.strip() for a in addresses)


def check_webhook(url: str) -> str:
    """An http(s) URL with a host: where a webhook digest is posted."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"'{url}' is not an http(s) URL", hint="e.g. https://hooks.example/x")
    return url


def format_for(url: str) -> str:
    """The payload format a webhook address calls for: a Slack address gets Slack's."""
    host = (urlsplit(url).hostname or "").lower()
    for suffix, fmt in _FORMAT_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return fmt
    return "json"


def check_format(fmt: str) -> str:
    """One of the webhook payload formats (``json``, ``slack``, …)."""
    if fmt not in FORMATS:
        raise ConfigError(
            f"unknown webhook format '{fmt}'", hint=f"use one of {', '.join(FORMATS)}"
        )
    return fmt


def check_secret(secret: str, wording: Wording = COMMAND_LINE) -> str:
    """A Standard Webhooks signing secret: ``whsec_`` and base64."""
    if not secret.startswith("whsec_") or len(secret) < 16:
        raise ConfigError(
            "a webhook secret looks like whsec_ followed by base64",
            hint=f"omit {wording.secret} and newswatch makes one (shown once)",
        )
    return secret


def check_watchlists(names: Collection[str], known: Collection[str]) -> tuple[str, ...]:
    """The names, each of a watchlist that exists; the first unknown one is refused."""
    for name in names:
        if name not in known:
            raise UnknownWatchlistError(
                f"no watchlist '{name}'", hint=f"known watchlists: {', '.join(sorted(known))}"
            )
    return tuple(names)


def check_min_score(score: float) -> float:
    if not 0.0 <= score <= 1.0:
        raise ConfigError(f"a minimum score of {score} is not between 0 and 1", hint="e.g. 0.6")
    return score


def quiet_hours(text: str | None) -> str | None:
    """Quiet hours as stored (``22:00-07:00``); None for none (``""`` or ``none``)."""
    return None if not text or text.lower() == "none" else str(parse_quiet_hours(text))


def subscription_state(s: SubscriptionRecord) -> str:
    """``active``, ``paused`` (by its owner) or ``disabled`` (by a receiver's answer)."""
    if s.disabled_reason:
        return "disabled"
    return "paused" if s.paused else "active"


def check_active(s: SubscriptionRecord, what: str, wording: Wording = COMMAND_LINE) -> None:
    """Refuse to send to a paused (or receiver-disabled) subscription; ``what`` says why."""
    if s.paused:
        raise ConfigError(
            f"subscription {s.id} is {subscription_state(s)}: {what}",
            hint=wording.resume.format(id=s.id),
        )


def check_subscription(
    spec: SubscriptionSpec, known: Collection[str], wording: Wording = COMMAND_LINE
) -> CheckedSubscription:
    """Everything about a new subscription, checked once; what to store."""
    w = wording
    if bool(spec.email) == bool(spec.webhook):
        raise ConfigError(
            f"give either {w.email} (one or more) or {w.webhook}", hint=f"e.g. {w.email_example}"
        )
    if not spec.watchlists and not spec.feed_alerts:
        raise ConfigError(
            f"give at least one {w.watchlist}",
            hint=f"or {w.feed_alerts} alone for a subscription that only hears about feed health",
        )
    if spec.email and (spec.format is not None or spec.secret is not None):
        raise MisappliedOptionError(
            f"{w.format} and {w.secret} apply to webhooks; an email digest is text and HTML",
            hint=f"leave out {w.format} and {w.secret}, or give {w.webhook} instead",
        )
    watchlists = check_watchlists(spec.watchlists, known)
    schedule = str(parse_schedule(spec.every))
    parse_timezone(spec.timezone)
    fmt, secret = "json", None
    if spec.email:
        channel, target = "email", check_emails(spec.email)
    else:
        assert spec.webhook is not None
        channel, target = "webhook", check_webhook(spec.webhook)
        fmt = check_format(spec.format or format_for(target))
        if spec.secret is not None:
            secret = check_secret(spec.secret, w)
    return CheckedSubscription(
        channel=channel,
        target=target,
        watchlists=watchlists,
        schedule=schedule,
        timezone=spec.timezone,
        format=fmt,
        secret=secret,
        make_secret=channel == "webhook" and secret is None,
        min_score=check_min_score(spec.min_score),
        quiet_hours=quiet_hours(spec.quiet_hours),
        send_empty=spec.send_empty,
        feed_alerts=spec.feed_alerts,
    )


def check_edit(
    current: SubscriptionRecord,
    edit: SubscriptionEdit,
    known: Collection[str],
    wording: Wording = COMMAND_LINE,
) -> CheckedEdit:
    """A change to ``current``, checked once; the fields to change. Nothing given is refused."""
    w = wording
    changes: dict[str, object] = {}
    if edit.watchlists:
        changes["watchlists"] = list(check_watchlists(edit.watchlists, known))
    if edit.email:
        if current.channel != "email":
            raise ConfigError("this subscription is a webhook", hint=w.use_webhook)
        changes["target"] = check_emails(edit.email)
    if edit.webhook:
        if current.channel != "webhook":
            raise ConfigError("this subscription is by email", hint=w.use_email)
        changes["target"] = check_webhook(edit.webhook)
    if edit.every:
        changes["schedule"] = str(parse_schedule(edit.every))
    if edit.timezone:
        parse_timezone(edit.timezone)
        changes["timezone"] = edit.timezone
    if (edit.format or edit.secret) and current.channel != "webhook":
        raise ConfigError(
            f"{w.format} and {w.secret} apply to webhook subscriptions only",
            hint=f"subscription {current.id} is by email",
        )
    if edit.format:
        changes["format"] = check_format(edit.format)
    make_secret = edit.secret == NEW_SECRET
    if edit.secret and not make_secret:
        changes["secret"] = check_secret(edit.secret, w)
    if edit.min_score is not None:
        changes["min_score"] = check_min_score(edit.min_score)
    if edit.quiet_hours is not None:
        changes["quiet_hours"] = quiet_hours(edit.quiet_hours)
    if edit.send_empty is not None:
        changes["send_empty"] = edit.send_empty
    if edit.feed_alerts is not None:
        if not edit.feed_alerts and not (edit.watchlists or current.watchlists):
            raise ConfigError(
                f"subscription {current.id} gets feed alerts only: without them, nothing",
                hint=f"{w.remove.format(id=current.id)}, or give {w.watchlist} too",
            )
        changes["feed_alerts"] = edit.feed_alerts
    if not changes and not make_secret:
        raise ConfigError("nothing to change", hint=w.edit_help)
    return CheckedEdit(changes, make_secret)
