"""The poll decision (monitor.schedule.decision) on plain data: no server, no database.

What a user sees of a poll: when the feed is looked at again, whether it shows as
healthy or stale, which old items of a first poll never alert, how a failure backs off.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.parse.feed import ParsedFeed
from monitor.parse.story import Story
from monitor.schedule.decision import (
    backlog_cutoff,
    decide_error,
    decide_poll,
    is_backlog,
    published_gap,
)
from monitor.schedule.polling import Bounds
from storage.records import FeedRecord, PollWrite, StoryWrite

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BASE = 900
BOUNDS = Bounds()
FEED = FeedRecord(
    id=7,
    url="https://news.example/rss.xml",
    title="News",
    state="healthy",
    etag='"old"',
    last_modified=None,
    error_count=0,
    last_error=None,
    item_count=10,
    next_check_at=NOW,
    last_checked_at=NOW - timedelta(minutes=15),
    last_success_at=NOW - timedelta(minutes=15),
    last_new_item_at=NOW - timedelta(hours=1),
    poll_interval=BASE,
    item_gap=3600.0,
)


@dataclass(frozen=True)
class Answer:
    """A fetch result as plain data: all the decision reads of one."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = '"new"'
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def story(n: int, published: datetime | None = None) -> Story:
    return Story(
        feed_url=FEED.url,
        guid=f"g{n}",
        url=f"https://news.example/{n}",
        canonical_url=f"https://news.example/{n}",
        title=f"Story {n}",
        summary="",
        published=published,
        source="News",
    )


def write(n: int, kind: str = "new") -> StoryWrite:
    s = story(n)
    return StoryWrite(
        key=f"k{n}",
        cluster_key=f"k{n}",
        kind=kind,
        guid=s.guid,
        url=s.url,
        canonical_url=s.canonical_url,
        title=s.title,
        summary=s.summary,
        source=s.source,
        language=None,
        fingerprint="",
        published_at=None,
    )


def parsed(*stories: Story, ttl: int | None = None, update: int | None = None) -> ParsedFeed:
    return ParsedFeed("News today", None, stories, ttl_minutes=ttl, update_minutes=update)


def poll(
    feed: FeedRecord = FEED,
    answer: Answer | None = None,
    feed_body: ParsedFeed | None = None,
    writes: tuple[StoryWrite, ...] = (),
) -> PollWrite:
    return decide_poll(
        feed,
        answer or Answer(),
        feed_body,
        writes,
        now=NOW,
        bounds=BOUNDS,
        base_interval=BASE,
    )


def wait(decided: PollWrite) -> float:
    return (decided.next_check_at - NOW).total_seconds()


INTERVALS = [
    ("new items: checked a quarter sooner", (write(1), write(2)), 675),
    ("a new source of a known story counts as new", (write(1, "cluster"),), 675),
    ("nothing new: a quarter later", (), 1125),
    ("repeats and edits are not new", (write(1, "same"), write(2, "update")), 1125),
]


@pytest.mark.parametrize(
    ("writes", "interval"), [c[1:] for c in INTERVALS], ids=[c[0] for c in INTERVALS]
)
def test_the_interval_adapts_to_how_often_the_feed_has_news(
    writes: tuple[StoryWrite, ...], interval: int
) -> None:
    decided = poll(feed_body=parsed(*(story(n) for n in range(len(writes)))), writes=writes)
    assert decided.poll_interval == interval
    assert wait(decided) == interval
    assert decided.stories == writes


def test_a_busy_feed_is_never_checked_more_often_than_a_quarter_of_the_setting() -> None:
    decided = poll(replace(FEED, poll_interval=240), feed_body=parsed(story(1)), writes=(write(1),))
    assert decided.poll_interval == BASE // 4


HINTS = [
    ("cache-control max-age", Answer(headers={"cache-control": "max-age=3600"}), None, 3600),
    (
        "no-cache is no hint",
        Answer(headers={"cache-control": "no-cache, max-age=3600"}),
        None,
        1125,
    ),
    ("rss ttl", Answer(), parsed(ttl=120), 7200),
    ("sy:updatePeriod", Answer(), parsed(update=1440), 86_400),
    ("retry-after on a 200", Answer(headers={"retry-after": "5000"}), None, 5000),
    (
        "a month of max-age is held to a day",
        Answer(headers={"cache-control": "max-age=2592000"}),
        None,
        86_400,
    ),
]


@pytest.mark.parametrize(
    ("answer", "feed_body", "seconds"), [c[1:] for c in HINTS], ids=[c[0] for c in HINTS]
)
def test_the_feeds_own_hints_are_respected_within_bounds(
    answer: Answer, feed_body: ParsedFeed | None, seconds: int
) -> None:
    assert wait(poll(answer=answer, feed_body=feed_body)) == seconds


def test_a_304_keeps_the_title_and_takes_the_new_validators() -> None:
    decided = poll(answer=Answer(status=304, etag='"v2"', last_modified="Tue, 24 Nov 2026"))
    assert decided.not_modified
    assert decided.title is None  # None: the stored title stays
    assert (decided.etag, decided.last_modified) == ('"v2"', "Tue, 24 Nov 2026")
    assert decided.stories == ()


