"""Pruning removes old stories but keeps their identity keys, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from storage.database import transaction
from storage.feeds import add_feed
from storage.records import MatchWrite, PollWrite, StoryWrite
from storage.retention import is_tombstoned, prune_stories
from storage.stories import count_stories, save_poll

OLD = datetime(2024, 1, 1, tzinfo=UTC)
NEW = datetime(2024, 6, 1, tzinfo=UTC)


def _story(key: str, url: str) -> StoryWrite:
    return StoryWrite(
        key=key,
        cluster_key=key,
        kind="new",
        guid=f"g-{key}",
        url=url,
        canonical_url=url,
        title=key,
        summary="",
        source="Wire",
        language="en",
        fingerprint=key,
        published_at=None,
        matches=(MatchWrite("embassy-raids", 1, 0.9, "digest", "{}"),),
    )


def _poll(feed_id: int, when: datetime, *stories: StoryWrite) -> PollWrite:
    return PollWrite(
        feed_id=feed_id,
        checked_at=when,
        next_check_at=when,
        etag=None,
        last_modified=None,
        title="Wire",
        stories=stories,
    )


def test_prune_keeps_identity_keys_of_what_it_removes(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://wire.example/rss", OLD)
    save_poll(engine, _poll(feed.id, OLD, _story("old", "https://wire.example/old")))
    save_poll(engine, _poll(feed.id, NEW, _story("new", "https://wire.example/new")))

    summary = prune_stories(engine, OLD + timedelta(days=1), NEW)

    assert (summary.stories, summary.tombstones) == (1, 2)
    assert count_stories(engine) == 1
    with transaction(engine) as session:
        assert is_tombstoned(session, "https://wire.example/old", None, "")
        assert is_tombstoned(session, None, feed.id, "g-old")
        assert not is_tombstoned(session, "https://wire.example/new", feed.id, "g-new")
    # Pruning again finds nothing more.
    assert prune_stories(engine, OLD + timedelta(days=1), NEW).stories == 0


def test_a_pruned_story_is_not_stored_again(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://wire.example/rss", OLD)
    save_poll(engine, _poll(feed.id, OLD, _story("old", "https://wire.example/old")))
    prune_stories(engine, OLD + timedelta(days=1), NEW)
    summary = save_poll(engine, _poll(feed.id, NEW, _story("again", "https://wire.example/old")))
    assert summary.new_stories == 0 and summary.new_matches == 0
    assert count_stories(engine) == 0
