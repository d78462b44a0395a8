"""One poll cycle: claim due feeds, fetch them concurrently, parse, dedup, match, store.

Does I/O at its ends (HTTP, database); parsing runs off the event loop.
A failing feed is recorded on its row and never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.dedup import DedupItem, Deduplicator
from monitor.errors import FeedError, FetchError, NewswatchError
from monitor.fetch import FetchPolicy, FetchResult, fetch_feed, new_client
from monitor.matching import MatcherCache, match_writes
from monitor.parse import ParsedFeed, parse_feed
from monitor.story import Story
from storage.errors import StorageError
from storage.feeds import claim_due_feeds, record_feed_error, release_feeds
from storage.records import FeedRecord, PollSummary, PollWrite, StoryWrite
from storage.stories import recent_stories, save_poll

log = logging.getLogger(__name__)

DEDUP_WINDOW = timedelta(days=7)
LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=24)


@dataclass
class CycleReport:
    feeds: int = 0
    ok: int = 0
    not_modified: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    new_stories: int = 0
    new_matches: int = 0


def utcnow() -> datetime:
    return datetime.now(UTC)


def next_check(now: datetime, interval: int, ttl_minutes: int | None) -> datetime:
    """The next poll: the feed's interval, or its RSS ttl if longer (capped at a day)."""
    seconds = max(interval, min((ttl_minutes or 0) * 60, 86_400))
    return now + timedelta(seconds=seconds)


def error_backoff(now: datetime, interval: int, errors: int, retry_after: float | None) -> datetime:
    """Back off exponentially on consecutive errors, never sooner than Retry-After."""
    delay = timedelta(seconds=interval * 2 ** min(errors, 10))
    delay = min(delay, MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds())))
    return now + delay


class Ingestor:
    """Runs poll cycles; keeps the deduplicator's memory between them."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        matchers: MatcherCache,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.matchers = matchers
        self.worker = worker or f"worker-{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.policy = FetchPolicy(
            allow_private=settings.allow_private_networks,
            deadline=settings.fetch_timeout,
            max_bytes=settings.max_feed_bytes,
            user_agent=settings.user_agent,
        )
        self.dedup = self._seeded_dedup()

    def _seeded_dedup(self) -> Deduplicator:
        dedup = Deduplicator()
        for s in recent_stories(self.engine, self.clock() - DEDUP_WINDOW):
            item = DedupItem(
                id=s.key,
                feed=s.feed_url,
                guid=s.guid,
                url=s.url,
                title=s.title,
                summary=s.summary,
                published=s.published_at or s.first_seen_at,
                source=s.source,
            )
            dedup.remember(item, story=s.key, cluster=s.cluster_key, fingerprint=s.fingerprint)
        return dedup

    async def run_cycle(
        self,
        stop: asyncio.Event | None = None,
        progress: Callable[[str], None] | None = None,
        every_feed: bool = False,
    ) -> CycleReport:
        """Poll the due feeds (``every_feed``: also every healthy one, for ``run --once``)."""
        now = self.clock()
        feeds = claim_due_feeds(self.engine, now, self.worker, LEASE, healthy_too=every_feed)
        report = CycleReport(feeds=len(feeds))
        if not feeds:
            return report
        pending = {f.id for f in feeds}
        semaphore = asyncio.Semaphore(self.settings.fetch_concurrency)
        async with new_client(self.settings.fetch_concurrency) as client:

            async def one(feed: FeedRecord) -> None:
                async with semaphore:
                    if stop is not None and stop.is_set():
                        return
                    await self._poll(client, feed, report)
                    pending.discard(feed.id)
                    if progress is not None:
                        progress(feed.url)

            try:
                await asyncio.gather(*(one(f) for f in feeds))
            finally:
                release_feeds(self.engine, sorted(pending))
        return report

    async def _poll(self, client: object, feed: FeedRecord, report: CycleReport) -> None:
        now = self.clock()
        try:
            result = await fetch_feed(
                client,  # type: ignore[arg-type]
                feed.url,
                self.policy,
                etag=feed.etag,
                last_modified=feed.last_modified,
            )
            if result.not_modified:
                self._store(feed, now, result, None)
                report.not_modified += 1
            else:
                loop = asyncio.get_running_loop()
                parsed = await loop.run_in_executor(
                    None, parse_feed, result.body, result.headers, feed.url, now
                )
                summary = self._store(feed, now, result, parsed)
                report.new_stories += summary.new_stories
                report.new_matches += summary.new_matches
            report.ok += 1
            log.info("polled %s: %s", feed.url, "not modified" if result.not_modified else "ok")
        except FeedError as exc:
            self._fail(feed, now, exc, report, getattr(exc, "retry_after", None))
        except StorageError:
            raise
        except NewswatchError as exc:
            self._fail(feed, now, exc, report, None)
        except Exception as exc:  # a feed must never take the cycle down
            log.exception("unexpected error polling %s", feed.url)
            self._fail(feed, now, exc, report, None)

    def _fail(
        self,
        feed: FeedRecord,
        now: datetime,
        exc: BaseException,
        report: CycleReport,
        retry_after: float | None,
    ) -> None:
        reason = str(exc) or exc.__class__.__name__
        if isinstance(exc, FetchError) and exc.status == 429 and retry_after is None:
            retry_after = float(self.settings.poll_interval)
        report.errors[feed.url] = reason
        log.warning("feed %s failed: %s", feed.url, reason)
        when = error_backoff(now, self.settings.poll_interval, feed.error_count, retry_after)
        record_feed_error(self.engine, feed.id, reason, now, when)

    def _store(
        self, feed: FeedRecord, now: datetime, result: FetchResult, parsed: ParsedFeed | None
    ) -> PollSummary:
        writes = self._decide(feed, parsed, now) if parsed is not None else ()
        poll = PollWrite(
            feed_id=feed.id,
            checked_at=now,
            next_check_at=next_check(
                now, self.settings.poll_interval, parsed.ttl_minutes if parsed else None
            ),
            etag=result.etag,
            last_modified=result.last_modified,
            title=parsed.title if parsed else None,
            stories=writes,
            not_modified=result.not_modified,
        )
        try:
            return save_poll(self.engine, poll)
        except Exception:
            # The deduplicator already remembered these items: forget them by reloading.
            self.dedup = self._seeded_dedup()
            raise

    def _decide(
        self, feed: FeedRecord, parsed: ParsedFeed, now: datetime
    ) -> tuple[StoryWrite, ...]:
        compiled = self.matchers.current()
        writes = []
        for story in parsed.stories:
            item = dedup_item(story, uuid.uuid4().hex, now)
            decision = self.dedup.decide(item, now)
            matches = ()
            if decision.kind != "same":
                found = compiled.matcher.match(story.title, story.summary, story.language)
                matches = match_writes(compiled, found)
            writes.append(
                StoryWrite(
                    key=decision.story,
                    cluster_key=decision.cluster,
                    kind=decision.kind,
                    guid=story.guid,
                    url=story.url,
                    canonical_url=story.canonical_url or None,
                    title=story.title,
                    summary=story.summary,
                    source=story.source,
                    language=story.language,
                    fingerprint=self.dedup.fingerprint(item),
                    published_at=story.published,
                    matches=matches,
                )
            )
        return tuple(writes)


def dedup_item(story: Story, key: str, now: datetime) -> DedupItem:
    return DedupItem(
        id=key,
        feed=story.feed_url,
        guid=story.guid,
        url=story.url,
        title=story.title,
        summary=story.summary,
        published=story.published or now,
        source=story.source,
    )
