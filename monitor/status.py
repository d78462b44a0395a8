"""``newswatch status``: a summary of the system as tables.

Does I/O (database reads).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.engine import Engine

from monitor.console import table
from storage.digests import list_digests
from storage.feeds import list_feeds
from storage.stories import count_stories
from storage.subscriptions import list_subscriptions
from storage.watchlist_store import list_watchlists


def show_status(engine: Engine) -> None:
    feeds = list_feeds(engine)
    states = Counter(f.state for f in feeds)
    digests = Counter(d.state for d in list_digests(engine, limit=10_000))
    subscriptions = list_subscriptions(engine)
    rows = [
        ["feeds", len(feeds)],
        *[[f"  {state}", count] for state, count in sorted(states.items())],
        ["stories", count_stories(engine)],
        ["watchlists (enabled)", sum(1 for w in list_watchlists(engine) if w.enabled)],
        ["subscriptions (active)", sum(1 for s in subscriptions if not s.paused)],
        *[[f"digests {state}", count] for state, count in sorted(digests.items())],
    ]
    table("newswatch status", ["", ""], rows)
    failing = [f for f in feeds if f.state in ("failing", "dead")]
    if failing:
        table(
            "feeds needing attention",
            ["feed", "state", "last error"],
            [[f.url, f.state, f.last_error or ""] for f in failing],
        )
