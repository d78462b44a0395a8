"""The digest outbox in the database, on SQLite and PostgreSQL: once per story, leases, states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from storage.digests import (
    claim_due_digests,
    create_digest,
    digest_clusters,
    get_digest,
    list_digests,
    mark_attempt_failed,
    mark_sent,
    requeue_digest,
    undelivered_matches,
)
from storage.subscriptions import (
    add_subscription,
    disable_subscription,
    get_subscription,
    set_paused,
    update_subscription,
)
from tests.monitor.outbox_support import seed

NOW = datetime(2026, 4, 6, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _sub(engine: Engine) -> int:
    return add_subscription(
        engine,
        channel="email",
        target="a@example.org",
        watchlists=["embassy-raids"],
        schedule="instant",
        timezone="UTC",
        now=NOW - timedelta(hours=1),
        quiet_hours="22:00-07:00",
    ).id


def _digest(engine: Engine, sub: int, digest_id: str, clusters: list[str]) -> bool:
    return create_digest(
        engine,
        digest_id=digest_id,
        subscription_id=sub,
        payload="{}",
        items=[(c, None) for c in clusters],
        now=NOW,
    )


def test_a_story_cluster_goes_into_one_digest_per_subscription(engine: Engine) -> None:
    sub, other = _sub(engine), _sub(engine)
    a, b = seed(engine, NOW, "Raid on the embassy", "Embassy staff leave")
    assert _digest(engine, sub, "nwd_1", [a])
    assert not _digest(engine, sub, "nwd_2", [a, b])  # a is taken: nothing of nwd_2 is kept
    assert get_digest(engine, "nwd_2") is None
    assert _digest(engine, other, "nwd_3", [a, b])  # another subscription may have it
    remaining = undelivered_matches(engine, sub, ("embassy-raids",), 0.0, NOW - timedelta(days=1))
    assert [m.story.cluster_key for m in remaining] == [b]
    assert digest_clusters(engine, "nwd_1") == [a]


def test_a_claimed_digest_is_leased_until_it_expires(engine: Engine) -> None:
    sub = _sub(engine)
    [a] = seed(engine, NOW, "Raid on the embassy")
    _digest(engine, sub, "nwd_1", [a])
    assert [d.id for d in claim_due_digests(engine, NOW, LEASE)] == ["nwd_1"]
    assert claim_due_digests(engine, NOW + timedelta(minutes=1), LEASE) == []  # still leased
    assert [d.id for d in claim_due_digests(engine, NOW + LEASE * 2, LEASE)] == ["nwd_1"]


def test_paused_subscriptions_keep_their_digests_waiting(engine: Engine) -> None:
    sub = _sub(engine)
    [a] = seed(engine, NOW, "Raid on the embassy")
    _digest(engine, sub, "nwd_1", [a])
    disable_subscription(engine, sub, "webhook answered 410 Gone")
    assert claim_due_digests(engine, NOW, LEASE) == []
    set_paused(engine, sub, False)
    record = get_subscription(engine, sub)
    assert record is not None and record.disabled_reason is None
    assert [d.id for d in claim_due_digests(engine, NOW, LEASE)] == ["nwd_1"]


def test_failed_attempts_then_failure_then_requeue_keep_the_same_id(engine: Engine) -> None:
    sub = _sub(engine)
    [a] = seed(engine, NOW, "Raid on the embassy")
    _digest(engine, sub, "nwd_1", [a])
    mark_attempt_failed(engine, "nwd_1", "HTTP 500", NOW + timedelta(minutes=1), NOW)
    pending = get_digest(engine, "nwd_1")
    assert pending is not None and pending.state == "pending" and pending.attempts == 1
    assert claim_due_digests(engine, NOW, LEASE) == []  # not due before its next attempt
    mark_attempt_failed(engine, "nwd_1", "HTTP 500 [gave up]", None, NOW + timedelta(minutes=1))
    assert [d.state for d in list_digests(engine, state="failed")] == ["failed"]
    assert claim_due_digests(engine, NOW + timedelta(days=1), LEASE) == []
    before = requeue_digest(engine, "nwd_1", NOW + timedelta(days=1))
    assert before is not None and before.state == "failed"
    [again] = claim_due_digests(engine, NOW + timedelta(days=1), LEASE)
    assert again.id == "nwd_1" and again.attempts == 0
    mark_sent(engine, "nwd_1", NOW + timedelta(days=1))
    sent = get_digest(engine, "nwd_1")
    assert sent is not None and sent.state == "sent" and sent.last_error is None
    assert requeue_digest(engine, "nwd_1", NOW) is not None
    assert get_digest(engine, "nwd_1").state == "sent"  # type: ignore[union-attr]
    assert requeue_digest(engine, "nwd_missing", NOW) is None


def test_subscription_options_are_stored_and_edited(engine: Engine) -> None:
    sub = _sub(engine)
    record = get_subscription(engine, sub)
    assert record is not None and record.quiet_hours == "22:00-07:00" and not record.send_empty
    update_subscription(engine, sub, send_empty=True, quiet_hours=None, watchlists=["b", "a"])
    record = get_subscription(engine, sub)
    assert record is not None and record.send_empty and record.quiet_hours is None
    assert record.watchlists == ("a", "b")


def test_removing_a_subscription_removes_its_digest_history(engine: Engine) -> None:
    from storage.subscriptions import remove_subscription

    sub = _sub(engine)
    [a] = seed(engine, NOW, "Raid on the embassy")
    _digest(engine, sub, "nwd_1", [a])
    assert remove_subscription(engine, sub)
    assert get_digest(engine, "nwd_1") is None and digest_clusters(engine, "nwd_1") == []
