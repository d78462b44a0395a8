"""Feed health over time: every stored poll and every failure counts on its feed's day.

On SQLite and PostgreSQL. The counts are written in the poll's own transaction;
counting never fails a poll, and a removed feed's days go with it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.database import migrate, open_engine
from storage.feed_days import feed_days, prune_feed_days
from storage.feeds import add_feed, list_feeds, record_feed_error, remove_feed
from storage.stories import save_polls
from tests.storage.test_poll_writes import poll, story
from tests.support.migrations import to_revision

DAY = datetime(2024, 4, 6, 23, 50, tzinfo=UTC)


def _days(engine: Engine) -> list[tuple[str, date, int, int, int, str]]:
    return [
        (d.feed_url, d.day, d.polls, d.failures, d.new_stories, d.state)
        for d in feed_days(engine, date(2024, 1, 1))
    ]


def test_polls_and_failures_count_on_their_day(engine: Engine) -> None:
    a, _ = add_feed(engine, "https://a.example/rss", DAY)
    b, _ = add_feed(engine, "https://b.example/rss", DAY)
    fresh = replace(
        poll(a.id, story("a1", "https://a.example/1"), story("a2", "https://a.example/2")),
        checked_at=DAY,
    )
    unchanged = replace(poll(b.id), checked_at=DAY, not_modified=True)
    again = replace(poll(a.id), checked_at=DAY + timedelta(minutes=5), not_modified=True)
    save_polls(engine, [fresh, unchanged, again])  # one batch, feed a twice in it
    next_day = DAY + timedelta(minutes=20)  # 00:10 UTC the next day
    record_feed_error(engine, b.id, "HTTP 500", next_day, next_day, "degraded", "HTTP 500")
    record_feed_error(engine, b.id, "HTTP 500", next_day, next_day, "failing", "HTTP 500 x2")
    assert _days(engine) == [
        ("https://a.example/rss", date(2024, 4, 6), 2, 0, 2, "healthy"),
        ("https://b.example/rss", date(2024, 4, 6), 1, 0, 0, "healthy"),
        ("https://b.example/rss", date(2024, 4, 7), 2, 2, 0, "failing"),
    ]
    assert feed_days(engine, date(2024, 4, 7))[0].feed_url == "https://b.example/rss"
    remove_feed(engine, b.id)
    assert [d[0] for d in _days(engine)] == ["https://a.example/rss"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM feed_days")).scalar_one() == 1


def test_pruning_stories_forgets_the_poll_history_of_the_same_age(engine: Engine) -> None:
    from storage.retention import prune_stories

    feed, _ = add_feed(engine, "https://a.example/rss", DAY)
    for n in range(3):  # three days in a row
        at = DAY + timedelta(days=n)
        record_feed_error(engine, feed.id, "HTTP 500", at, at, "failing", "HTTP 500")
    prune_stories(engine, DAY + timedelta(days=1), DAY + timedelta(days=3))
    assert [d[1] for d in _days(engine)] == [date(2024, 4, 7), date(2024, 4, 8)]
    assert prune_feed_days(engine, date(2024, 4, 8)) == 1
    assert [d[1] for d in _days(engine)] == [date(2024, 4, 8)]


def test_a_poll_of_a_feed_removed_meanwhile_still_stores_the_rest(engine: Engine) -> None:
    kept, _ = add_feed(engine, "https://a.example/rss", DAY)
    gone, _ = add_feed(engine, "https://b.example/rss", DAY)
    remove_feed(engine, gone.id)
    save_polls(
        engine,
        [
            replace(poll(gone.id), checked_at=DAY, not_modified=True),
            replace(poll(kept.id, story("k", "https://a.example/k")), checked_at=DAY),
        ],
    )
    assert _days(engine) == [("https://a.example/rss", date(2024, 4, 6), 1, 0, 1, "healthy")]
    assert [f.item_count for f in list_feeds(engine)] == [1]


def test_migration_0009_adds_feed_days_and_keeps_every_feed(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        to_revision(engine, "0008")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO feeds (id, url, title, etag, state, error_count, item_count) "
                    "VALUES (7, 'https://a.example/rss', 'Andes Wire', '\"v1\"', 'failing', 3, 4)"
                )
            )
        migrate(engine)
        (feed,) = list_feeds(engine)
        assert (feed.id, feed.etag, feed.error_count, feed.item_count) == (7, '"v1"', 3, 4)
        assert _days(engine) == []  # no history to copy: it starts with the next poll
        record_feed_error(engine, 7, "HTTP 500", DAY, DAY, "failing", "HTTP 500")
        assert _days(engine) == [("https://a.example/rss", date(2024, 4, 6), 1, 1, 0, "failing")]
        to_revision(engine, "0008", down=True)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, url, error_count FROM feeds")).all()
        assert [tuple(r) for r in rows] == [(7, "https://a.example/rss", 4)]
    finally:
        engine.dispose()
