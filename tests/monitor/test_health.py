"""Source health states and their reasons (monitor.schedule.health), as case tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.schedule.health import after_error, after_success, describe, transition

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOUR = 3600.0

ERRORS = [
    ("first error", 1, None, timedelta(hours=1), "degraded", "HTTP 500"),
    ("third error", 3, None, timedelta(hours=3), "failing", "3 failures in a row"),
    ("tenth error", 10, None, timedelta(hours=30), "dead", "10 failures in a row"),
    ("gone", 1, 410, timedelta(hours=1), "dead", "gone (HTTP 410)"),
    ("two weeks without success", 4, 500, timedelta(days=15), "dead", "no success for 15 days"),
]


@pytest.mark.parametrize(
    ("errors", "status", "since", "state", "words"),
    [c[1:] for c in ERRORS],
    ids=[c[0] for c in ERRORS],
)
def test_state_after_errors(
    errors: int, status: int | None, since: timedelta, state: str, words: str
) -> None:
    health = after_error(NOW, errors, "HTTP 500", status, NOW - since)
    assert health.state == state and words in health.reason


SUCCESS = [
    ("new items", 3, timedelta(days=30), HOUR, "healthy"),
    ("quiet, but within its habit", 0, timedelta(hours=5), HOUR, "healthy"),
    ("hourly feed silent for three days", 0, timedelta(days=3), HOUR, "stale"),
    ("weekly feed silent for three days", 0, timedelta(days=3), 7 * 24 * HOUR, "healthy"),
    ("no history yet", 0, None, None, "healthy"),
]


@pytest.mark.parametrize(
    ("new", "silence", "gap", "state"), [c[1:] for c in SUCCESS], ids=[c[0] for c in SUCCESS]
)
def test_state_after_success(
    new: int, silence: timedelta | None, gap: float | None, state: str
) -> None:
    last = NOW - silence if silence is not None else None
    assert after_success(NOW, new, last, gap).state == state


def test_stale_reason_says_how_long_and_how_usual() -> None:
    health = after_success(NOW, 0, NOW - timedelta(days=3), 6 * HOUR)
    assert health.reason == "no new items for 3 days; it usually has one every 6 hours"


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("healthy", "degraded", None),
        ("degraded", "failing", "broke"),
        ("healthy", "dead", "broke"),
        ("failing", "dead", None),
        ("dead", "healthy", "recovered"),
        ("failing", "stale", "recovered"),
    ],
)
def test_transitions_worth_telling(before: str, after: str, change: str | None) -> None:
    assert transition(before, after) == change


def test_spans_read_naturally() -> None:
    assert describe(timedelta(minutes=45)) == "45 minutes"
    assert describe(timedelta(hours=6)) == "6 hours"
    assert describe(timedelta(days=9)) == "9 days"
