"""The daemon's ``/metrics`` and ``/healthz`` endpoint: a small HTTP server on a local port.

I/O: ``serve`` starts the server in a thread; the feed-state gauge reads the database at
scrape time. The counters themselves live in ``monitor.metrics``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.errors import ConfigError
from monitor.metrics import LAST_CYCLE, REGISTRY
from monitor.schedule.health import STATES

log = logging.getLogger(__name__)

HEALTH_MAX_SILENCE = 3600.0  # /healthz fails when no cycle finished for this long


class FeedStates(Collector):
    """``newswatch_feeds{state=…}``, read from the database at each scrape."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("newswatch_feeds", "Feeds by health state", labels=["state"])
        try:
            counts = self.counts()
        except Exception:  # a scrape must not fail because the database is busy
            log.warning("feed states unavailable for /metrics", exc_info=True)
            counts = {}
        for state in STATES:
            gauge.add_metric([state], counts.get(state, 0))
        yield gauge


def parse_address(value: str) -> tuple[str, int] | None:
    """``NEWSWATCH_METRICS_PORT``: '' is off, '9465' is 127.0.0.1:9465, or 'host:port'."""
    text = value.strip()
    if not text or text.lower() in ("off", "false", "no"):
        return None
    host, _, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"NEWSWATCH_METRICS_PORT={value!r} is not a port",
            hint="use a port such as 9465, or 127.0.0.1:9465; leave it empty to turn it off",
        )
    return (host.strip("[]") or "127.0.0.1", int(port))


def health(started: datetime, now: datetime) -> tuple[int, dict[str, Any]]:
    """/healthz: 200 while cycles finish, 503 when none did for ``HEALTH_MAX_SILENCE``."""
    last = LAST_CYCLE[0]
    reference = last or started
    silent = (now - reference).total_seconds()
    body = {
        "status": "ok" if silent < HEALTH_MAX_SILENCE else "stalled",
        "last_cycle": last.isoformat() if last else None,
        "seconds_since_last_cycle": round(silent, 1),
    }
    return (200 if silent < HEALTH_MAX_SILENCE else 503), body


def serve(address: tuple[str, int], engine: Engine) -> ThreadingHTTPServer:
    """Start /metrics and /healthz in a daemon thread; returns the server (``shutdown()``)."""
    from storage.operations import feed_state_counts

    registry = CollectorRegistry()
    registry.register(_Forward())
    registry.register(FeedStates(lambda: feed_state_counts(engine)))
    started = utcnow()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(registry), "text/plain; version=0.0.4")
            elif path == "/healthz":
                status, body = health(started, utcnow())
                self._send(status, json.dumps(body).encode(), "application/json")
            else:
                self._send(404, b"try /metrics or /healthz\n", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    try:
        server = ThreadingHTTPServer(address, Handler)
    except OSError as exc:
        raise ConfigError(
            f"cannot serve metrics on {address[0]}:{address[1]} ({exc.strerror})",
            hint="choose a free port in NEWSWATCH_METRICS_PORT, or leave it empty",
        ) from exc
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="newswatch-metrics", daemon=True).start()
    log.info("metrics on http://%s:%d/metrics, health on /healthz", *server.server_address[:2])
    return server


class _Forward(Collector):
    """Everything in the process-wide ``REGISTRY``."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()
