"""Prometheus metrics: the process-wide counters every part of the service updates.

No I/O: counters are updated in-process. ``monitor.service.endpoint`` serves them on
``/metrics``, with ``/healthz`` beside them.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram

from monitor.clock import utcnow

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
    LAST_CYCLE[0] = utcnow()


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


LAST_CYCLE: list[datetime | None] = [None]  # when the last poll cycle finished
