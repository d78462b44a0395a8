"""Feed health alerts end to end, against a real feed server, SMTP server and webhook receiver.

A feed served well, then 500s until it turns failing: each subscription that
asked gets exactly one "broke" message (none while it goes on to dead), then
exactly one "recovered" message when it is served well again. A process that
dies between polling and alerting, or after sending, loses and invents nothing;
quiet hours hold alerts; the CLI shows and switches the option.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from monitor.config import FAULT_ENV, Settings
from monitor.delivery.dispatch import LEASE, compose_feed_alerts, deliver_due
from monitor.poll.ingest import Ingestor
from monitor.service.cycle import Service
from storage.database import open_engine
from storage.digests import list_digests
from storage.feeds import add_feed, list_feeds, record_feed_error
from storage.records import FeedRecord
from storage.subscriptions import add_subscription, set_paused, update_subscription
from tests.monitor.outbox_support import SECRET, VerifyingReceiver, receiving, run_cli
from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, MailSink, Route, serving, smtp_server

GOOD = Route(
    rss("Andes Wire", [Item("w-1", "Harvest festival in Cuenca", "Music.", "https://a.example/1")])
)
DOWN = Route(b"upstream is down", status=500, etag=False)


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    feeds: FeedServer
    hook: VerifyingReceiver
    mail: MailSink
    settings: Settings
    engine: Engine
    clock: Clock

    @property
    def feed_url(self) -> str:
        return self.feeds.url("/wire.xml")

    def feed(self) -> FeedRecord:
        return next(f for f in list_feeds(self.engine) if f.url == self.feed_url)

    def alerts_by_hook(self) -> list[dict[str, Any]]:
        return [json.loads(a.body) for a in self.hook.accepted]

    def alerts_by_mail(self) -> list[email.message.EmailMessage]:
        found = []
        for _, _, raw in self.mail.messages:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if message["X-Newswatch-Alert"]:
                found.append(message)
        return found  # type: ignore[return-value]


@pytest.fixture
def rig(engine: Engine, settings: Settings) -> Iterator[Rig]:
    feeds = FeedServer()
    feeds.routes["/wire.xml"] = GOOD
    with serving(feeds), receiving(VerifyingReceiver()) as hook, smtp_server() as (mail, port):
        fast = replace(
            settings, smtp_url=f"smtp://127.0.0.1:{port}", host_spacing=0.001, parse_workers=1
        )
        yield Rig(feeds, hook, mail, fast, engine, Clock())


def _subscribe(rig: Rig) -> tuple[int, int]:
    """An alerts-only webhook, and an email digest subscription with alerts on."""
    now = rig.clock.now - timedelta(minutes=1)
    hook = add_subscription(
        rig.engine,
        channel="webhook",
        target=rig.hook.url(),
        secret=SECRET,
        watchlists=[],
        schedule="instant",
        timezone="UTC",
        now=now,
        feed_alerts=True,
    )
    mail = add_subscription(
        rig.engine,
        channel="email",
        target="desk@example.org",
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="America/Guayaquil",
        now=now,
        feed_alerts=True,
    )
    return hook.id, mail.id


def _cycle(service: Service, rig: Rig) -> None:
    feed = rig.feed()
    if feed.next_check_at is not None:
        rig.clock.now = max(rig.clock.now, feed.next_check_at)
    asyncio.run(service.cycle())


def test_one_message_when_a_feed_breaks_and_one_when_it_recovers(rig: Rig) -> None:
    hook_sub, mail_sub = _subscribe(rig)
    silent = add_subscription(  # digests only: hears nothing about feeds
        rig.engine,
        channel="webhook",
        target=rig.hook.url("/digests"),
        secret=SECRET,
        watchlists=["ice-consulates"],
        schedule="instant",
        timezone="UTC",
        now=rig.clock.now,
    ).id
    add_feed(rig.engine, rig.feed_url, rig.clock.now)
    service = Service(rig.settings, rig.engine, clock=rig.clock)
    try:
        _cycle(service, rig)
        assert rig.feed().state == "healthy" and rig.hook.attempts == []

        rig.feeds.routes["/wire.xml"] = DOWN
        for errors in (1, 2):  # degraded: not worth a message
            _cycle(service, rig)
            assert (rig.feed().state, rig.feed().error_count) == ("degraded", errors)
        assert rig.hook.attempts == [] and rig.alerts_by_mail() == []

        _cycle(service, rig)  # the third failure in a row: failing
        assert rig.feed().state == "failing"
        [broke] = rig.alerts_by_hook()
        assert broke["type"] == "newswatch.feed.broke"
        assert broke["subscription_id"] == hook_sub
        [feed] = broke["feeds"]
        assert (feed["url"], feed["title"], feed["state"]) == (
            rig.feed_url,
            "Andes Wire",
            "failing",
        )
        assert "3 failures in a row" in feed["reason"] and "500" in feed["reason"]
        assert all(a.signed for a in rig.hook.attempts)
        [mailed] = rig.alerts_by_mail()
        assert mailed["Subject"] == "[newswatch] feed failing: Andes Wire"
        assert mailed["To"] == "desk@example.org"
        body = mailed.get_body(preferencelist=("plain",))
        assert body is not None and "3 failures in a row" in body.get_content()

        while rig.feed().state != "dead":  # failing on to dead is no second message
            _cycle(service, rig)
        assert rig.feed().error_count == 10
        assert len(rig.hook.accepted) == 1 and len(rig.alerts_by_mail()) == 1

        rig.feeds.routes["/wire.xml"] = GOOD
        _cycle(service, rig)
        assert rig.feed().state == "healthy"
        broke_again, back = rig.alerts_by_hook()
        assert broke_again == broke
        assert back["type"] == "newswatch.feed.recovered"
        assert (back["feeds"][0]["state"], back["feeds"][0]["was"]) == ("healthy", "failing")
        assert rig.alerts_by_mail()[1]["Subject"] == "[newswatch] feed recovered: Andes Wire"

        for _ in range(2):  # healthy from now on: nothing more
            rig.clock.now += timedelta(hours=1)
            _cycle(service, rig)
        assert len(rig.hook.accepted) == 2 and len(rig.alerts_by_mail()) == 2
        # Each message went out once, with its own id, in the shared outbox.
        ids = [a.webhook_id for a in rig.hook.accepted]
        assert len(set(ids)) == 2 and all(i.startswith("nwa_") for i in ids)
        assert {d.state for d in list_digests(rig.engine, subscription_id=hook_sub)} == {"sent"}
        assert len(list_digests(rig.engine, subscription_id=mail_sub)) == 2
        assert list_digests(rig.engine, subscription_id=silent) == []
    finally:
        service.close()


def _fail(rig: Rig, times: int) -> None:
    """Poll the failing feed ``times`` times, but die before alerting (no Service step)."""
    rig.feeds.routes["/wire.xml"] = DOWN
    ingestor = Ingestor(rig.engine, rig.settings, clock=rig.clock)
    try:
        for _ in range(times):
            feed = rig.feed()
            rig.clock.now = max(rig.clock.now, feed.next_check_at or rig.clock.now)
            asyncio.run(ingestor.run_cycle())
    finally:
        ingestor.close()


def test_a_crash_between_polling_and_alerting_loses_no_alert_and_adds_none(
    rig: Rig, database_url: str
) -> None:
    _subscribe(rig)
    add_feed(rig.engine, rig.feed_url, rig.clock.now)
    _fail(rig, 3)  # the feed is failing in the database; nobody was told yet
    assert rig.feed().state == "failing" and rig.hook.attempts == []

    restarted = open_engine(database_url)  # a new process: nothing remembered
    service = Service(rig.settings, restarted, clock=rig.clock)
    try:
        asyncio.run(service.cycle())  # no feed is due: the alert comes from stored state
        asyncio.run(service.cycle())
    finally:
        service.close()
        restarted.dispose()
    assert [a["type"] for a in rig.alerts_by_hook()] == ["newswatch.feed.broke"]
    assert len(rig.alerts_by_mail()) == 1


def _env(rig: Rig, database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "NEWSWATCH_DATABASE_URL": database_url,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_SMTP_URL": rig.settings.smtp_url,
        "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
    }
    env.pop(FAULT_ENV, None)
    return env


def test_a_sender_killed_after_sending_repeats_the_alert_with_the_same_id(
    rig: Rig, database_url: str, tmp_path: Path
) -> None:
    hook_sub, _ = _subscribe(rig)
    feed, _ = add_feed(rig.engine, rig.feed_url, rig.clock.now)
    record_feed_error(
        rig.engine, feed.id, "HTTP 500", rig.clock.now, rig.clock.now, "failing", "HTTP 500"
    )
    now = datetime.now(UTC)
    [alert, _mailed] = compose_feed_alerts(rig.engine, now)
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "digest", "send", str(hook_sub)],
        env={**_env(rig, database_url, tmp_path), FAULT_ENV: "after-send"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL
    assert rig.hook.deliveries() == {alert: 1}  # the receiver has it; the outbox does not know

    later = now + LEASE * 2  # a restarted process, past the dead one's lease
    asyncio.run(deliver_due(rig.engine, rig.settings, later))
    asyncio.run(deliver_due(rig.engine, rig.settings, later + timedelta(minutes=1)))
    assert compose_feed_alerts(rig.engine, later) == []  # and no new alert for the same change
    assert rig.hook.deliveries() == {alert: 2}  # at least once; the repeat keeps its id
    assert len({a.body for a in rig.hook.accepted}) == 1
    assert {d.state for d in list_digests(rig.engine)} == {"sent"}


NIGHT = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 00:30 in Madrid


def test_quiet_hours_hold_alerts_until_morning_and_others_get_them_at_once(rig: Rig) -> None:
    common: dict[str, Any] = {
        "channel": "webhook",
        "secret": SECRET,
        "watchlists": [],
        "schedule": "daily@08:00",
        "timezone": "Europe/Madrid",
        "now": NIGHT - timedelta(days=1),
        "feed_alerts": True,
    }
    sleeping = add_subscription(
        rig.engine, target=rig.hook.url("/sleeping"), quiet_hours="22:00-07:00", **common
    ).id
    awake = add_subscription(rig.engine, target=rig.hook.url("/awake"), **common).id
    feed, _ = add_feed(rig.engine, rig.feed_url, NIGHT)
    record_feed_error(rig.engine, feed.id, "HTTP 500", NIGHT, NIGHT, "failing", "HTTP 500")

    assert len(compose_feed_alerts(rig.engine, NIGHT)) == 2  # both recorded at once
    asyncio.run(deliver_due(rig.engine, rig.settings, NIGHT))
    [sent] = rig.alerts_by_hook()
    assert sent["subscription_id"] == awake  # not a daily digest: at once

    before_seven = datetime(2026, 3, 29, 4, 59, tzinfo=UTC)  # 06:59 CEST
    assert compose_feed_alerts(rig.engine, before_seven) == []
    asyncio.run(deliver_due(rig.engine, rig.settings, before_seven))
    assert len(rig.hook.accepted) == 1
    seven = datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    asyncio.run(deliver_due(rig.engine, rig.settings, seven))
    assert [a["subscription_id"] for a in rig.alerts_by_hook()] == [awake, sleeping]
    assert rig.alerts_by_hook()[1]["created_at"] == NIGHT.isoformat()  # when it happened


def test_turning_alerts_on_tells_once_what_is_broken_and_paused_ones_hear_on_resume(
    rig: Rig,
) -> None:
    now = rig.clock.now
    sub = add_subscription(
        rig.engine,
        channel="webhook",
        target=rig.hook.url(),
        secret=SECRET,
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="UTC",
        now=now,
    ).id
    dead, _ = add_feed(rig.engine, "https://dead.example/rss", now)
    flaky, _ = add_feed(rig.engine, "https://flaky.example/rss", now)
    record_feed_error(rig.engine, dead.id, "HTTP 410", now, now, "dead", "gone (HTTP 410)")
    assert compose_feed_alerts(rig.engine, now) == []  # the option is off

    update_subscription(rig.engine, sub, feed_alerts=True)
    assert len(compose_feed_alerts(rig.engine, now)) == 1
    assert compose_feed_alerts(rig.engine, now) == []
    set_paused(rig.engine, sub, True)
    record_feed_error(rig.engine, flaky.id, "HTTP 500", now, now, "failing", "HTTP 500")
    assert compose_feed_alerts(rig.engine, now) == []  # paused: not told
    set_paused(rig.engine, sub, False)
    assert len(compose_feed_alerts(rig.engine, now)) == 1
    asyncio.run(deliver_due(rig.engine, rig.settings, now))
    told = sorted((m["type"], m["feeds"][0]["url"]) for m in rig.alerts_by_hook())
    assert told == [
        ("newswatch.feed.broke", "https://dead.example/rss"),
        ("newswatch.feed.broke", "https://flaky.example/rss"),
    ]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'nw.db'}",
    }


def _ok(env: dict[str, str], *args: str) -> str:
    code, output = run_cli(env, *args)
    assert code == 0, output
    return output


def _row(output: str, label: str) -> str:
    return next(line for line in output.splitlines() if label in line)


def test_the_cli_adds_shows_and_switches_feed_alerts(env: dict[str, str]) -> None:
    added = _ok(
        env, "subscription", "add", "--email", "desk@example.org", "-w", "embassy-raids",
        "--every", "daily@08:00", "--feed-alerts",
    )  # fmt: skip
    assert "added: email desk@example.org, daily@08:00, feed alerts" in added
    ops = _ok(env, "subscription", "add", "--webhook", "https://hooks.example/ops", "--feed-alerts")
    assert "added: webhook (json) https://hooks.example/ops, feed alerts only" in ops
    plain = _ok(env, "subscription", "add", "--email", "b@example.org", "-w", "embassy-raids")
    assert "feed alerts" not in plain

    listing = _ok(env, "subscription", "list")
    assert "feed alerts" in listing  # the column
    assert "(none: feed alerts only)" in listing
    assert "+alerts" in _row(listing, "desk@example.org")
    assert "+alerts" not in _row(listing, "b@example.org")

    shown = _ok(env, "subscription", "show", "1")
    assert "on (when a feed breaks or recovers)" in _row(shown, "feed alerts")
    assert "—" in _row(_ok(env, "subscription", "show", "2"), "next digest")  # no digests
    assert "off" in _row(_ok(env, "subscription", "show", "3"), "feed alerts")

    assert "changed: feed_alerts" in _ok(env, "subscription", "edit", "1", "--no-feed-alerts")
    assert "off" in _row(_ok(env, "subscription", "show", "1"), "feed alerts")
    assert "changed: feed_alerts" in _ok(env, "subscription", "edit", "3", "--feed-alerts")
    assert "+alerts" in _row(_ok(env, "subscription", "list"), "b@example.org")

    code, output = run_cli(env, "subscription", "edit", "2", "--no-feed-alerts")
    assert code == 1 and "feed alerts only" in output and "subscription remove 2" in output
    code, output = run_cli(env, "subscription", "add", "--email", "c@example.org")
    assert code == 1 and "--watchlist" in output and "--feed-alerts" in output


def test_digest_list_and_show_include_feed_alerts(env: dict[str, str], tmp_path: Path) -> None:
    _ok(env, "subscription", "add", "--email", "ops@example.org", "--feed-alerts")
    engine = open_engine(env["NEWSWATCH_DATABASE_URL"])
    try:
        now = datetime.now(UTC)
        feed, _ = add_feed(engine, "https://andes.example/rss", now)
        record_feed_error(engine, feed.id, "HTTP 503", now, now, "failing", "3 failures; HTTP 503")
        [alert] = compose_feed_alerts(engine, now)
    finally:
        engine.dispose()
    assert alert in _ok(env, "digest", "list")
    shown = _ok(env, "digest", "show", alert)
    assert "feed failing: https://andes.example/rss" in shown and "3 failures; HTTP 503" in shown
    sent = _ok(env, "digest", "send", "1")  # no SMTP configured: to the outbox folder
    assert f"digest {alert} written to" in sent
    eml = (tmp_path / "data" / "outbox" / f"{alert}.eml").read_text()
    assert "Subject: [newswatch] feed failing: https://andes.example/rss" in eml
    written = json.loads((tmp_path / "data" / "outbox" / f"{alert}.json").read_text())
    assert written["type"] == "newswatch.feed.broke"
