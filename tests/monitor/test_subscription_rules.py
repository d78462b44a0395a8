"""The subscription rules (``monitor.digests.subscriptions``): what a user is told, what is kept.

Pure: values in, a checked subscription or a named error with a hint out. The
last test runs the same bad subscriptions through the CLI and the API and
compares what each says.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.digests.subscriptions import (
    API,
    NEW_SECRET,
    SubscriptionEdit,
    SubscriptionSpec,
    check_active,
    check_edit,
    check_subscription,
    subscription_state,
)
from monitor.errors import ConfigError, MisappliedOptionError, UnknownWatchlistError
from storage.records import SubscriptionRecord
from storage.subscriptions import list_subscriptions
from tests.support.cli import newswatch
from tests.support.web import TOKEN, install_builtins, web_server

KNOWN = {"embassy-raids", "vienna-conventions"}
RAIDS = ("embassy-raids",)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def mail(*addresses: str, **more: object) -> SubscriptionSpec:
    return replace(SubscriptionSpec(email=addresses, watchlists=RAIDS), **more)


def hook(url: str, **more: object) -> SubscriptionSpec:
    return replace(SubscriptionSpec(webhook=url, watchlists=RAIDS), **more)


@pytest.mark.parametrize(
    ("spec", "error", "says", "hint"),
    [
        (mail("not-an-address"), ConfigError, "'not-an-address' is not an email address",
         "name@example.org"),
        (mail("Desk <desk@nowhere>"), ConfigError, "is not an email address", "Full Name"),
        (hook("ftp://x.example/"), ConfigError, "'ftp://x.example/' is not an http(s) URL",
         "https://hooks.example/x"),
        (hook("https:///path-only"), ConfigError, "not an http(s) URL", "e.g."),
        (hook("https://x.example/", format="irc"), ConfigError, "unknown webhook format 'irc'",
         "slack"),
        (hook("https://x.example/", secret="hunter2"), ConfigError, "whsec_", "omit --secret"),
        (SubscriptionSpec(email=["a@example.org"], webhook="https://x.example/",
                          watchlists=RAIDS), ConfigError, "give either --email", "--email a@"),
        (SubscriptionSpec(watchlists=RAIDS), ConfigError, "give either --email", "e.g."),
        (SubscriptionSpec(email=["a@example.org"]), ConfigError, "give at least one --watchlist",
         "--feed-alerts alone"),
        (mail("a@example.org", watchlists=["embasy"]), UnknownWatchlistError,
         "no watchlist 'embasy'", "known watchlists: embassy-raids, vienna-conventions"),
        (mail("a@example.org", format="slack"), MisappliedOptionError,
         "apply to webhooks", "leave out --format"),
        (mail("a@example.org", every="daily@8"), ConfigError, "unknown schedule", "daily@"),
        (mail("a@example.org", timezone="Mars/Olympus"), ConfigError, "unknown time zone",
         "Europe/Madrid"),
        (mail("a@example.org", quiet_hours="late"), ConfigError, "quiet hours 'late'", ""),
        (mail("a@example.org", min_score=1.5), ConfigError, "not between 0 and 1", "0.6"),
    ],
    ids=[
        "email", "email-no-dot", "scheme", "no-host", "format", "secret", "both-channels",
        "no-channel", "no-watchlist", "unknown-watchlist", "format-on-email", "schedule",
        "zone", "quiet-hours", "min-score",
    ],
)  # fmt: skip
def test_a_bad_subscription_is_refused_with_what_and_how_to_fix_it(
    spec: SubscriptionSpec, error: type[Exception], says: str, hint: str
) -> None:
    with pytest.raises(error) as refused:
        check_subscription(spec, KNOWN)
    assert says in refused.value.message  # type: ignore[attr-defined]
    assert refused.value.hint and hint in refused.value.hint  # type: ignore[attr-defined]


def test_the_api_is_told_in_its_own_field_names() -> None:
    with pytest.raises(ConfigError) as neither:
        check_subscription(SubscriptionSpec(watchlists=RAIDS), KNOWN, API)
    assert neither.value.message == "give either email (one or more) or webhook"
    assert neither.value.hint == 'e.g. "email": ["a@example.org"]'
    with pytest.raises(ConfigError) as secret:
        check_subscription(hook("https://x.example/", secret="short"), KNOWN, API)
    assert secret.value.hint == "omit secret and newswatch makes one (shown once)"


@pytest.mark.parametrize(
    ("spec", "channel", "target", "fmt", "make_secret"),
    [
        (mail(" a@example.org ", "Alicia Bárcena <desk@example.org>"), "email",
         "a@example.org,Alicia Bárcena <desk@example.org>", "json", False),
        (mail("ops@localhost"), "email", "ops@localhost", "json", False),
        (hook("https://hooks.slack.com/services/T0/B0/x"), "webhook",
         "https://hooks.slack.com/services/T0/B0/x", "slack", True),
        (hook("https://ecuador.webhook.office.com/x"), "webhook",
         "https://ecuador.webhook.office.com/x", "teams", True),
        (hook("https://hooks.slack.com/x", format="json"), "webhook",
         "https://hooks.slack.com/x", "json", True),
        (hook("https://hooks.example/x", secret=SECRET), "webhook", "https://hooks.example/x",
         "json", False),
    ],
    ids=["emails-joined", "localhost", "slack-host", "teams-host", "format-given", "own-secret"],
)  # fmt: skip
def test_a_good_subscription_is_stored_as_given(
    spec: SubscriptionSpec, channel: str, target: str, fmt: str, make_secret: bool
) -> None:
    checked = check_subscription(spec, KNOWN)
    assert (checked.channel, checked.target, checked.format) == (channel, target, fmt)
    assert checked.make_secret is make_secret
    assert checked.secret == (spec.secret if channel == "webhook" else None)


def test_schedule_and_quiet_hours_are_stored_in_their_written_form() -> None:
    checked = check_subscription(
        mail("a@example.org", every="weekly@mon@08:00", quiet_hours="22:00-07:00"), KNOWN
    )
    assert (checked.schedule, checked.quiet_hours) == ("weekly@mon@08:00", "22:00-07:00")
    assert check_subscription(mail("a@example.org", quiet_hours="none"), KNOWN).quiet_hours is None
    alerts_only = check_subscription(
        SubscriptionSpec(email=["ops@example.org"], feed_alerts=True), KNOWN
    )
    assert alerts_only.watchlists == () and alerts_only.feed_alerts


NOW = datetime(2026, 4, 6, 8, 0, tzinfo=UTC)
BY_MAIL = SubscriptionRecord(
    id=7, channel="email", target="a@example.org", format="json", watchlists=RAIDS,
    schedule="daily@08:00", timezone="UTC", secret=None, min_score=0.0, paused=False,
    disabled_reason=None, created_at=NOW, last_digest_at=None,
)  # fmt: skip
BY_HOOK = replace(BY_MAIL, id=8, channel="webhook", target="https://hooks.example/x")
ALERTS_ONLY = replace(BY_MAIL, id=9, watchlists=(), feed_alerts=True)


@pytest.mark.parametrize(
    ("current", "edit", "says", "hint"),
    [
        (BY_HOOK, SubscriptionEdit(email=["b@example.org"]), "this subscription is a webhook",
         "use --webhook URL"),
        (BY_MAIL, SubscriptionEdit(webhook="https://h.example/"), "this subscription is by email",
         "use --email ADDRESS"),
        (BY_MAIL, SubscriptionEdit(secret=NEW_SECRET), "webhook subscriptions only",
         "subscription 7 is by email"),
        (BY_MAIL, SubscriptionEdit(format="slack"), "webhook subscriptions only", "by email"),
        (BY_HOOK, SubscriptionEdit(format="irc"), "unknown webhook format", "json"),
        (ALERTS_ONLY, SubscriptionEdit(feed_alerts=False), "feed alerts only: without them",
         "`newswatch subscription remove 9`, or give --watchlist too"),
        (BY_MAIL, SubscriptionEdit(), "nothing to change", "subscription edit --help"),
        (BY_MAIL, SubscriptionEdit(every="fortnightly"), "unknown schedule", ""),
    ],
    ids=["email-on-webhook", "webhook-on-email", "secret-on-email", "format-on-email",
         "format", "alerts-only-off", "nothing", "schedule"],
)  # fmt: skip
def test_a_bad_change_is_refused(
    current: SubscriptionRecord, edit: SubscriptionEdit, says: str, hint: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        check_edit(current, edit, KNOWN)
    assert says in refused.value.message
    assert refused.value.hint and hint in refused.value.hint


def test_a_change_lists_only_what_was_given() -> None:
    checked = check_edit(
        BY_MAIL,
        SubscriptionEdit(every="hourly", quiet_hours="none", email=["new@example.org"]),
        KNOWN,
    )
    assert dict(checked.changes) == {
        "schedule": "hourly",
        "quiet_hours": None,
        "target": "new@example.org",
    }
    assert not checked.make_secret
    rotated = check_edit(BY_HOOK, SubscriptionEdit(secret=NEW_SECRET), KNOWN)
    assert rotated.make_secret and dict(rotated.changes) == {}
    with pytest.raises(UnknownWatchlistError):
        check_edit(BY_MAIL, SubscriptionEdit(watchlists=["gone"]), KNOWN)
    turned_off = check_edit(
        ALERTS_ONLY, SubscriptionEdit(feed_alerts=False, watchlists=["embassy-raids"]), KNOWN
    )
    assert dict(turned_off.changes) == {"watchlists": ["embassy-raids"], "feed_alerts": False}


@pytest.mark.parametrize(
    ("record", "state"),
    [
        (BY_MAIL, "active"),
        (replace(BY_MAIL, paused=True), "paused"),
        (replace(BY_MAIL, paused=True, disabled_reason="410 Gone"), "disabled"),
    ],
    ids=["active", "paused", "disabled-by-receiver"],
)
def test_subscription_state(record: SubscriptionRecord, state: str) -> None:
    assert subscription_state(record) == state


def test_nothing_is_sent_to_a_paused_subscription_and_the_hint_says_how_to_resume() -> None:
    check_active(BY_MAIL, "nothing is sent to it")  # active: no error
    with pytest.raises(ConfigError) as paused:
        check_active(replace(BY_MAIL, paused=True), "nothing is sent to it")
    assert paused.value.message == "subscription 7 is paused: nothing is sent to it"
    assert paused.value.hint == "`newswatch subscription resume 7` first"
    with pytest.raises(ConfigError) as disabled:
        check_active(replace(BY_HOOK, paused=True, disabled_reason="410"), "it waits", API)
    assert disabled.value.message == "subscription 8 is disabled: it waits"
    assert disabled.value.hint == "POST /api/v1/subscriptions/8/resume first"


# The same bad subscription, by command line and by API: the same message and hint.
SAME = [
    (["--email", "not-an-address"], {"email": ["not-an-address"]}),
    (["--webhook", "ftp://x.example/"], {"webhook": "ftp://x.example/"}),
    (["--webhook", "https://x.example/", "--format", "irc"],
     {"webhook": "https://x.example/", "format": "irc"}),
    (["--email", "a@example.org", "--every", "daily@8"],
     {"email": ["a@example.org"], "every": "daily@8"}),
    (["--email", "a@example.org", "-w", "embasy"],
     {"email": ["a@example.org"], "watchlists": ["embassy-raids", "embasy"]}),
]  # fmt: skip


def test_the_cli_and_the_api_refuse_a_bad_subscription_alike(
    settings: Settings, sqlite_engine: Engine, tmp_path: Path
) -> None:
    install_builtins(sqlite_engine, NOW)
    data = tmp_path / "data"  # the same database the API serves
    assert settings.data_dir == data
    with web_server(settings, sqlite_engine, token=TOKEN) as url:
        for args, body in SAME:
            ran = newswatch(data, "subscription", "add", "-w", "embassy-raids", *args)
            said = dict(
                line.split(": ", 1)
                for line in ran.stderr.splitlines()
                if line.startswith(("error: ", "hint: "))
            )
            answer = httpx.post(
                url + "api/v1/subscriptions",
                json={"watchlists": ["embassy-raids"], **body},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=20,
            )
            assert ran.code == 1 and answer.status_code in (400, 404), (args, answer.text)
            assert said == {
                "error": answer.json()["message"],
                "hint": answer.json()["hint"],
            }, args
    assert list_subscriptions(sqlite_engine) == []


def test_a_format_for_an_email_subscription_is_a_usage_error_on_the_command_line(
    tmp_path: Path,
) -> None:
    ran = newswatch(
        tmp_path / "data", "subscription", "add", "--email", "a@example.org",
        "--format", "slack", "-w", "embassy-raids",
    )  # fmt: skip
    said = " ".join(ran.stderr.replace("│", " ").split())  # typer's usage box, unwrapped
    assert ran.code == 2 and "--format and --secret apply to webhooks; an email" in said
    assert newswatch(tmp_path / "data", "subscription", "list").text == "subscriptions: none\n"
