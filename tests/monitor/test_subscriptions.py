"""``newswatch subscription …``: every option stored, shown, edited; wrong input refused with a fix.

And what the options do: quiet hours hold digests, minimum scores filter,
empty digests are sent only when asked, pause and resume.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.dispatch import compose_due, deliver_due
from storage.digests import list_digests
from storage.subscriptions import add_subscription, get_subscription, list_subscriptions
from tests.monitor.outbox_support import run_cli, seed


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'nw.db'}",
    }


def cli_ok(env: dict[str, str], *args: str) -> str:
    code, output = run_cli(env, *args)
    assert code == 0, output
    return output


def test_add_list_show_edit_pause_resume_remove(env: dict[str, str]) -> None:
    added = cli_ok(
        env, "subscription", "add",
        "--email", "analyst@example.org", "--email", "Alicia Bárcena <desk@example.org>",
        "--watchlist", "embassy-raids", "--watchlist", "vienna-conventions",
        "--every", "weekly@mon@08:00", "--tz", "Europe/Madrid",
        "--min-score", "0.6", "--quiet-hours", "22:00-07:00",
    )  # fmt: skip
    assert "added: email analyst@example.org,Alicia Bárcena <desk@example.org>" in added
    hook = cli_ok(
        env, "subscription", "add", "--webhook", "https://hooks.example/x",
        "--format", "slack", "-w", "embassy-raids", "--every", "cron:0 8 * * 1-5",
    )  # fmt: skip
    assert "webhook signing secret (shown once): whsec_" in hook

    listing = cli_ok(env, "subscription", "list")
    assert "weekly@mon@08:00" in listing and "cron:0 8 * * 1-5" in listing
    assert "│ slack " in listing  # a webhook shows its format

    shown = cli_ok(env, "subscription", "show", "1")
    for expected in ("Europe/Madrid", "22:00-07:00", "0.6", "not sent", "next digest", "CE"):
        assert expected in shown, expected
    assert "whsec_" not in cli_ok(env, "subscription", "show", "2")  # the secret is never shown

    edited = cli_ok(
        env, "subscription", "edit", "1", "--every", "daily@07:30", "--quiet-hours", "none",
        "--send-empty", "--email", "new@example.org",
    )  # fmt: skip
    assert "changed: quiet_hours, schedule, send_empty, target" in edited
    shown = cli_ok(env, "subscription", "show", "1")
    assert "daily@07:30" in shown and "new@example.org" in shown
    assert "none" in next(line for line in shown.splitlines() if "quiet hours" in line)

    code, output = run_cli(env, "subscription", "edit", "1", "--secret", "new")
    assert code == 1 and "webhook subscriptions only" in output
    rotated = cli_ok(env, "subscription", "edit", "2", "--secret", "new")
    assert "new webhook signing secret (shown once): whsec_" in rotated
    assert "paused" in cli_ok(env, "subscription", "pause", "1")
    assert "paused" in cli_ok(env, "subscription", "list")
    cli_ok(env, "subscription", "resume", "1")
    assert "active" in cli_ok(env, "subscription", "show", "1")
    cli_ok(env, "subscription", "remove", "2")
    code, output = run_cli(env, "subscription", "show", "2")
    assert code == 1 and "no subscription 2" in output and "subscription list" in output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--email", "not-an-address"], "is not an email address"),
        (["--email", "a@example.org", "--every", "daily@8"], "unknown schedule"),
        (["--email", "a@example.org", "--tz", "Mars/Olympus"], "unknown time zone"),
        (["--email", "a@example.org", "--quiet-hours", "late"], "quiet hours"),
        (["--webhook", "ftp://x.example/"], "not an http(s) URL"),
        (["--webhook", "https://x.example/", "--format", "irc"], "unknown webhook format"),
        (["--webhook", "https://x.example/", "--secret", "hunter2"], "whsec_"),
        ([], "give either --email"),
    ],
    ids=["email", "schedule", "zone", "quiet", "scheme", "format", "secret", "no-channel"],
)
def test_wrong_input_is_refused_with_a_hint_and_nothing_is_stored(
    env: dict[str, str], args: list[str], says: str
) -> None:
    code, output = run_cli(env, "subscription", "add", "-w", "embassy-raids", *args)
    assert code == 1 and says in output and "hint" in output
    assert "No subscriptions" in cli_ok(env, "subscription", "list") or "│ 1" not in output


def test_an_unknown_watchlist_names_the_known_ones(env: dict[str, str]) -> None:
    code, output = run_cli(env, "subscription", "add", "--email", "a@example.org", "-w", "embasy")
    assert code == 1 and "no watchlist 'embasy'" in output and "embassy-raids" in output


T0 = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # 21:00 in Madrid, the evening before DST


def _sub(engine: Engine, **options: object) -> int:
    values: dict[str, object] = {
        "channel": "email",
        "target": "a@example.org",
        "watchlists": ["embassy-raids"],
        "schedule": "instant",
        "timezone": "Europe/Madrid",
        "now": T0 - timedelta(hours=1),
    }
    values.update(options)
    return add_subscription(engine, **values).id  # type: ignore[arg-type]


def test_quiet_hours_hold_an_instant_digest_until_morning_local_time(engine: Engine) -> None:
    sub = _sub(engine, quiet_hours="22:00-07:00")
    seed(engine, T0, "Police raid the embassy at night")
    night = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 00:30 in Madrid
    assert compose_due(engine, night) == []
    before_seven = datetime(2026, 3, 29, 4, 59, tzinfo=UTC)  # 06:59 CEST, after DST began
    assert compose_due(engine, before_seven) == []
    seven = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # 07:00 CEST
    assert len(compose_due(engine, seven)) == 1
    assert list_digests(engine, subscription_id=sub)[0].item_count == 1


def test_a_daily_digest_is_not_sent_empty_unless_asked(engine: Engine, settings: Settings) -> None:
    quiet = _sub(engine, schedule="daily@08:00")
    chatty = _sub(engine, schedule="daily@08:00", send_empty=True)
    eight = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST
    composed = compose_due(engine, eight)
    assert len(composed) == 1
    assert list_digests(engine, subscription_id=quiet) == []
    [empty] = list_digests(engine, subscription_id=chatty)
    assert empty.item_count == 0
    report = asyncio.run(deliver_due(engine, settings, eight))
    assert report.sent == [empty.id]  # written to the outbox folder: no SMTP configured
    eml = (settings.outbox_dir / f"{empty.id}.eml").read_text()
    assert "nothing new" in eml
    record = get_subscription(engine, quiet)
    assert record is not None and record.last_digest_at == eight  # the period moved on


def test_minimum_score_filters_matches(engine: Engine) -> None:
    strict = _sub(engine, min_score=0.95)
    loose = _sub(engine, min_score=0.5)
    seed(engine, T0, "Police raid the embassy")  # stored with score 0.9
    compose_due(engine, T0)
    assert list_digests(engine, subscription_id=strict) == []
    assert len(list_digests(engine, subscription_id=loose)) == 1


def test_a_paused_subscription_gets_nothing_until_resumed_then_gets_what_it_missed(
    engine: Engine, settings: Settings
) -> None:
    from storage.subscriptions import set_paused

    sub = _sub(engine)
    set_paused(engine, sub, True)
    seed(engine, T0, "Police raid the embassy")
    assert compose_due(engine, T0) == []
    set_paused(engine, sub, False)
    assert len(compose_due(engine, T0 + timedelta(minutes=1))) == 1
    assert [s.paused for s in list_subscriptions(engine)] == [False]
    report = asyncio.run(deliver_due(engine, replace(settings), T0 + timedelta(minutes=1)))
    assert len(report.sent) == 1


def test_one_subscription_with_a_broken_stored_schedule_does_not_stop_the_others(
    engine: Engine,
) -> None:
    from storage.subscriptions import update_subscription

    broken = _sub(engine)
    fine = _sub(engine)
    update_subscription(engine, broken, schedule="fortnightly")  # e.g. edited by hand in the DB
    seed(engine, T0, "Police raid the embassy")
    assert len(compose_due(engine, T0)) == 1
    assert list_digests(engine, subscription_id=broken) == []
    assert len(list_digests(engine, subscription_id=fine)) == 1
