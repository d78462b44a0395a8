"""The API's JSON form of stored records: stories, hits, feeds, subscriptions, digests.

Pure. A webhook secret never leaves the server: a subscription says only
whether it has one.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from monitor.digests.subscriptions import subscription_state
from storage.browse import Alert, Source
from storage.records import DigestRecord, FeedRecord, StoredStory, SubscriptionRecord
from watchlists.hits import TermHit


def iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def story_view(story: StoredStory) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "summary": story.summary,
        "url": story.url,
        "source": story.source,
        "language": story.language,
        "cluster": story.cluster_key,
        "published_at": iso(story.published_at),
        "first_seen_at": iso(story.first_seen_at),
    }


def hit_view(hit: TermHit) -> dict[str, Any]:
    return hit.to_dict()


def stored_hits(explanation: str) -> list[dict[str, Any]]:
    """The hits saved with a match (term, field, start, end, text, similarity)."""
    try:
        data = json.loads(explanation or "{}")
    except ValueError:
        return []
    hits = data.get("hits", []) if isinstance(data, dict) else []
    return [h for h in hits if isinstance(h, dict)]


def alert_view(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "watchlist": alert.watchlist,
        "watchlist_version": alert.watchlist_version,
        "score": round(alert.score, 3),
        "priority": alert.priority,
        "created_at": iso(alert.created_at),
        "hits": stored_hits(alert.explanation),
        "story": story_view(alert.story),
    }


def source_view(source: Source) -> dict[str, Any]:
    return {
        "source": source.source,
        "url": source.url,
        "feed_url": source.feed_url,
        "seen_at": iso(source.seen_at),
    }


def feed_view(feed: FeedRecord) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "state": feed.state,
        "state_reason": feed.state_reason,
        "error_count": feed.error_count,
        "last_error": feed.last_error,
        "last_error_at": iso(feed.last_error_at),
        "item_count": feed.item_count,
        "last_checked_at": iso(feed.last_checked_at),
        "last_success_at": iso(feed.last_success_at),
        "last_new_item_at": iso(feed.last_new_item_at),
        "next_check_at": iso(feed.next_check_at),
        "poll_interval": feed.poll_interval,
    }


def subscription_view(s: SubscriptionRecord) -> dict[str, Any]:
    return {
        "id": s.id,
        "channel": s.channel,
        "target": s.target,
        "format": s.format,
        "watchlists": list(s.watchlists),
        "schedule": s.schedule,
        "timezone": s.timezone,
        "signed": bool(s.secret),
        "min_score": s.min_score,
        "quiet_hours": s.quiet_hours,
        "send_empty": s.send_empty,
        "feed_alerts": s.feed_alerts,
        "state": subscription_state(s),
        "paused": s.paused,
        "disabled_reason": s.disabled_reason,
        "created_at": iso(s.created_at),
        "last_digest_at": iso(s.last_digest_at),
    }


def digest_view(d: DigestRecord, with_content: bool = False) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": d.id,
        "subscription_id": d.subscription_id,
        "kind": "feed_alert" if d.id.startswith("nwa_") else "digest",
        "state": d.state,
        "attempts": d.attempts,
        "item_count": d.item_count,
        "last_error": d.last_error,
        "created_at": iso(d.created_at),
        "next_attempt_at": iso(d.next_attempt_at),
        "sent_at": iso(d.sent_at),
        "last_attempt_at": iso(d.last_attempt_at),
    }
    if with_content:
        shown["content"] = json.loads(d.payload) if d.payload else None
    return shown
