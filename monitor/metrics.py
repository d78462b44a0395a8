"""Prometheus metrics and the ``/healthz`` and ``/metrics`` endpoint of the daemon.

Counters are updated in-process (no I/O); ``serve`` starts a small HTTP server
on a local port (I/O) whose feed-state gauge reads the database at scrape time.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from monitor.errors import ConfigError
from monitor.schedule.health import STATES

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
POLLS = Counter("newswatch_polls", "Feed polls by result", ["result"], registry=REGISTRY)
ERRORS = Counter("newswatch_poll_errors", "Failed polls by reason", ["reason"], registry=REGISTRY)
ITEMS = Counter("newswatch_new_stories", "New stories stored", registry=REGISTRY)
MATCHES = Counter("newswatch_matches", "New watchlist matches", registry=REGISTRY)
CYCLES = Counter("newswatch_cycles", "Poll cycles run", registry=REGISTRY)
DIGESTS = Counter("newswatch_digests_composed", "Digests composed", registry=REGISTRY)
DELIVERIES = Counter(
    "newswatch_deliveries", "Digest deliveries by result", ["result"], registry=REGISTRY
)
LATENCY = Histogram(
    "newswatch_publication_to_delivery_seconds",
    "Time from a story's publication (or first sight) to the delivery of its digest",
    buckets=(60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400),
    registry=REGISTRY,
)
HEALTH_MAX_SILENCE = 3600.0  # /healthz fails when no cycle finished for this long


def observe_poll(result: str, reason: str | None) -> None:
    POLLS.labels(result=result).inc()
    if reason is not None:
        ERRORS.labels(reason=reason).inc()


def observe_items(stories: int, matches: int) -> None:
    if stories:
        ITEMS.inc(stories)
    if matches:
        MATCHES.inc(matches)


def observe_cycle(feeds: int) -> None:
    CYCLES.inc()
    _LAST_CYCLE[0] = datetime.now(UTC)


def observe_dispatch(composed: int, sent: int, failed: int) -> None:
    if composed:
        DIGESTS.inc(composed)
    if sent:
        DELIVERIES.labels(result="sent").inc(sent)
    if failed:
        DELIVERIES.labels(result="failed").inc(failed)


def observe_delivery_latency(pairs: list[tuple[datetime, datetime]]) -> None:
    for published, sent in pairs:
        LATENCY.observe(max(0.0, (sent - published).total_seconds()))


_LAST_CYCLE: list[datetime | None] = [None]


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
    last = _LAST_CYCLE[0]
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
    started = datetime.now(UTC)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(registry), "text/plain; version=0.0.4")
            elif path == "/healthz":
                status, body = health(started, datetime.now(UTC))
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
