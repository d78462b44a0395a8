"""Feed alerts in the database, on SQLite and PostgreSQL: the 0004 migration keeps every row,
a change is told once, two processes never both record it, and rows go with their owners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.database import migrate, open_engine
from storage.digests import list_digests
from storage.feed_alerts import feed_alert_candidates, record_feed_alert, told_feeds
from storage.feeds import add_feed, list_feeds, record_feed_error, remove_feed
from storage.records import FeedAlertCandidate
from storage.subscriptions import (
    add_subscription,
    get_subscription,
    remove_subscription,
    set_paused,
    update_subscription,
)
from tests.support.migrations import to_revision

NOW = datetime(2026, 4, 6, 12, 0, tzinfo=UTC)
BROKEN = frozenset({"failing", "dead"})


SEED_0003 = [
    "INSERT INTO feeds (id, url, title, state, error_count, item_count) "
    "VALUES (1, 'https://a.example/rss', 'Andes Wire', 'failing', 4, 0)",
    "INSERT INTO subscriptions (id, channel, target, format, watchlists, schedule, timezone, "
    "min_score, quiet_hours, send_empty, paused, created_at) VALUES (1, 'email', "
    "'desk@example.org', 'json', '[\"embassy-raids\"]', 'daily@08:00', 'Europe/Madrid', 0.5, "
    "'22:00-07:00', true, false, '2026-04-01 08:00:00')",
    "INSERT INTO digests (id, subscription_id, state, attempts, item_count, payload, created_at) "
    "VALUES ('nwd_old', 1, 'sent', 1, 1, '{}', '2026-04-02 08:00:00')",
    "INSERT INTO clusters (key) VALUES ('c1')",
    "INSERT INTO digest_items (digest_id, subscription_id, cluster_key) "
    "VALUES ('nwd_old', 1, 'c1')",
]


def test_upgrading_from_0003_keeps_every_subscription_and_digest_with_alerts_off(
    database_url: str,
) -> None:
    engine = open_engine(database_url)
    try:
        to_revision(engine, "0003")
        with engine.begin() as conn:
            for statement in SEED_0003:
                conn.execute(text(statement))
        migrate(engine)  # to the newest revision, as `newswatch run` does
        sub = get_subscription(engine, 1)
        assert sub is not None
        assert (sub.target, sub.timezone, sub.min_score) == (
            "desk@example.org",
            "Europe/Madrid",
            0.5,
        )
        assert (sub.quiet_hours, sub.send_empty, sub.schedule) == (
            "22:00-07:00",
            True,
            "daily@08:00",
        )
        assert sub.feed_alerts is False  # nobody is sent anything new by an upgrade
        assert [d.id for d in list_digests(engine)] == ["nwd_old"]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT cluster_key FROM digest_items")).scalars().all() == [
                "c1"
            ]
        # The upgraded database works: the option can be turned on and a change recorded.
        update_subscription(engine, 1, feed_alerts=True)
        [candidate] = feed_alert_candidates(engine, 1, BROKEN)
        assert _record(engine, 1, "nwa_after_upgrade", [candidate])
    finally:
        engine.dispose()


def test_downgrading_to_0003_keeps_subscriptions_and_their_digests(database_url: str) -> None:
    engine = open_engine(database_url)
    try:
        to_revision(engine, "0003")
        with engine.begin() as conn:
            for statement in SEED_0003:
                conn.execute(text(statement))
        migrate(engine)
        to_revision(engine, "0003", down=True)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT target FROM subscriptions")).scalars().all() == [
                "desk@example.org"
            ]
            assert conn.execute(text("SELECT id FROM digests")).scalars().all() == ["nwd_old"]
            assert conn.execute(text("SELECT count(*) FROM digest_items")).scalar() == 1
    finally:
        engine.dispose()


def _sub(engine: Engine, feed_alerts: bool = True) -> int:
    return add_subscription(
        engine,
        channel="webhook",
        target="https://hooks.example/ops",
        watchlists=[],
        schedule="instant",
        timezone="UTC",
        now=NOW - timedelta(days=1),
        feed_alerts=feed_alerts,
    ).id


def _break(engine: Engine, feed_id: int, state: str = "failing") -> None:
    record_feed_error(
        engine, feed_id, "HTTP 500", NOW, NOW + timedelta(hours=1), state, f"{state}: HTTP 500"
    )


def _heal(engine: Engine, feed_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE feeds SET state = 'healthy', error_count = 0 WHERE id = :id"),
            {"id": feed_id},
        )


def _record(engine: Engine, sub: int, alert_id: str, candidates: list[FeedAlertCandidate]) -> bool:
    return record_feed_alert(
        engine,
        digest_id=alert_id,
        subscription_id=sub,
        candidates=candidates,
        payload='{"kind": "feed_alert"}',
        now=NOW,
        send_at=NOW,
    )


def test_a_feed_is_told_broken_once_and_recovered_once(engine: Engine) -> None:
    sub = _sub(engine)
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    assert feed_alert_candidates(engine, sub, BROKEN) == []  # a new feed is no news

    _break(engine, feed.id, "failing")
    [broke] = feed_alert_candidates(engine, sub, BROKEN)
    assert (broke.event, broke.feed.state, broke.events) == ("broke", "failing", 0)
    assert _record(engine, sub, "nwa_1", [broke])
    assert feed_alert_candidates(engine, sub, BROKEN) == []

    _break(engine, feed.id, "dead")  # still broken: nothing new to say
    assert feed_alert_candidates(engine, sub, BROKEN) == []

    _heal(engine, feed.id)
    [recovered] = feed_alert_candidates(engine, sub, BROKEN)
    assert (recovered.event, recovered.told_state, recovered.told_at) == (
        "recovered",
        "failing",
        NOW,
    )
    assert _record(engine, sub, "nwa_2", [recovered])
    assert feed_alert_candidates(engine, sub, BROKEN) == []
    assert told_feeds(engine, sub) == {feed.id: (False, "healthy", 2)}

    _break(engine, feed.id)  # a second outage is a second story
    [again] = feed_alert_candidates(engine, sub, BROKEN)
    assert (again.event, again.events) == ("broke", 2)
    assert sorted(d.id for d in list_digests(engine, subscription_id=sub)) == ["nwa_1", "nwa_2"]


def test_two_processes_reading_the_same_change_record_one_message(engine: Engine) -> None:
    sub = _sub(engine)
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    _break(engine, feed.id)
    first = feed_alert_candidates(engine, sub, BROKEN)
    second = feed_alert_candidates(engine, sub, BROKEN)  # read before the first one wrote
    assert _record(engine, sub, "nwa_first", first)
    assert not _record(engine, sub, "nwa_second", second)
    _heal(engine, feed.id)
    first = feed_alert_candidates(engine, sub, BROKEN)
    second = feed_alert_candidates(engine, sub, BROKEN)
    assert _record(engine, sub, "nwa_back", first)
    assert not _record(engine, sub, "nwa_back_again", second)
    assert sorted(d.id for d in list_digests(engine)) == ["nwa_back", "nwa_first"]


def test_each_subscription_is_told_for_itself_and_only_if_it_asked(engine: Engine) -> None:
    asked, other, not_asked = _sub(engine), _sub(engine), _sub(engine, feed_alerts=False)
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    _break(engine, feed.id)
    assert _record(engine, asked, "nwa_a", feed_alert_candidates(engine, asked, BROKEN))
    assert len(feed_alert_candidates(engine, other, BROKEN)) == 1  # not told yet
    assert not _record(engine, not_asked, "nwa_n", feed_alert_candidates(engine, asked, BROKEN))
    set_paused(engine, other, True)
    assert not _record(engine, other, "nwa_p", feed_alert_candidates(engine, other, BROKEN))
    assert [d.id for d in list_digests(engine)] == ["nwa_a"]


def test_turning_alerts_off_forgets_what_was_told(engine: Engine) -> None:
    sub = _sub(engine)
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    _break(engine, feed.id)
    assert _record(engine, sub, "nwa_1", feed_alert_candidates(engine, sub, BROKEN))
    update_subscription(engine, sub, feed_alerts=False)
    assert told_feeds(engine, sub) == {}
    update_subscription(engine, sub, feed_alerts=True)  # on again: told afresh about it
    assert [c.event for c in feed_alert_candidates(engine, sub, BROKEN)] == ["broke"]


def test_removing_a_feed_or_a_subscription_removes_what_was_told(engine: Engine) -> None:
    sub, kept = _sub(engine), _sub(engine)
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    other, _ = add_feed(engine, "https://b.example/rss", NOW)
    _break(engine, feed.id)
    _break(engine, other.id)
    for s in (sub, kept):
        assert _record(engine, s, f"nwa_{s}", feed_alert_candidates(engine, s, BROKEN))
    remove_feed(engine, feed.id)
    assert set(told_feeds(engine, kept)) == {other.id}
    remove_subscription(engine, sub)
    assert told_feeds(engine, sub) == {}
    assert [f.url for f in list_feeds(engine)] == ["https://b.example/rss"]
    assert feed_alert_candidates(engine, kept, BROKEN) == []  # a removed feed never "recovers"
