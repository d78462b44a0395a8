"""Service start-up and one cycle's bookkeeping, against real SQLite and a local feed server."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from monitor.config import Settings
from monitor.matching import MatcherCache
from monitor.opml import default_feeds
from monitor.service import Service, ensure_default_feeds, open_database
from storage.feeds import add_feed, list_feeds
from storage.stories import count_stories
from storage.watchlist_store import get_watchlist, list_watchlists, save_watchlist
from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, Route, serving

NOW = datetime(2026, 1, 28, 12, 0, tzinfo=UTC)
STORY = Item(
    "1",
    "Police raid the Mexican embassy in Quito",
    "Officers stormed the embassy.",
    "https://wire.example/raid",
)


def test_fresh_database_gets_the_four_builtin_watchlists(settings: Settings) -> None:
    engine = open_database(settings)
    assert [w.name for w in list_watchlists(engine)] == [
        "ecuador-mexico",
        "embassy-raids",
        "ice-consulates",
        "vienna-conventions",
    ]
    assert all(w.builtin and w.enabled and w.version == 1 for w in list_watchlists(engine))
    # Opening again changes nothing (no second version, no duplicates).
    again = open_database(settings)
    assert [(w.name, w.version) for w in list_watchlists(again)] == [
        (w.name, w.version) for w in list_watchlists(engine)
    ]


def test_default_feeds_are_used_only_when_no_feed_was_added(settings: Settings) -> None:
    engine = open_database(settings)
    added = ensure_default_feeds(engine, NOW)
    assert added == len(default_feeds()) >= 10
    assert ensure_default_feeds(engine, NOW) == 0

    other = open_database(replace(settings, data_dir=settings.data_dir / "other"))
    add_feed(other, "https://news.example.org/rss.xml", NOW)
    assert ensure_default_feeds(other, NOW) == 0
    assert [f.url for f in list_feeds(other)] == ["https://news.example.org/rss.xml"]


def test_watchlist_edits_reach_the_matcher_without_a_restart(settings: Settings) -> None:
    engine = open_database(settings)
    cache = MatcherCache(engine)
    first = cache.current()
    assert cache.current() is first  # nothing changed: no recompilation
    record = get_watchlist(engine, "embassy-raids")
    assert record is not None
    save_watchlist(engine, "embassy-raids", record.text + "\n# edited\n", NOW)
    second = cache.current()
    assert second is not first and second.versions["embassy-raids"] == 2


def test_validators_are_saved_with_the_stories_of_their_response(settings: Settings) -> None:
    server = FeedServer()
    server.routes["/feed.xml"] = Route(rss("Wire", [STORY]))
    with serving(server):
        engine = open_database(settings)
        add_feed(engine, server.url("/feed.xml"), NOW)
        asyncio.run(Service(settings, engine).cycle(every_feed=True))
        (feed,) = list_feeds(engine)
        assert feed.etag is not None and count_stories(engine) == 1
        asyncio.run(Service(settings, engine).cycle(every_feed=True))
        assert server.statuses("/feed.xml") == [200, 304]
        assert server.requests[-1][1]["if-none-match"] == feed.etag


def test_a_feed_that_fails_keeps_its_old_validators_and_reason(settings: Settings) -> None:
    server = FeedServer()
    server.routes["/feed.xml"] = Route(rss("Wire", [STORY]))
    with serving(server):
        engine = open_database(settings)
        add_feed(engine, server.url("/feed.xml"), NOW)
        service = Service(settings, engine)
        asyncio.run(service.cycle(every_feed=True))
        etag = list_feeds(engine)[0].etag
        server.routes["/feed.xml"] = Route(b"<rss><channel><title>x", etag=False, status=500)
        asyncio.run(service.cycle(every_feed=True))
        (feed,) = list_feeds(engine)
        assert feed.etag == etag
        assert feed.state == "degraded" and feed.last_error is not None and "500" in feed.last_error
