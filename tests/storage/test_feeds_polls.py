"""Batched poll writes and feed moves, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from storage.feeds import add_feed, claim_due_feeds, list_feeds, move_feed, remove_feed
from storage.records import PollWrite, StoryWrite
from storage.stories import count_stories, save_polls

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _story(key: str) -> StoryWrite:
    return StoryWrite(
        key=key,
        cluster_key=key,
        kind="new",
        guid=key,
        url=f"https://a.example/{key}",
        canonical_url=f"https://a.example/{key}",
        title=f"Title {key}",
        summary="s",
        source="A",
        language="en",
        fingerprint=key,
        published_at=NOW,
    )


def test_a_batch_writes_each_poll_with_its_own_validators(engine: Engine) -> None:
    a, _ = add_feed(engine, "https://a.example/rss", NOW)
    b, _ = add_feed(engine, "https://b.example/rss", NOW)
    gone, _ = add_feed(engine, "https://gone.example/rss", NOW)
    claim_due_feeds(engine, NOW, "w", timedelta(minutes=10))
    remove_feed(engine, gone.id)
    later = NOW + timedelta(minutes=30)
    summaries = save_polls(
        engine,
        [
            PollWrite(a.id, NOW, later, '"a1"', None, "A", (_story("x"), _story("y"))),
            PollWrite(
                b.id,
                NOW,
                later + timedelta(minutes=5),
                None,
                None,
                None,
                not_modified=True,
                state="stale",
                state_reason="quiet",
                poll_interval=1800,
            ),
            PollWrite(gone.id, NOW, later, None, None, None, not_modified=True),
        ],
    )
    assert [s.new_stories for s in summaries] == [2, 0, 0]
    rows = {f.url: f for f in list_feeds(engine)}
    fa, fb = rows["https://a.example/rss"], rows["https://b.example/rss"]
    assert fa.etag == '"a1"' and fa.item_count == 2 and fa.next_check_at == later
    assert fb.state == "stale" and fb.state_reason == "quiet" and fb.poll_interval == 1800
    assert fb.next_check_at == later + timedelta(minutes=5) and fb.last_success_at == NOW
    assert count_stories(engine) == 2


def test_a_feed_moves_unless_the_new_url_is_taken(engine: Engine) -> None:
    a, _ = add_feed(engine, "https://old.example/rss", NOW)
    add_feed(engine, "https://taken.example/rss", NOW)
    assert move_feed(engine, a.id, "https://new.example/rss")
    assert not move_feed(engine, a.id, "https://taken.example/rss")
    assert {f.url for f in list_feeds(engine)} == {
        "https://new.example/rss",
        "https://taken.example/rss",
    }
