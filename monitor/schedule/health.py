"""Source health: what state a feed is in after a poll, and why, in words a user reads.

Pure: takes the feed's history and ``now``, returns a ``Health``. States:

    state      when                                                   polled?
    ---------  -----------------------------------------------------  ---------------------
    new        added, never polled                                    at once
    healthy    last poll succeeded                                    on schedule
    stale      polls succeed, but no new item for far longer than     on schedule
               its usual gap (STALE_FACTOR × gap, at least STALE_MIN)
    degraded   1–2 failures in a row                                  backing off
    failing    3–9 failures in a row                                  backing off
    dead       10+ failures in a row, HTTP 410 Gone, or failing for   daily, so it can
               more than DEAD_AFTER without one success               recover by itself
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

STATES = ("new", "healthy", "stale", "degraded", "failing", "dead")
STALE_FACTOR = 8.0
STALE_MIN = timedelta(days=2)
DEAD_AFTER = timedelta(days=14)
ALERT_STATES = frozenset({"failing", "dead"})


@dataclass(frozen=True, slots=True)
class Health:
    state: str
    reason: str


def after_success(
    now: datetime,
    new_items: int,
    last_new_item_at: datetime | None,
    item_gap: float | None,
) -> Health:
    """Health after a good poll: healthy, or stale when the feed has gone unusually quiet."""
    if new_items:
        return Health("healthy", f"{new_items} new items")
    if last_new_item_at is None or item_gap is None:
        return Health("healthy", "no new items")
    silence = now - last_new_item_at
    limit = max(timedelta(seconds=item_gap * STALE_FACTOR), STALE_MIN)
    if silence > limit:
        return Health(
            "stale",
            f"no new items for {describe(silence)}; it usually has one every "
            f"{describe(timedelta(seconds=item_gap))}",
        )
    return Health("healthy", "no new items")


def after_error(
    now: datetime,
    errors: int,
    reason: str,
    status: int | None,
    last_success_at: datetime | None,
    created_at: datetime | None = None,
) -> Health:
    """Health after the ``errors``-th failure in a row (``errors`` counts this one)."""
    if status == 410:
        return Health("dead", f"the publisher says the feed is gone (HTTP 410): {reason}")
    since = last_success_at or created_at
    if errors >= 10:
        return Health("dead", f"{errors} failures in a row; last: {reason}")
    if errors >= 3 and since is not None and now - since > DEAD_AFTER:
        return Health("dead", f"no success for {describe(now - since)}; last: {reason}")
    if errors >= 3:
        return Health("failing", f"{errors} failures in a row; last: {reason}")
    return Health("degraded", reason)


def transition(before: str, after: str) -> str | None:
    """'broke' when a feed turns failing or dead, 'recovered' when it comes back, else None."""
    if after in ALERT_STATES and before not in ALERT_STATES:
        return "broke"
    if before in ALERT_STATES and after not in ALERT_STATES:
        return "recovered"
    return None


def describe(span: timedelta) -> str:
    """A span as a person says it: '45 minutes', '6 hours', '9 days'."""
    seconds = span.total_seconds()
    if seconds < 5400:
        return f"{max(1, round(seconds / 60))} minutes"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} hours"
    return f"{round(seconds / 86400)} days"
