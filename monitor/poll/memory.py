"""The deduplicator's memory at start-up: the stories stored in the last week, remembered.

Does I/O: reads stored stories from the database, a chunk at a time, and has the parser
processes (``monitor.poll.parsers``) work out their dedup features a few chunks ahead.
A restarted daemon or a ``run --once`` thus knows every story it stored before.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.dedup.deduplicator import Deduplicator
from monitor.dedup.features import DedupFeatures, DedupItem
from monitor.poll.parsers import close_parser_pool, parser_pool
from monitor.prepare.body import stored_features
from storage.records import StoredStory
from storage.stories import recent_story_chunks

log = logging.getLogger(__name__)

DEDUP_WINDOW = timedelta(days=7)
SEED_CHUNK = 1_000  # stored stories read and worked out at a time at start-up
SEED_AHEAD = 4  # chunks the parser processes work on ahead of the one being remembered


def seeded_dedup(engine: Engine, now: datetime, workers: int) -> Deduplicator:
    """A deduplicator that remembers the stories stored in the last ``DEDUP_WINDOW``.

    ``workers`` is the size of the parser pool, started if there is more than one chunk.
    """
    dedup = Deduplicator()
    started = time.perf_counter()
    loaded = 0
    chunks = recent_story_chunks(engine, now - DEDUP_WINDOW, SEED_CHUNK)
    for stored, features in _with_features(chunks, workers):
        for s, f in zip(stored, features, strict=True):
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
            dedup.remember(
                item,
                s.key,
                s.cluster_key,
                fingerprint=s.fingerprint,
                seen=s.first_seen_at,  # it leaves memory by when it arrived, as live ones do
                features=f,
            )
        loaded += len(stored)
    if loaded >= SEED_CHUNK:
        log.info("%d stories loaded in %.1f s", loaded, time.perf_counter() - started)
    return dedup


def _with_features(
    chunks: Iterator[list[StoredStory]], workers: int
) -> Iterator[tuple[list[StoredStory], list[DedupFeatures]]]:
    """Each chunk of stored stories with their dedup features, in order.

    The features are most of the work of loading the deduplicator's memory (about 0.1 ms
    a story): when there is more than one chunk, the parser processes work them out, a
    few chunks ahead, so that neither the stories nor their features are all in memory
    at once. Measured by ``bench/polling.py`` for 100,000 stored stories: 8.1 s on two
    cores and 358 MB at the peak; read all at once first, 8.6 s and 468 MB.
    """
    first = next(chunks, None)
    if first is None:
        return
    if len(first) < SEED_CHUNK:  # that is all of them
        yield first, stored_features(_feature_rows(first))
        return
    log.info("loading the stories of the last %d days into memory", DEDUP_WINDOW.days)
    ahead: deque[tuple[list[StoredStory], Future[list[DedupFeatures]] | None]] = deque()
    pool: Executor | None = parser_pool(workers)
    for chunk in itertools.chain([first], chunks):
        job = None
        if pool is not None:
            try:
                job = pool.submit(stored_features, _feature_rows(chunk))
            except BrokenProcessPool:
                close_parser_pool()  # a worker died: the rest is worked out here
                pool = None
        ahead.append((chunk, job))
        while len(ahead) > SEED_AHEAD or (ahead and ahead[0][1] is None):
            stored, job = ahead.popleft()
            yield stored, _features_done(stored, job)
    while ahead:
        stored, job = ahead.popleft()
        yield stored, _features_done(stored, job)


def _features_done(
    stored: list[StoredStory], job: Future[list[DedupFeatures]] | None
) -> list[DedupFeatures]:
    try:
        if job is not None:
            return job.result()
    except BrokenProcessPool:
        close_parser_pool()  # a worker died: the rest is worked out here
    return stored_features(_feature_rows(stored))


def _feature_rows(stored: list[StoredStory]) -> list[tuple[str, str, str, str | None]]:
    return [(s.title, s.summary, s.url, s.canonical_url) for s in stored]
