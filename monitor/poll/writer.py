"""Batched poll writes from one writer thread, so the event loop never waits on the disk.

Does I/O (the database). The writer is a thread of the main process: the database
drivers release the GIL while they wait, and the main process has the CPU to spare
now that parsing, matching and dedup features run in the parser processes (a writer
process cost 55 MB more and pickled every poll). Polls that finish close together are
written in ONE transaction (each with its own validators, so promise 1 still holds: a
validator is never saved without its stories); with SQLite's synchronous=FULL
this turns a commit per feed into a commit per batch. A batch that fails is
retried poll by poll, so one bad poll cannot sink the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from storage.feeds import move_feed, record_feed_error
from storage.records import PollSummary, PollWrite
from storage.stories import save_poll, save_polls

log = logging.getLogger(__name__)

MAX_BATCH = 200
LINGER = 0.02  # seconds a lone poll waits for company before it is written


class BatchWriter:
    """Queue polls with ``save``; they are written in batches by one thread."""

    def __init__(
        self,
        engine: Engine,
        on_failure: Callable[[], None] | None = None,
        max_batch: int = MAX_BATCH,
        linger: float = LINGER,
    ) -> None:
        self.engine = engine
        self.on_failure = on_failure
        self.max_batch = max_batch
        self.linger = linger
        self.batches = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newswatch-writer")
        self._queue: list[tuple[PollWrite, asyncio.Future[PollSummary]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    async def save(self, poll: PollWrite) -> PollSummary:
        """Queue one poll; returns its summary once its batch is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[PollSummary] = loop.create_future()
        self._queue.append((poll, future))
        if len(self._queue) >= self.max_batch:
            self._flush_now()
        elif self._timer is None:
            self._timer = loop.call_later(self.linger, self._flush_now)
        return await future

    def _flush_now(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._queue:
            return
        batch, self._queue = self._queue, []
        task = asyncio.get_running_loop().create_task(self._write(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _write(self, batch: list[tuple[PollWrite, asyncio.Future[PollSummary]]]) -> None:
        polls = [poll for poll, _ in batch]
        try:
            summaries = await self._run(save_polls, self.engine, polls)
        except Exception as exc:  # retry one by one: only the bad poll fails
            log.warning("a batch of %d polls failed (%s); writing them one by one", len(batch), exc)
            if self.on_failure is not None:
                self.on_failure()
            for poll, future in batch:
                try:
                    summary = await self._run(save_poll, self.engine, poll)
                except Exception as single:
                    if not future.done():
                        future.set_exception(single)
                else:
                    if not future.done():
                        future.set_result(summary)
            return
        self.batches += 1
        for (_, future), summary in zip(batch, summaries, strict=True):
            if not future.done():
                future.set_result(summary)

    async def error(
        self,
        feed_id: int,
        reason: str,
        now: datetime,
        next_check_at: datetime,
        state: str,
        state_reason: str,
    ) -> None:
        await self._run(
            record_feed_error, self.engine, feed_id, reason, now, next_check_at, state, state_reason
        )

    async def move(self, feed_id: int, new_url: str) -> bool:
        return bool(await self._run(move_feed, self.engine, feed_id, new_url))

    async def _run(self, function: Callable[..., Any], engine: Engine, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, function, engine, *args)

    async def close(self) -> None:
        """Write what is queued, wait for every batch, stop the thread."""
        self._flush_now()
        while self._flushes:
            await asyncio.gather(*list(self._flushes), return_exceptions=True)
        self._thread.shutdown(wait=True)
