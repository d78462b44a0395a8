"""The schema comes from migrations only, matches the models, and upgrades keep data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import storage.tables  # noqa: F401
from storage.database import migrate, open_engine, table_names
from storage.search import FTS_PREFIX


def test_migrations_create_every_table(engine: Engine) -> None:
    assert set(table_names(engine)) >= {
        "feeds",
        "stories",
        "story_sources",
        "clusters",
        "matches",
        "watchlists",
        "watchlist_versions",
        "subscriptions",
        "digests",
        "digest_items",
        "tombstones",
        "feed_alerts",
    }


def test_models_and_migrations_agree(engine: Engine) -> None:
    """A model change without a migration fails here."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": False,
                # the full-text search's FTS5 table and GIN index have no model
                "include_name": lambda name, _type, _parent: (
                    not (name or "").startswith(FTS_PREFIX)
                ),
            },
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrating_again_keeps_stored_rows(database_url: str) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO feeds (url, title, state, error_count, item_count) "
                "VALUES ('https://a.example/rss', 'A', 'new', 0, 0)"
            )
        )
    engine.dispose()
    engine = open_engine(database_url)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM feeds")).scalars().all() == ["A"]
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_busy_timeout(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()