def test_a_changed_body_gives_its_title() -> None:
    decided = poll(feed_body=parsed(story(1)), writes=(write(1, "same"),))
    assert (decided.title, decided.not_modified) == ("News today", False)


HEALTH = [
    ("new items", FEED, (write(1),), "healthy", "1 new items"),
    ("quiet, but not for long", FEED, (), "healthy", "no new items"),
    (
        "silent for ten days, usually hourly",
        replace(FEED, last_new_item_at=NOW - timedelta(days=10)),
        (),
        "stale",
        "no new items for 10 days; it usually has one every 60 minutes",
    ),
    (
        "back with news after a silence",
        replace(FEED, state="stale", last_new_item_at=NOW - timedelta(days=10)),
        (write(1),),
        "healthy",
        "1 new items",
    ),
    (
        "no history yet: not stale",
        replace(FEED, last_new_item_at=None, item_gap=None),
        (),
        "healthy",
        "no new items",
    ),
]


@pytest.mark.parametrize(
    ("feed", "writes", "state", "reason"), [c[1:] for c in HEALTH], ids=[c[0] for c in HEALTH]
)
def test_healthy_or_stale_with_a_reason(
    feed: FeedRecord, writes: tuple[StoryWrite, ...], state: str, reason: str
) -> None:
    decided = poll(feed, feed_body=parsed(story(1)), writes=writes)
    assert (decided.state, decided.state_reason) == (state, reason)


def test_the_usual_gap_follows_new_items() -> None:
    # Two new items an hour after the last one: 30 minutes each, averaged into one hour.
    decided = poll(feed_body=parsed(story(1), story(2)), writes=(write(1), write(2)))
    assert decided.item_gap == pytest.approx(0.8 * 3600 + 0.2 * 1800)
    assert poll().item_gap == 3600.0  # nothing new: unchanged


def test_a_first_poll_learns_the_gap_from_publication_dates() -> None:
    first = replace(FEED, last_new_item_at=None, item_gap=None, last_success_at=None)
    dates = [NOW - timedelta(hours=h) for h in (0, 2, 6)]
    body = parsed(*(story(n, d) for n, d in enumerate(dates)), story(9, None))
    decided = poll(first, feed_body=body, writes=tuple(write(n) for n in range(4)))
    assert decided.item_gap == 3 * 3600.0  # six hours over two gaps; the undated one is left out


def test_one_dated_item_gives_no_gap() -> None:
    assert published_gap((story(1, NOW), story(2, None))) is None
    assert published_gap((story(1, NOW), story(2, NOW))) is None  # all at once: no gap either


def test_only_a_first_poll_has_a_backlog_cutoff() -> None:
    first = replace(FEED, last_success_at=None)
    assert backlog_cutoff(first, NOW, 172_800) == NOW - timedelta(days=2)
    assert backlog_cutoff(FEED, NOW, 172_800) is None


BACKLOG = [
    ("older than the cutoff", NOW - timedelta(days=3), NOW - timedelta(days=2), True),
    ("newer than the cutoff", NOW - timedelta(days=1), NOW - timedelta(days=2), False),
    ("undated: taken to be new", None, NOW - timedelta(days=2), False),
    ("a later poll: never backlog", NOW - timedelta(days=300), None, False),
]


@pytest.mark.parametrize(
    ("published", "cutoff", "old"), [c[1:] for c in BACKLOG], ids=[c[0] for c in BACKLOG]
)
def test_old_news_of_a_first_poll_is_backlog(
    published: datetime | None, cutoff: datetime | None, old: bool
) -> None:
    assert is_backlog(story(1, published), cutoff) is old


FAILURES = [
    ("first failure: one interval, degraded", FEED, None, None, 900, "degraded"),
    (
        "third in a row: four intervals, failing",
        replace(FEED, error_count=2),
        500,
        None,
        3600,
        "failing",
    ),
    ("gone: dead at once", FEED, 410, None, 900, "dead"),
    (
        "a 429 backs off like any failure",
        replace(FEED, error_count=1),
        429,
        None,
        1800,
        "degraded",
    ),
    ("retry-after beyond the backoff is honoured", FEED, 503, 7200.0, 7200, "degraded"),
    (
        "the feed's own interval is the base",
        replace(FEED, poll_interval=3600),
        None,
        None,
        3600,
        "degraded",
    ),
    ("the tenth: dead, still tried daily", replace(FEED, error_count=9), 500, None, 86_400, "dead"),
]


@pytest.mark.parametrize(
    ("feed", "status", "retry_after", "seconds", "state"),
    [c[1:] for c in FAILURES],
    ids=[c[0] for c in FAILURES],
)
def test_a_failure_backs_off_and_names_the_health(
    feed: FeedRecord, status: int | None, retry_after: float | None, seconds: int, state: str
) -> None:
    failed = decide_error(
        feed,
        "HTTP 500",
        status=status,
        retry_after=retry_after,
        now=NOW,
        bounds=BOUNDS,
        base_interval=BASE,
    )
    assert (failed.next_check_at - NOW).total_seconds() == seconds
    assert failed.state == state
    assert failed.errors == feed.error_count + 1
    assert (failed.feed_id, failed.reason, failed.checked_at) == (FEED.id, "HTTP 500", NOW)
