"""When a feed is checked next: the pure decisions of monitor.schedule.polling, as case tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.schedule.polling import (
    Bounds,
    Hints,
    adapt_interval,
    freshness_seconds,
    retry_after_seconds,
    schedule_error,
    schedule_success,
    usual_gap,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
B = Bounds()
HTTP_IN_2H = "Wed, 25 Nov 2026 14:00:00 GMT"

SUCCESS = [
    ("interval alone", 900, Hints(), 900),
    ("max-age longer than interval", 900, Hints(max_age=3600), 3600),
    ("max-age shorter is ignored", 900, Hints(max_age=60), 900),
    ("rss ttl in minutes", 900, Hints(ttl_minutes=60), 3600),
    ("sy:updatePeriod daily", 900, Hints(update_minutes=1440), 86_400),
    ("retry-after on a 200", 900, Hints(retry_after=7200), 7200),
    ("largest of all wins", 900, Hints(max_age=1800, ttl_minutes=40, retry_after=2000), 2400),
    ("a week of ttl is capped at a day", 900, Hints(ttl_minutes=7 * 1440), 86_400),
    ("an interval below the floor is raised", 5, Hints(), 60),
]


@pytest.mark.parametrize(
    ("interval", "hints", "seconds"), [c[1:] for c in SUCCESS], ids=[c[0] for c in SUCCESS]
)
def test_next_check_after_success(interval: int, hints: Hints, seconds: int) -> None:
    assert schedule_success(NOW, interval, hints, B) == NOW + timedelta(seconds=seconds)


ERRORS = [
    ("first error waits one interval", 1, None, 900),
    ("second doubles", 2, None, 1800),
    ("fifth is 16 intervals", 5, None, 900 * 16),
    ("many errors stop at a day", 30, None, 86_400),
    ("retry-after longer than backoff", 1, 7200.0, 7200),
    ("retry-after shorter than backoff", 4, 60.0, 7200),
    ("absurd retry-after is capped", 1, 10 * 86_400.0, 86_400),
]


@pytest.mark.parametrize(
    ("errors", "retry_after", "seconds"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS]
)
def test_exponential_backoff(errors: int, retry_after: float | None, seconds: int) -> None:
    assert schedule_error(NOW, 900, errors, retry_after, B) == NOW + timedelta(seconds=seconds)


def test_busy_feeds_are_polled_more_often_and_quiet_ones_less() -> None:
    busy = quiet = 900
    for _ in range(20):
        busy = adapt_interval(busy, 900, new_items=3, bounds=B)
        quiet = adapt_interval(quiet, 900, new_items=0, bounds=B)
    assert busy == 225  # a quarter of the configured interval, no lower
    assert quiet == 3600  # four times, no higher
    assert adapt_interval(busy, 900, new_items=0, bounds=B) > busy  # and back again


FRESHNESS = [
    ("max-age", {"cache-control": "public, max-age=600"}, 600.0),
    ("s-maxage alone", {"cache-control": "s-maxage=300"}, 300.0),
    ("max-age preferred to s-maxage", {"cache-control": "s-maxage=30, max-age=600"}, 600.0),
    ("no-cache means no hint", {"cache-control": "no-cache, max-age=600"}, None),
    ("expires", {"expires": HTTP_IN_2H}, 7200.0),
    ("expires in the past", {"expires": "Wed, 25 Nov 2026 10:00:00 GMT"}, 0.0),
    ("garbage expires", {"expires": "soon"}, None),
    ("nothing", {}, None),
]


@pytest.mark.parametrize(
    ("headers", "seconds"), [c[1:] for c in FRESHNESS], ids=[c[0] for c in FRESHNESS]
)
def test_freshness_from_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert freshness_seconds(headers, NOW) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (HTTP_IN_2H, 7200.0), ("", None), ("later", None)],
    ids=["delta", "http-date", "empty", "garbage"],
)
def test_retry_after(value: str, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds


def test_usual_gap_is_a_moving_average() -> None:
    assert usual_gap(None, 3600) == 3600
    assert usual_gap(3600, 3600 * 6) == pytest.approx(3600 * 2)
    assert usual_gap(3600, None) == 3600
