"""The daemon stops cleanly on SIGTERM mid-cycle; after a restart nothing is lost or sent twice."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from monitor.service.daemon import GRACE
from storage.database import open_engine
from storage.stories import count_stories
from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, Route, serving, smtp_server

FAST = [
    Item(
        f"f-{n}",
        f"Police storm the embassy of country {n} in the capital",
        f"Security forces forced their way into the embassy compound number {n}.",
        f"https://fast.example/{n}",
    )
    for n in range(5)
]
SLOW = [
    Item(
        f"s-{n}",
        f"Mexico files ICJ case number {n} over the Quito embassy raid",
        f"Mexico asked the International Court of Justice to rule on the raid, filing {n}.",
        f"https://slow.example/{n}",
    )
    for n in range(3)
]


def _titles_in_mail(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_sigterm_mid_cycle_then_restart_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    feeds = FeedServer()
    feeds.routes["/fast.xml"] = Route(rss("Fast Wire", FAST))
    # The slow feed answers after the daemon's grace period: its fetch is cut off.
    feeds.routes["/slow.xml"] = Route(rss("Slow Wire", SLOW), delay=GRACE + 5)
    with serving(feeds), smtp_server() as (mail, port):
        env = {
            **os.environ,
            "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
            "NEWSWATCH_SMTP_URL": f"smtp://127.0.0.1:{port}",
            "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
            "NEWSWATCH_TICK_SECONDS": "1",
            "NEWSWATCH_WEB_ADDRESS": "127.0.0.1:0",  # any free port: the console runs too
            # The stories are dated April 2024: not backlog for this test's first poll.
            "NEWSWATCH_BACKLOG_MAX_AGE": str(20 * 365 * 86_400),
        }
        env.pop("NEWSWATCH_DATABASE_URL", None)

        def cli(*args: str) -> None:
            done = subprocess.run(
                [sys.executable, "-m", "monitor", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr

        cli("feed", "add", "--force", feeds.url("/fast.xml"))
        cli("feed", "add", "--force", feeds.url("/slow.xml"))
        cli(
            "subscription",
            "add",
            "--email",
            "desk@example.org",
            "--watchlist",
            "embassy-raids",
            "--watchlist",
            "ecuador-mexico",
            "--every",
            "instant",
        )

        daemon = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            "/slow.xml" in feeds.arrivals and feeds.statuses("/fast.xml")
        ):
            time.sleep(0.05)
        assert feeds.statuses("/slow.xml") == []  # mid-cycle: the slow answer is still pending
        stopped_at = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=15)
        assert daemon.returncode == 0, output
        assert time.monotonic() - stopped_at < 10, output
        assert "stopped" in output
        assert "web console on http://127.0.0.1:" in output  # run says where the console is

        feeds.routes["/slow.xml"].delay = 0
        cli("run", "--once")

    engine = open_engine(f"sqlite:///{tmp_path / 'data' / 'newswatch.db'}")
    assert count_stories(engine) == len(FAST) + len(SLOW)  # nothing lost
    engine.dispose()
    texts = [_titles_in_mail(raw) for _, _, raw in mail.messages]
    for item in FAST + SLOW:
        assert sum(text.count(item.title) for text in texts) == 1, item.title  # nothing twice
