"""One story from two outlets: one cluster that `stories show` and digests both present whole.

Real parts: a local HTTP server on 127.0.0.1 with two feeds, a SQLite file, the built-in
watchlists, the command line run in this process.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.dispatch import next_digest
from monitor.poll.ingest import Ingestor
from monitor.service.cycle import open_database
from storage.feeds import add_feed
from storage.stories import search_stories
from storage.subscriptions import add_subscription
from tests.monitor.outbox_support import run_cli
from tests.support.feeds import Item, rss
from tests.support.hostile import ScriptServer, running, static

NOW = datetime.now(UTC).replace(microsecond=0)
HEADLINE = "Ecuadorian police storm the Mexican embassy in Quito to arrest Jorge Glas"
WIRE = Item(
    "w-1",
    HEADLINE,
    "Police in Ecuador broke into the Mexican embassy in Quito late on Friday and arrested "
    "former vice president Jorge Glas, hours after Mexico granted him asylum.",
    "https://andes.example/2024/quito-embassy",
    published=NOW - timedelta(hours=3),
)
LOCAL = Item(  # the same headline over the paper's own lede
    "p-1",
    HEADLINE,
    "Mexico's president called it an authoritarian act and broke off diplomatic relations, "
    "while Ecuador's government said Glas was a convicted criminal, not a refugee.",
    "https://pacific.example/world/ecuador-mexico-raid",
    published=NOW - timedelta(hours=2),
)


@pytest.fixture
def server() -> Iterator[ScriptServer]:
    with running(ScriptServer()) as script:
        yield script


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(), data_dir=tmp_path, allow_private_networks=True, host_spacing=0.001)


@pytest.fixture
def engine(settings: Settings, server: ScriptServer) -> Iterator[Engine]:
    eng = open_database(settings)
    server.handlers["/andes.xml"] = static(rss("Andes Wire", [WIRE]))
    server.handlers["/pacific.xml"] = static(rss("Pacific Post", [LOCAL]))
    add_feed(eng, server.url("/andes.xml"), NOW)
    add_feed(eng, server.url("/pacific.xml"), NOW)
    ingestor = Ingestor(eng, settings, clock=lambda: NOW)
    try:
        asyncio.run(ingestor.run_cycle())
    finally:
        ingestor.close()
    yield eng
    eng.dispose()


def test_stories_show_lists_every_source_of_the_cluster_and_the_watchlists(
    engine: Engine, settings: Settings
) -> None:
    stories = search_stories(engine, "Quito")
    assert len(stories) == 2 and len({s.cluster_key for s in stories}) == 1
    env = {**os.environ, "NEWSWATCH_DATA_DIR": str(settings.data_dir), "COLUMNS": "250"}
    env.pop("NEWSWATCH_DATABASE_URL", None)
    code, output = run_cli(env, "stories", "show", str(stories[0].id))
    assert code == 0, output
    assert "reported by 2 source(s)" in output
    assert "Andes Wire" in output and "Pacific Post" in output
    assert "embassy-raids" in output
    assert "ecuador-mexico" in output


def test_a_digest_carries_the_story_once_with_the_other_outlet_as_also_reported_by(
    engine: Engine,
) -> None:
    subscription = add_subscription(
        engine,
        channel="email",
        target="desk@example.org",
        watchlists=["embassy-raids"],
        schedule="instant",
        timezone="UTC",
        now=NOW - timedelta(days=1),
    )
    digest = next_digest(engine, subscription, NOW)
    assert digest is not None
    entries = [entry for section in digest.sections for entry in section.entries]
    assert len(entries) == 1
    named = {entries[0].source, *entries[0].also_reported_by}
    assert named == {"Andes Wire", "Pacific Post"}
