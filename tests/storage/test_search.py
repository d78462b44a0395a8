"""Full-text search of stored stories, on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.database import migrate, open_engine
from storage.feeds import add_feed
from storage.records import MatchWrite, PollWrite, StoryWrite
from storage.retention import prune_stories
from storage.search import StoryQuery, fts5_query, search_stories
from storage.stories import save_poll
from tests.support.migrations import to_revision

NOW = datetime(2026, 4, 10, 12, 0, tzinfo=UTC)


def store(
    engine: Engine,
    feed_url: str,
    seen: datetime,
    *stories: tuple[str, str, str | None],
) -> None:
    """Store (title, summary, watchlist matched or None) stories from one feed, seen at ``seen``."""
    feed, _ = add_feed(engine, feed_url, seen)
    writes = []
    for title, summary, watchlist in stories:
        key = hashlib.sha1((feed_url + title).encode()).hexdigest()[:12]
        matches = (MatchWrite(watchlist, 1, 0.9, "digest", "{}"),) if watchlist else ()
        writes.append(
            StoryWrite(key, key, "new", f"g-{key}", f"https://x.example/{key}", None, title,
                       summary, "Wire", "en", f"fp-{key}", seen, matches)
        )  # fmt: skip
    save_poll(
        engine,
        PollWrite(feed.id, seen, seen + timedelta(minutes=15), None, None, "Wire", tuple(writes)),
    )


def titles(engine: Engine, query: StoryQuery, limit: int = 50) -> list[str]:
    return [s.title for s in search_stories(engine, query, limit).stories]


def seeded(engine: Engine) -> None:
    store(
        engine,
        "https://andes.example/rss",
        NOW - timedelta(days=5),
        ("Police raid the Mexican embassy in Quito", "Officers stormed it.", "embassy-raids"),
        ("Ice storm closes schools", "Freezing rain in Minneapolis.", None),
    )
    store(
        engine,
        "https://mx.example/rss",
        NOW - timedelta(days=1),
        ("Mexico breaks off relations with Ecuador", "After the embassy raid.", "ecuador-mexico"),
        ("Ecuador's embassy staff leave Mexico City", "Diplomats flew home.", None),
    )


def test_every_word_must_occur_in_title_or_summary(engine: Engine) -> None:
    seeded(engine)
    assert set(titles(engine, StoryQuery("embassy raid"))) == {
        "Police raid the Mexican embassy in Quito",
        "Mexico breaks off relations with Ecuador",  # "embassy raid" in its summary
    }
    assert titles(engine, StoryQuery("storm schools")) == ["Ice storm closes schools"]
    assert titles(engine, StoryQuery("embassy volcano")) == []


def test_a_prefix_and_punctuation_are_safe(engine: Engine) -> None:
    seeded(engine)
    assert "Ice storm closes schools" in titles(engine, StoryQuery("minneap*"))
    # Operators and quotes a user types are words, never query syntax (no error).
    assert titles(engine, StoryQuery('embassy" (staff)')) == [
        "Ecuador's embassy staff leave Mexico City"
    ]
    assert titles(engine, StoryQuery("embassy OR NOT staff")) == []  # OR, NOT: just words


def test_filters_by_watchlist_feed_and_date(engine: Engine) -> None:
    seeded(engine)
    assert titles(engine, StoryQuery("embassy", watchlist="embassy-raids")) == [
        "Police raid the Mexican embassy in Quito"
    ]
    mexico = add_feed(engine, "https://mx.example/rss", NOW)[0].id
    assert set(titles(engine, StoryQuery("embassy", feed_id=mexico))) == {
        "Mexico breaks off relations with Ecuador",
        "Ecuador's embassy staff leave Mexico City",
    }
    recent = titles(engine, StoryQuery("", since=NOW - timedelta(days=2)))
    assert len(recent) == 2 and "Ice storm closes schools" not in recent
    older = titles(engine, StoryQuery("", until=NOW - timedelta(days=2)))
    assert len(older) == 2 and "Ice storm closes schools" in older


def test_the_total_is_counted_beyond_the_limit(engine: Engine) -> None:
    seeded(engine)
    found = search_stories(engine, StoryQuery("embassy"), limit=1)
    assert len(found.stories) == 1 and found.total == 3


def test_pruned_stories_leave_the_index(engine: Engine) -> None:
    seeded(engine)
    prune_stories(engine, NOW - timedelta(days=3), NOW)
    assert titles(engine, StoryQuery("storm")) == []
    assert titles(engine, StoryQuery("Ecuador")) != []


def test_upgrading_indexes_the_stories_already_stored(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        migrate(engine)
        seeded(engine)
        to_revision(engine, "0006", down=True)  # back to before the search existed
        migrate(engine)
        assert titles(engine, StoryQuery("storm")) == ["Ice storm closes schools"]
        to_revision(engine, "0006", down=True)  # and the downgrade leaves the stories
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM stories")).scalar_one() == 4
    finally:
        engine.dispose()


def test_accents_fold_on_sqlite(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    migrate(engine)
    try:
        store(engine, "https://ec.example/rss", NOW, ("Misión diplomática allanada", "", None))
        assert titles(engine, StoryQuery("MISION diplomatica")) == ["Misión diplomática allanada"]
    finally:
        engine.dispose()


def test_fts5_query_quotes_every_word() -> None:
    assert fts5_query('raid "embassy" OR x*') == '"raid" "embassy" "OR" "x"*'
