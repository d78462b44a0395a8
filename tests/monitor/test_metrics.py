"""Operations: /metrics and /healthz on a local port, one JSON log line per poll,
and `newswatch status` — through the real daemon where it matters."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import metrics
from monitor.errors import ConfigError
from monitor.service import endpoint
from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, Route, free_port, serving

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("", None),
        ("off", None),
        ("9465", ("127.0.0.1", 9465)),
        ("0.0.0.0:9100", ("0.0.0.0", 9100)),
        ("[::1]:9465", ("::1", 9465)),
    ],
    ids=["empty", "off", "port", "host-port", "ipv6"],
)
def test_metrics_address(value: str, address: tuple[str, int] | None) -> None:
    assert endpoint.parse_address(value) == address


def test_a_bad_metrics_port_says_how_to_fix_it() -> None:
    with pytest.raises(ConfigError, match="NEWSWATCH_METRICS_PORT='nine' is not a port"):
        endpoint.parse_address("nine")


def test_healthz_turns_503_when_cycles_stop() -> None:
    metrics.LAST_CYCLE[0] = NOW
    assert endpoint.health(NOW, NOW + timedelta(minutes=5))[0] == 200
    status, body = endpoint.health(NOW, NOW + timedelta(hours=2))
    assert status == 503 and body["status"] == "stalled"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_daemon_serves_metrics_and_health_and_logs_each_poll_as_json(tmp_path: Path) -> None:
    feeds = FeedServer()
    feeds.routes["/a.xml"] = Route(
        rss(
            "Andes Wire",
            [
                Item(
                    "a-1",
                    "Ecuador police raid Mexican embassy in Quito and arrest Jorge Glas",
                    "Police broke into the Mexican embassy in Quito.",
                    "https://andes.example/1",
                ),
            ],
        )
    )
    feeds.routes["/down.xml"] = Route(b"down", status=503)
    port = free_port()
    env = {
        **os.environ,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSWATCH_TICK_SECONDS": "1",
        "NEWSWATCH_METRICS_PORT": f"127.0.0.1:{port}",
        "NO_COLOR": "1",
        "COLUMNS": "250",
    }
    env.pop("NEWSWATCH_DATABASE_URL", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    with serving(feeds):
        cli("feed", "add", "--force", feeds.url("/a.xml"))
        cli("feed", "add", "--force", feeds.url("/down.xml"))  # `feed add` would refuse a 503
        daemon = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--log-format", "json", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            text = ""
            for _ in range(150):
                time.sleep(0.2)
                try:
                    status, text = _get(f"http://127.0.0.1:{port}/metrics")
                except OSError:
                    continue
                if 'newswatch_polls_total{result="error"}' in text and 'result="ok"' in text:
                    break
            assert 'newswatch_polls_total{result="ok"} 1.0' in text
            assert 'newswatch_poll_errors_total{reason="fetch"} 1.0' in text
            assert 'newswatch_feeds{state="healthy"} 1.0' in text
            assert 'newswatch_feeds{state="degraded"} 1.0' in text
            assert "newswatch_new_stories_total 1.0" in text
            assert "newswatch_publication_to_delivery_seconds_bucket" in text
            status, body = _get(f"http://127.0.0.1:{port}/healthz")
            assert status == 200 and json.loads(body)["status"] == "ok"
        finally:
            daemon.send_signal(signal.SIGTERM)
            _, stderr = daemon.communicate(timeout=30)
        assert daemon.returncode == 0
        lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
        polls = [entry for entry in lines if entry["message"].startswith("poll ")]
        assert any(feeds.url("/a.xml") in p["message"] and "1 new" in p["message"] for p in polls)
        assert any(
            "/down.xml: failed" in p["message"] and "HTTP 503" in p["message"] for p in polls
        )

        status_out = cli("status").stdout
        assert "last poll" in status_out and "feeds due now" in status_out
