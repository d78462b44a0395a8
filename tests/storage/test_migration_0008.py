"""Migration 0008 (feeds.item_digests) keeps every feed row, on SQLite and PostgreSQL.

A feed stored before it has no item digests: its next poll parses it whole, as before.
"""

from __future__ import annotations

from sqlalchemy import text

from storage.database import migrate, open_engine
from storage.feeds import list_feeds
from tests.support.migrations import to_revision


def test_feeds_keep_their_rows_and_start_without_item_digests(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        to_revision(engine, "0005")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO feeds (id, url, title, etag, state, error_count, item_count) "
                    "VALUES (7, 'https://a.example/rss', 'Andes Wire', '\"v1\"', 'healthy', 0, 3)"
                )
            )
        migrate(engine)
        (feed,) = list_feeds(engine)
        assert (feed.url, feed.etag, feed.item_count) == ("https://a.example/rss", '"v1"', 3)
        assert feed.item_digests is None
        with engine.begin() as conn:
            conn.execute(text("UPDATE feeds SET item_digests = :d"), {"d": b"12345678"})
        to_revision(engine, "0005", down=True)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT url, etag FROM feeds")).all()
        assert [tuple(r) for r in rows] == [("https://a.example/rss", '"v1"')]
    finally:
        engine.dispose()
