"""Upgrades keep every stored row, on SQLite and PostgreSQL: a database made by the first
release, with a row in every table, goes through every migration and back."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.database import migrate, open_engine
from tests.support.migrations import to_revision

# Rows a user of the first release has, in every table, and the links between them
# (sources and story feeds to feeds, digest items to digests and subscriptions).
SEED_0001 = [
    "INSERT INTO feeds (id, url, title, state, error_count, item_count) "
    "VALUES (1, 'https://a.example/rss', 'Andes Wire', 'healthy', 0, 1)",
    "INSERT INTO clusters (key) VALUES ('c1')",
    "INSERT INTO stories (id, key, feed_id, guid, url, title, summary, source, fingerprint, "
    "cluster_key, first_seen_at) VALUES (1, 's1', 1, 'g1', 'https://a.example/1', "
    "'Police raid the embassy', 'Officers stormed it.', 'Andes Wire', 'f1', 'c1', "
    "'2026-04-05 10:00:00')",
    "INSERT INTO story_sources (id, story_id, feed_id, guid, source, url, seen_at) "
    "VALUES (1, 1, 1, 'g1', 'Andes Wire', 'https://a.example/1', '2026-04-05 10:00:00')",
    "INSERT INTO matches (id, story_id, watchlist, watchlist_version, score, priority, "
    "explanation, created_at) VALUES (1, 1, 'embassy-raids', 1, 1.0, 'instant', '{}', "
    "'2026-04-05 10:00:00')",
    "INSERT INTO subscriptions (id, channel, target, format, watchlists, schedule, timezone, "
    "min_score, paused, created_at) VALUES (1, 'email', 'desk@example.org', 'json', "
    "'[\"embassy-raids\"]', 'daily@08:00', 'UTC', 0.0, false, '2026-04-01 08:00:00')",
    "INSERT INTO digests (id, subscription_id, state, attempts, item_count, payload, "
    "created_at) VALUES ('nwd_1', 1, 'sent', 1, 1, '{}', '2026-04-06 08:00:00')",
    "INSERT INTO digest_items (id, digest_id, subscription_id, cluster_key, story_id) "
    "VALUES (1, 'nwd_1', 1, 'c1', 1)",
    "INSERT INTO tombstones (key) VALUES ('url:https://a.example/old')",
]
TABLES = [
    "feeds",
    "clusters",
    "stories",
    "story_sources",
    "matches",
    "subscriptions",
    "digests",
    "digest_items",
    "tombstones",
]


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def test_every_upgrade_from_the_first_release_keeps_every_row(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        to_revision(engine, "0001")
        with engine.begin() as conn:
            for statement in SEED_0001:
                conn.execute(text(statement))
        before = _counts(engine)
        assert set(before.values()) == {1}
        migrate(engine)  # to the newest revision, as `newswatch run` does
        assert _counts(engine) == before
        with engine.connect() as conn:  # and the links between them
            story = conn.execute(text("SELECT feed_id, cluster_key FROM stories")).one()
            item = conn.execute(text("SELECT digest_id, story_id FROM digest_items")).one()
        assert tuple(story) == (1, "c1") and tuple(item) == ("nwd_1", 1)
        to_revision(engine, "0001", down=True)  # and all the way back down
        assert _counts(engine) == before
    finally:
        engine.dispose()


def test_stories_stored_before_0006_stay_alertable(database_url: str) -> None:
    """0006 adds ``stories.backlog``; every story stored before it keeps its alerts."""
    engine = open_engine(database_url)
    try:
        to_revision(engine, "0005")
        with engine.begin() as conn:
            for statement in SEED_0001[:3]:  # a feed, a cluster, a story
                conn.execute(text(statement))
        to_revision(engine, "0006")
        with engine.connect() as conn:
            backlog = conn.execute(text("SELECT backlog FROM stories")).scalar_one()
        assert backlog is False or backlog == 0
        to_revision(engine, "0005", down=True)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM stories")).scalar_one() == 1
    finally:
        engine.dispose()
