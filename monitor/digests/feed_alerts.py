"""Feed health alerts: the content of one message telling a subscription feeds broke or recovered.

Pure: candidates and ``now`` in, an ``AlertContent`` out. Like a digest, the
content is stored as JSON in the outbox, so every retry sends the very same
message. One message covers every feed that changed the same way for one
subscription in one cycle: a feed is named once when it breaks (turns failing
or dead; failing → dead is no second message) and once when it recovers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from storage.records import FeedAlertCandidate, SubscriptionRecord

KIND = "feed_alert"
EVENTS = ("broke", "recovered")
FEEDS_SHOWN = 100  # a mass outage names this many feeds and counts the rest


@dataclass(frozen=True, slots=True)
class AlertFeed:
    """One feed in an alert, as it stood when the change was noticed."""

    feed_id: int
    url: str
    title: str
    state: str  # failing or dead (broke); healthy, degraded or stale (recovered)
    reason: str
    error_count: int
    last_error: str | None
    last_success_at: str | None  # ISO 8601 UTC
    was: str | None = None  # recovered: the state the "broke" message named
    broken_since: str | None = None  # recovered: when the "broke" message was composed

    @property
    def name(self) -> str:
        return self.title or self.url


@dataclass(frozen=True, slots=True)
class AlertContent:
    id: str
    event: str  # broke or recovered
    subscription_id: int
    created_at: str  # when the change was noticed, ISO 8601 UTC
    timezone: str
    feeds: tuple[AlertFeed, ...]
    more: int = 0  # feeds with the same change, not named (a mass outage)

    @property
    def total(self) -> int:
        return len(self.feeds) + self.more

    @property
    def type(self) -> str:
        """The event type receivers route on: ``newswatch.feed.broke`` or ``…recovered``."""
        return f"newswatch.feed.{self.event}"

    def to_json(self) -> str:
        return json.dumps({"kind": KIND, **asdict(self)}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> AlertContent:
        data: dict[str, Any] = json.loads(text)
        return cls(
            id=data["id"],
            event=data["event"],
            subscription_id=data["subscription_id"],
            created_at=data["created_at"],
            timezone=data["timezone"],
            feeds=tuple(AlertFeed(**f) for f in data["feeds"]),
            more=data.get("more", 0),
        )


def is_alert(payload: str) -> bool:
    """Whether a stored outbox payload is a feed alert (not a digest)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("kind") == KIND


def build_alert(
    alert_id: str,
    subscription: SubscriptionRecord,
    event: str,
    candidates: list[FeedAlertCandidate],
    now: datetime,
    cap: int = FEEDS_SHOWN,
) -> AlertContent:
    """One message about every candidate of ``event``; past ``cap`` feeds the rest are counted."""
    if event not in EVENTS:
        raise ValueError(f"unknown feed alert event '{event}'")
    chosen = [c for c in candidates if c.event == event]
    feeds = tuple(_feed(c) for c in chosen[:cap])
    return AlertContent(
        id=alert_id,
        event=event,
        subscription_id=subscription.id,
        created_at=_iso(now) or "",
        timezone=subscription.timezone,
        feeds=feeds,
        more=max(0, len(chosen) - cap),
    )


def _feed(candidate: FeedAlertCandidate) -> AlertFeed:
    feed = candidate.feed
    recovered = candidate.event == "recovered"
    return AlertFeed(
        feed_id=feed.id,
        url=feed.url,
        title=feed.title,
        state=feed.state,
        reason=feed.state_reason or feed.last_error or "",
        error_count=feed.error_count,
        last_error=feed.last_error,
        last_success_at=_iso(feed.last_success_at),
        was=candidate.told_state if recovered else None,
        broken_since=_iso(candidate.told_at) if recovered else None,
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def headline(content: AlertContent) -> str:
    """``feed failing: Andes Wire``, ``3 feeds failing or dead``, ``feed recovered: …``."""
    if content.total == 1:
        feed = content.feeds[0]
        state = feed.state if content.event == "broke" else "recovered"
        return f"feed {state}: {feed.name}"
    if content.event == "recovered":
        return f"{content.total} feeds recovered"
    states = sorted({f.state for f in content.feeds})
    return f"{content.total} feeds {' or '.join(states)}"
