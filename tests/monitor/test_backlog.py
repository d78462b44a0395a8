"""A feed's first poll: old items are stored and searchable, never alerted (real local server).

Real parts: a local HTTP server on 127.0.0.1, a SQLite file, the built-in watchlists,
a real fixture feed.
"""

from __future__ import annotations

import asyncio
import calendar
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.dispatch import next_digest
from monitor.poll.ingest import Ingestor
from monitor.service.cycle import open_database
from storage.feeds import add_feed
from storage.stories import search_stories
from storage.subscriptions import add_subscription
from tests.support.feeds import Item, rss
from tests.support.hostile import ScriptServer, running, static

SHARED = next(
    (p / "shared" for p in Path(__file__).parents[2].parents if (p / "shared").is_dir()),
    Path(__file__).parents[2].parent / "shared",
)
BBC = SHARED / "fixtures/feeds/bbc-1.xml"

NOW = datetime(2026, 2, 18, 3, 0, tzinfo=UTC)
OLD_RAID = Item(
    "old-1",
    "Police storm the embassy in Quito and detain a former minister",
    "Officers forced their way into the embassy compound overnight and arrested a former "
    "minister who had sought refuge there, the foreign ministry said.",
    "https://wire.example/2022/embassy-storming",
    published=datetime(2022, 3, 1, 9, 0, tzinfo=UTC),
)
NEW_RAID = Item(
    "new-1",
    "Security forces raid an embassy in Managua and seize diplomatic files",
    "Armed officers entered the embassy in Managua on Tuesday and carried away boxes of "
    "documents, in what the ambassador called a violation of the mission's premises.",
    "https://wire.example/2026/managua-embassy-raid",
    published=NOW - timedelta(hours=2),
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def server() -> Iterator[ScriptServer]:
    with running(ScriptServer()) as script:
        yield script


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(), data_dir=tmp_path, allow_private_networks=True, host_spacing=0.001)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = open_database(settings)  # migrated, with the built-in watchlists
    yield eng
    eng.dispose()


def poll(engine: Engine, settings: Settings, clock: Clock) -> None:
    ingestor = Ingestor(engine, settings, clock=clock)
    try:
        asyncio.run(ingestor.run_cycle())
    finally:
        ingestor.close()


def test_an_old_story_on_a_first_poll_is_stored_and_searchable_but_not_alerted(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    server.handlers["/wire.xml"] = static(rss("Wire", [NEW_RAID, OLD_RAID]))
    clock = Clock(NOW)
    add_feed(engine, server.url("/wire.xml"), NOW)
    subscription = add_subscription(
        engine,
        channel="email",
        target="desk@example.org",
        watchlists=["embassy-raids"],
        schedule="instant",
        timezone="UTC",
        now=NOW - timedelta(days=30),
    )
    poll(engine, settings, clock)
    assert {s.title for s in search_stories(engine, "embassy")} == {NEW_RAID.title, OLD_RAID.title}
    assert "embassy-raids" in matched_watchlists(engine, OLD_RAID.title)  # it did match
    digest = next_digest(engine, subscription, NOW)
    assert digest is not None
    alerted = {entry.title for section in digest.sections for entry in section.entries}
    assert alerted == {NEW_RAID.title}


def test_old_items_of_a_later_poll_are_alerted_as_usual(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    """Only the first poll brings a backlog: an old item that appears later is news to us."""
    server.handlers["/wire.xml"] = static(rss("Wire", [NEW_RAID]))
    clock = Clock(NOW)
    add_feed(engine, server.url("/wire.xml"), NOW)
    poll(engine, settings, clock)
    server.handlers["/wire.xml"] = static(rss("Wire", [OLD_RAID, NEW_RAID]))
    clock.now += timedelta(hours=1)
    poll(engine, settings, clock)
    assert backlog_titles(engine) == set()


def test_a_real_feeds_first_poll_marks_exactly_the_items_older_than_the_setting(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    import feedparser  # test-only: to read the fixture's dates independently

    if not BBC.exists():
        pytest.skip("shared feed fixtures not present")
    body = BBC.read_bytes()
    cutoff = NOW - timedelta(seconds=settings.backlog_max_age)
    expected = set()
    for entry in feedparser.parse(io.BytesIO(body)).entries:
        published = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
        if published < cutoff:
            expected.add(entry.title)
    assert expected, "the fixture has items older than 48 hours before NOW"
    server.handlers["/bbc.xml"] = static(body)
    add_feed(engine, server.url("/bbc.xml"), NOW)
    poll(engine, settings, Clock(NOW))
    assert backlog_titles(engine) == expected
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM stories WHERE NOT backlog")).scalar_one()
    assert stored > 0  # the recent ones are ordinary stories


def backlog_titles(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT title FROM stories WHERE backlog")).all()
    return {row[0] for row in rows}


def matched_watchlists(engine: Engine, title: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.watchlist FROM matches m JOIN stories s ON s.id = m.story_id "
                "WHERE s.title = :title ORDER BY m.watchlist"
            ),
            {"title": title},
        ).all()
    return [row[0] for row in rows]
