"""One poll is one transaction; inserts are idempotent; leases keep feeds from double polls."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from storage.digests import create_digest, undelivered_matches
from storage.errors import StorageError
from storage.feeds import add_feed, claim_due_feeds, list_feeds, record_feed_error
from storage.records import MatchWrite, PollWrite, StoryWrite
from storage.stories import count_stories, recent_stories, recent_story_chunks, save_poll
from storage.subscriptions import add_subscription

NOW = datetime(2024, 4, 6, 12, 0, tzinfo=UTC)


def story(
    key: str,
    url: str,
    cluster: str | None = None,
    kind: str = "new",
    matches: tuple[MatchWrite, ...] = (),
) -> StoryWrite:
    return StoryWrite(
        key=key,
        cluster_key=cluster or key,
        kind=kind,
        guid=f"guid-{key}",
        url=url,
        canonical_url=url,
        title=f"Title {key}",
        summary="Summary",
        source="Test",
        language="en",
        fingerprint=f"fp-{key}",
        published_at=NOW,
        matches=matches,
    )


def poll(feed_id: int, *stories: StoryWrite, etag: str | None = '"v1"') -> PollWrite:
    return PollWrite(
        feed_id=feed_id,
        checked_at=NOW,
        next_check_at=NOW + timedelta(minutes=15),
        etag=etag,
        last_modified=None,
        title="Feed",
        stories=stories,
    )


def test_poll_saves_stories_and_validators_together(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    summary = save_poll(
        engine, poll(feed.id, story("a", "https://a.example/1"), story("b", "https://a.example/2"))
    )
    assert summary.new_stories == 2
    (stored,) = list_feeds(engine)
    assert stored.etag == '"v1"' and stored.state == "healthy" and stored.item_count == 2


def test_failed_poll_write_leaves_validators_unsaved(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    good = story("a", "https://a.example/1")
    bad = replace(story("b", "https://a.example/2"), published_at=datetime(2024, 1, 1))  # naive
    with pytest.raises(StorageError):
        save_poll(engine, poll(feed.id, good, bad))
    (stored,) = list_feeds(engine)
    assert stored.etag is None and count_stories(engine) == 0


def test_repeated_keys_do_not_roll_back_the_batch(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    save_poll(engine, poll(feed.id, story("a", "https://a.example/1")))
    # The same URL again under a new key (e.g. another process stored it first) and a new one.
    summary = save_poll(
        engine, poll(feed.id, story("a2", "https://a.example/1"), story("c", "https://a.example/3"))
    )
    assert count_stories(engine) == 2
    assert summary.new_stories == 2  # counted as written; the repeat became a source of the first
    assert {s.key for s in recent_stories(engine, NOW - timedelta(days=1))} == {"a", "c"}


def test_claimed_feeds_are_not_claimed_again_until_the_lease_ends(engine: Engine) -> None:
    add_feed(engine, "https://a.example/rss", NOW)
    first = claim_due_feeds(engine, NOW, "w1", timedelta(minutes=10))
    second = claim_due_feeds(engine, NOW, "w2", timedelta(minutes=10))
    later = claim_due_feeds(engine, NOW + timedelta(minutes=11), "w2", timedelta(minutes=10))
    assert len(first) == 1 and second == [] and len(later) == 1


def test_errors_are_counted_on_the_feed_with_their_reason(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    for n, state in enumerate(("degraded", "degraded", "failing"), start=1):
        reason = f"{n} failures in a row; last: HTTP 500"
        record_feed_error(engine, feed.id, "HTTP 500", NOW, NOW + timedelta(hours=1), state, reason)
    (stored,) = list_feeds(engine)
    assert (stored.error_count, stored.last_error) == (3, "HTTP 500")
    # The health is the caller's (monitor.schedule.health): storage keeps it as given.
    assert (stored.state, stored.state_reason) == ("failing", "3 failures in a row; last: HTTP 500")
    assert stored.next_check_at == NOW + timedelta(hours=1)


def test_a_cluster_reaches_a_subscription_once(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    match = MatchWrite("embassy-raids", 1, 0.9, "digest", '{"hits": []}')
    save_poll(
        engine,
        poll(
            feed.id,
            story("a", "https://a.example/1", matches=(match,)),
            story("b", "https://b.example/1", cluster="a", kind="cluster", matches=(match,)),
        ),
    )
    sub = add_subscription(
        engine,
        channel="email",
        target="x@example.org",
        watchlists=["embassy-raids"],
        schedule="instant",
        timezone="UTC",
        now=NOW - timedelta(hours=1),
    )
    candidates = undelivered_matches(engine, sub.id, sub.watchlists, 0.0, NOW - timedelta(days=1))
    assert {c.story.cluster_key for c in candidates} == {"a"}
    assert create_digest(
        engine,
        digest_id="d1",
        subscription_id=sub.id,
        payload="{}",
        items=[("a", candidates[0].story.id)],
        now=NOW,
    )
    assert not create_digest(
        engine,
        digest_id="d2",
        subscription_id=sub.id,
        payload="{}",
        items=[("a", candidates[0].story.id)],
        now=NOW,
    )
    assert undelivered_matches(engine, sub.id, sub.watchlists, 0.0, NOW - timedelta(days=1)) == []


def test_recent_stories_come_in_chunks_each_once_even_when_times_tie(engine: Engine) -> None:
    feed, _ = add_feed(engine, "https://a.example/rss", NOW)
    save_poll(engine, poll(feed.id, *(story(f"s{n}", f"https://a.example/{n}") for n in range(5))))
    later = replace(poll(feed.id, story("t", "https://a.example/t")), checked_at=NOW + timedelta(1))
    save_poll(engine, later)
    chunks = list(recent_story_chunks(engine, NOW - timedelta(days=1), size=2))
    assert [len(c) for c in chunks] == [2, 2, 2]  # five stories share one first-seen time
    keys = [s.key for c in chunks for s in c]
    assert sorted(keys[:5]) == [f"s{n}" for n in range(5)] and keys[5] == "t"  # oldest first
    assert [s.key for s in recent_stories(engine, NOW - timedelta(days=1))] == keys
