"""The web console and API for tests: a real uvicorn server on 127.0.0.1 port 0, stored stories.

Stories are stored the way a poll stores them (``save_poll``), matched by the
real matcher against the built-in watchlists, so highlights and explanations
are the daemon's own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.matching.rows import explanation
from monitor.web.server import Address, WebServer
from storage.feeds import add_feed
from storage.records import MatchWrite, PollWrite, StoryWrite
from storage.stories import save_poll
from storage.watchlist_store import list_watchlists, save_watchlist
from watchlists.builtin import builtin_watchlist_texts
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists

TOKEN = "test-admin-token-0123456789"


@dataclass(frozen=True)
class Told:
    title: str
    summary: str
    source: str = "Andes Wire"
    cluster: str = ""  # stories sharing a cluster key are one story told by several outlets
    url: str = ""


def install_builtins(engine: Engine, now: datetime) -> None:
    if not list_watchlists(engine):
        for name, text in builtin_watchlist_texts().items():
            save_watchlist(engine, name, text, now, builtin=True)


def store_stories(
    engine: Engine, stories: list[Told], now: datetime, feed_url: str = "https://wire.example/rss"
) -> int:
    """Store ``stories`` as one poll of one feed, with the built-in watchlists' matches."""
    install_builtins(engine, now)
    matcher = compile_watchlists(
        [parse_watchlist(r.text, r.name) for r in list_watchlists(engine) if r.enabled]
    )
    feed, _ = add_feed(engine, feed_url, now)
    writes = []
    for story in stories:
        key = hashlib.sha1(f"{feed_url}|{story.title}".encode()).hexdigest()
        found = matcher.match(story.title, story.summary, "en")
        writes.append(
            StoryWrite(
                key=key,
                cluster_key=story.cluster or key,
                kind="new" if not story.cluster or story.cluster == key else "cluster",
                guid=key,
                url=story.url or f"https://wire.example/{key[:8]}",
                canonical_url=story.url or f"https://wire.example/{key[:8]}",
                title=story.title,
                summary=story.summary,
                source=story.source,
                language="en",
                fingerprint=key[:16],
                published_at=now - timedelta(minutes=20),
                matches=tuple(
                    MatchWrite(
                        m.watchlist, 1, float(m.score), m.priority, json.dumps(explanation(m))
                    )
                    for m in found
                ),
            )
        )
    save_poll(
        engine,
        PollWrite(
            feed_id=feed.id,
            checked_at=now,
            next_check_at=now + timedelta(minutes=15),
            etag=None,
            last_modified=None,
            title="Andes Wire",
            stories=tuple(writes),
        ),
    )
    return feed.id


RAID = Told(
    "Ecuadorian police raid the Mexican embassy in Quito to arrest Jorge Glas",
    "Police forced their way into the Mexican embassy in Quito to detain former vice "
    "president Jorge Glas; Mexico broke off diplomatic relations with Ecuador.",
)


@contextmanager
def web_server(
    settings: Settings, engine: Engine, token: str = "", public: bool = False
) -> Iterator[str]:
    """The console and API on a free loopback port; yields the base URL (ending in /)."""
    chosen = replace(settings, admin_token=token)
    # public: as if bound to a non-loopback address, where reads need the token too
    server = WebServer(chosen, engine, Address("127.0.0.1", 0), public=public)
    server.start()
    try:
        import time

        deadline = time.monotonic() + 10
        while not server.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        yield server.url
    finally:
        server.stop()
