"""Service start-up and one cycle's bookkeeping, against real SQLite and a local feed server."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from monitor.config import Settings
from monitor.parse.opml import default_feeds
from monitor.service.cycle import Service, ensure_default_feeds, open_database
from storage.feeds import add_feed, list_feeds
from storage.stories import count_stories
from storage.tables import Match, Story
from storage.watchlist_store import list_watchlists, save_watchlist
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


ZORBLAX = """
name: zorblax
groups:
  moon:
    - Zorblax
rules:
  - any_of: [moon]
"""


def _matches(engine: Engine) -> list[tuple[str, str, int]]:
    with Session(engine) as session:
        rows = session.exec(select(Match, Story).where(col(Match.story_id) == Story.id))
        return sorted(
            (story.title, match.watchlist, match.watchlist_version) for match, story in rows
        )


def test_watchlist_edits_reach_the_running_service_in_its_next_cycle(settings: Settings) -> None:
    server = FeedServer()
    first = Item("z1", "Zorblax rises over the harbour", "A bright moon.", "https://w.example/1")
    second = Item("z2", "Zorblax sets again", "The moon sets.", "https://w.example/2")
    third = Item("z3", "Zorblax eclipse tonight", "Moon watchers.", "https://w.example/3")
    server.routes["/feed.xml"] = Route(rss("Wire", [first]))
    with serving(server):
        engine = open_database(settings)
        add_feed(engine, server.url("/feed.xml"), NOW)
        service = Service(settings, engine)
        try:
            asyncio.run(service.cycle(every_feed=True))
            assert _matches(engine) == []  # no watchlist knows the word yet

            save_watchlist(engine, "zorblax", ZORBLAX, NOW)
            server.routes["/feed.xml"] = Route(rss("Wire", [first, second]))
            asyncio.run(service.cycle(every_feed=True))
            assert _matches(engine) == [("Zorblax sets again", "zorblax", 1)]

            save_watchlist(engine, "zorblax", ZORBLAX + "# edited\n", NOW)
            server.routes["/feed.xml"] = Route(rss("Wire", [first, second, third]))
            asyncio.run(service.cycle(every_feed=True))
            assert ("Zorblax eclipse tonight", "zorblax", 2) in _matches(engine)
        finally:
            service.close()


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
