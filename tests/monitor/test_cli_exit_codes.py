"""Exit codes a script can rely on: ``run --once``, ``digest send``, and logs worth reading.

0 success, 1 error (nothing done), 2 usage, 3 partial failure. Real feeds on a local
HTTP server, a real SMTP server (or a closed port), real SQLite files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import migrate, open_engine
from storage.feeds import add_feed
from storage.subscriptions import add_subscription
from tests.monitor.outbox_support import seed
from tests.support.cli import newswatch
from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, Route, free_port, serving, smtp_server

RAID = "Police raid the Mexican embassy in Quito"
NOW = datetime.now(UTC)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    feeds = FeedServer()
    story = Item(
        "q1",
        RAID,
        "Officers stormed the embassy to arrest Jorge Glas.",
        "https://a/1",
        published=NOW - timedelta(hours=1),  # news, not a first poll's backlog
    )
    feeds.routes["/andes.xml"] = Route(rss("Andes Wire", [story]))
    with serving(feeds) as running:
        yield running


def _env(smtp_port: int | None = None) -> dict[str, str]:
    env = {"NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true", "NEWSWATCH_FETCH_TIMEOUT": "5"}
    if smtp_port is not None:
        env["NEWSWATCH_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    return env


def _database(data: Path, *feed_urls: str, subscribe: str | None = None) -> None:
    engine = open_engine(f"sqlite:///{data / 'newswatch.db'}")
    migrate(engine)
    for url in feed_urls:
        add_feed(engine, url, NOW)
    if subscribe:
        add_subscription(
            engine,
            channel="email",
            target=subscribe,
            watchlists=["embassy-raids"],
            schedule="instant",
            timezone="UTC",
            now=NOW - timedelta(hours=1),
        )
    engine.dispose()


def test_one_failed_feed_among_good_ones_exits_0(tmp_path: Path, server: FeedServer) -> None:
    data = tmp_path / "data"
    _database(data, server.url("/andes.xml"), server.url("/gone.xml"))
    ran = newswatch(data, "run", "--once", env=_env(), width=120)
    assert ran.code == 0, ran.text
    assert server.url("/gone.xml") in ran.stdout and "HTTP 404" in ran.stdout


def test_every_feed_failed_exits_1(tmp_path: Path, server: FeedServer) -> None:
    data = tmp_path / "data"
    _database(data, server.url("/gone.xml"), server.url("/also-gone.xml"))
    ran = newswatch(data, "run", "--once", env=_env(), width=120)
    assert ran.code == 1
    assert "every feed failed" in ran.stderr


def test_a_digest_that_cannot_be_delivered_makes_run_once_exit_3(
    tmp_path: Path, server: FeedServer
) -> None:
    data = tmp_path / "data"
    _database(data, server.url("/andes.xml"), subscribe="desk@example.org")
    ran = newswatch(data, "run", "--once", env=_env(free_port()), width=120)
    assert ran.code == 3, ran.text
    assert "delivery failures (will be retried)" in ran.stdout


def _seeded(data: Path, channel: str = "email", target: str = "desk@example.org") -> None:
    engine = open_engine(f"sqlite:///{data / 'newswatch.db'}")
    migrate(engine)
    add_subscription(
        engine,
        channel=channel,
        target=target,
        watchlists=["embassy-raids"],
        schedule="daily@08:00",
        timezone="UTC",
        now=NOW - timedelta(hours=1),
        format="slack" if channel == "webhook" else "json",
    )
    seed(engine, NOW, RAID)
    engine.dispose()


def test_digest_send_that_delivers_nothing_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seeded(data)
    ran = newswatch(data, "digest", "send", "1", env=_env(free_port()), width=120)
    assert ran.code == 1
    assert "not delivered" in ran.stderr


def test_digest_send_without_smtp_says_it_only_wrote_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seeded(data)
    ran = newswatch(data, "digest", "send", "1", width=200)
    assert ran.code == 0, ran.text
    assert "not emailed: no NEWSWATCH_SMTP_URL is set" in ran.stdout
    assert "delivered" not in ran.stderr  # the log says where it went, too
    written = list((data / "outbox").glob("*.eml"))
    assert len(written) == 1 and str(written[0]) in ran.stdout
    again = newswatch(data, "digest", "send", "1")
    assert again.code == 0 and "nothing new" in again.stdout


def test_digest_send_that_delivers_says_to_whom(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seeded(data)
    with smtp_server() as (sink, port):
        ran = newswatch(data, "digest", "send", "1", env=_env(port), width=120)
    assert ran.code == 0, ran.text
    assert "emailed to desk@example.org" in ran.stdout and len(sink.messages) == 1


def test_preview_of_a_webhook_shows_the_body_that_will_be_posted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seeded(data, "webhook", "https://hooks.slack.com/services/T0/B0/x")
    ran = newswatch(data, "digest", "preview", "1")
    assert ran.code == 0, ran.text
    body = json.loads(ran.stdout)
    assert "blocks" in body  # Slack's own format, not the email text
    assert RAID in ran.stdout
    assert "newswatch digest:" not in ran.stdout.splitlines()[0]


def test_a_slack_address_gets_slack_format_and_email_refuses_format(tmp_path: Path) -> None:
    data = tmp_path / "data"
    slack = newswatch(
        data, "subscription", "add", "-w", "embassy-raids",
        "--webhook", "https://hooks.slack.com/services/T0/B0/x",
    )  # fmt: skip
    assert slack.code == 0 and "(slack)" in slack.stdout
    email = newswatch(
        data, "subscription", "add", "-w", "embassy-raids",
        "--email", "a@example.org", "--format", "slack",
    )  # fmt: skip
    assert email.code == 2 and "--format" in email.stderr


@pytest.mark.parametrize("score", ["3", "-1"])
def test_min_score_outside_0_to_1_is_a_usage_error(tmp_path: Path, score: str) -> None:
    ran = newswatch(
        tmp_path / "data", "subscription", "add", "-w", "embassy-raids",
        "--email", "a@example.org", "--min-score", score,
    )  # fmt: skip
    assert ran.code == 2 and "--min-score" in ran.stderr
    assert not (tmp_path / "data").exists()


def test_digest_list_with_an_unknown_state_is_a_usage_error(tmp_path: Path) -> None:
    ran = newswatch(tmp_path / "data", "digest", "list", "--state", "bogus")
    assert ran.code == 2 and "bogus" in ran.stderr


def test_json_logs_carry_fields_and_text_logs_are_not_cut(
    tmp_path: Path, server: FeedServer
) -> None:
    data = tmp_path / "data"
    long_path = "/" + "very-long-feed-path-" * 5 + ".xml"
    server.routes[long_path] = server.routes["/andes.xml"]
    _database(data, server.url(long_path))
    ran = newswatch(data, "--log-format", "json", "run", "--once", env=_env())
    assert ran.code == 0, ran.text
    records = [json.loads(line) for line in ran.stderr.splitlines() if line.startswith("{")]
    polls = [r for r in records if r.get("feed") == server.url(long_path)]
    assert polls and polls[0]["status"] == 200 and polls[0]["duration_ms"] >= 0
    text = newswatch(data, "run", "--once", env=_env())
    lines = [line for line in text.stderr.splitlines() if server.url(long_path) in line]
    assert lines and len(lines[0]) > 80  # one line, not cut at the terminal's width


def test_an_idle_daemon_does_not_log_every_tick(tmp_path: Path, server: FeedServer) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    data = tmp_path / "data"
    _database(data, server.url("/andes.xml"))
    env = {
        **os.environ,
        **_env(),
        "NEWSWATCH_DATA_DIR": str(data),
        "NEWSWATCH_TICK_SECONDS": "1",
        "NEWSWATCH_PARSE_WORKERS": "1",
    }
    env.pop("NEWSWATCH_DATABASE_URL", None)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "monitor", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not server.statuses("/andes.xml"):
        time.sleep(0.05)
    time.sleep(4)  # several ticks with nothing due: the feed waits its poll interval
    daemon.send_signal(signal.SIGTERM)
    output, _ = daemon.communicate(timeout=30)
    assert server.statuses("/andes.xml") == [200]
    cycles = [line for line in output.splitlines() if "cycle:" in line]
    assert len(cycles) == 1, output  # the one that polled; the idle ticks say nothing
    assert "1 feeds" in cycles[0]
