"""When to poll a feed next: the pure scheduling decisions, each taking ``now``.

Pure: no I/O, no clock. The next check after a success is the largest of the
feed's (adaptive) interval, the response's freshness lifetime (Cache-Control
max-age, Expires), the feed's own hints (RSS ``ttl``, ``sy:updatePeriod``), and
the Retry-After of that URL, all within ``Bounds``. After an error the delay
grows exponentially and returns to the interval on the next success.

    decision               inputs                                         result
    ---------------------  ---------------------------------------------  -----------------
    schedule_success       interval, headers, ttl, sy:update, retry-after  next_check_at
    adapt_interval         interval, new items this poll, base interval    new interval
    schedule_error         interval, consecutive errors, retry-after       next_check_at
    usual_gap              previous gap, seconds since the last new item   updated gap
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|[,\s])(s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(no-cache|no-store|must-revalidate)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Bounds:
    """The limits every decision stays within (seconds)."""

    min_interval: int = 60  # never more often than once a minute, whatever a feed says
    max_interval: int = 24 * 3600  # never less often than once a day while healthy
    max_backoff: int = 24 * 3600  # a failing feed is still tried daily
    adapt_floor: float = 0.25  # adaptive interval: from a quarter ...
    adapt_ceiling: float = 4.0  # ... to four times the configured interval


@dataclass(frozen=True, slots=True)
class Hints:
    """What one response says about its own freshness."""

    max_age: float | None = None  # Cache-Control max-age or Expires, seconds from now
    ttl_minutes: int | None = None  # RSS <ttl>
    update_minutes: int | None = None  # sy:updatePeriod / sy:updateFrequency
    retry_after: float | None = None  # Retry-After on this URL, seconds from now


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> float | None:
    """How long the response says it stays fresh: ``max-age``, else ``Expires`` − now."""
    cache_control = headers.get("cache-control", "")
    if _NO_CACHE.search(cache_control):
        return None
    found = _MAX_AGE.findall(cache_control)
    if found:
        # s-maxage is meant for shared caches; a poller is a private one: prefer max-age.
        ages = {name.lower(): int(value) for name, value in found}
        return float(ages.get("max-age", ages.get("s-maxage", 0)))
    expires = parse_http_date(headers.get("expires"))
    if expires is None:
        return None
    return max(0.0, (expires - now).total_seconds())


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    when = parse_http_date(text)
    return None if when is None else max(0.0, (when - now).total_seconds())


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def schedule_success(now: datetime, interval: int, hints: Hints, bounds: Bounds) -> datetime:
    """The next check after a good poll: the largest wait anyone asked for, within bounds."""
    candidates = [float(interval)]
    if hints.max_age is not None:
        candidates.append(hints.max_age)
    if hints.ttl_minutes:
        candidates.append(hints.ttl_minutes * 60.0)
    if hints.update_minutes:
        candidates.append(hints.update_minutes * 60.0)
    if hints.retry_after is not None:
        candidates.append(hints.retry_after)
    seconds = min(max(max(candidates), bounds.min_interval), bounds.max_interval)
    return now + timedelta(seconds=seconds)


def schedule_error(
    now: datetime, interval: int, errors: int, retry_after: float | None, bounds: Bounds
) -> datetime:
    """Exponential backoff: the ``errors``-th failure in a row waits interval × 2^(errors−1)."""
    exponent = max(0, min(errors - 1, 20))
    seconds = min(float(interval) * 2**exponent, float(bounds.max_backoff))
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, float(bounds.max_backoff)))
    return now + timedelta(seconds=max(seconds, bounds.min_interval))


def adapt_interval(current: int | None, base: int, new_items: int, bounds: Bounds) -> int:
    """Feeds that change often are checked more often, quiet ones less often.

    A poll with new items shortens the interval by a quarter; a poll without
    lengthens it by a quarter; it stays between ``adapt_floor`` and
    ``adapt_ceiling`` times the configured ``base``, and within ``bounds``.
    """
    value = float(current or base)
    value = value * 0.75 if new_items else value * 1.25
    low = max(bounds.min_interval, base * bounds.adapt_floor)
    high = min(bounds.max_interval, base * bounds.adapt_ceiling)
    return int(min(max(value, low), high))


def usual_gap(previous: float | None, since_last_new: float | None) -> float | None:
    """The feed's usual gap between new items: a moving average of observed gaps."""
    if since_last_new is None or since_last_new <= 0:
        return previous
    if previous is None:
        return since_last_new
    return 0.8 * previous + 0.2 * since_last_new
