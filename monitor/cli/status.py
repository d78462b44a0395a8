"""``newswatch status``: a summary of the system as tables.

Does I/O (database reads).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.engine import Engine

from monitor.cli.console import table, when
from monitor.clock import utcnow
from storage.digests import list_digests
from storage.feeds import list_feeds
from storage.operations import last_poll_time
from storage.stories import count_stories
from storage.subscriptions import list_subscriptions
from storage.watchlist_store import list_watchlists


def show_status(engine: Engine, now: datetime | None = None) -> None:
    """Feeds by health, last and next poll, stories, watchlists, subscriptions, digests."""
    now = now or utcnow()
    feeds = list_feeds(engine)
    last_poll = last_poll_time(engine)
    due = sum(1 for f in feeds if f.next_check_at is None or f.next_check_at <= now)
    upcoming = min((f.next_check_at for f in feeds if f.next_check_at), default=None)
    states = Counter(f.state for f in feeds)
    digests = Counter(d.state for d in list_digests(engine, limit=10_000))
    subscriptions = list_subscriptions(engine)
    rows: list[list[object]] = [
        ["feeds", len(feeds)],
        *[[f"  {state}", count] for state, count in sorted(states.items())],
        ["last poll", when(last_poll)],
        ["feeds due now", due],
        ["next check", when(upcoming)],
        ["stories", count_stories(engine)],
        ["watchlists (enabled)", sum(1 for w in list_watchlists(engine) if w.enabled)],
        ["subscriptions (active)", sum(1 for s in subscriptions if not s.paused)],
        *[[f"digests {state}", count] for state, count in sorted(digests.items())],
    ]
    table("newswatch status", ["", ""], rows)
    attention = [f for f in feeds if f.state in ("failing", "dead", "stale")]
    if attention:
        table(
            "feeds needing attention",
            ["feed", "state", "why", "last success", "next check"],
            [
                [
                    f.url,
                    f.state,
                    f.state_reason or f.last_error or "",
                    when(f.last_success_at),
                    when(f.next_check_at),
                ]
                for f in attention
            ],
        )
