"""The daemon: APScheduler ticks run service cycles until SIGINT or SIGTERM.

Does I/O. A tick that finds a cycle still running is skipped (one cycle at a
time); a signal lets the running cycle finish its current writes and stops
within ``GRACE`` seconds. Every write is its own transaction, so stopping
between them loses nothing: unsaved feeds are simply polled again.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.clock import utcnow
from monitor.service import endpoint
from monitor.service.cycle import Service, ensure_default_feeds

log = logging.getLogger(__name__)

GRACE = 6.0


async def run_daemon(service: Service) -> None:
    """Run until a stop signal; each tick runs one full cycle."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ensure_default_feeds(service.engine, service.clock())
    address = endpoint.parse_address(service.settings.metrics_port)
    server = endpoint.serve(address, service.engine) if address else None
    running: set[asyncio.Task[None]] = set()

    async def cycle() -> None:
        try:
            result = await service.cycle(stop=stop)
            idle = not result.poll.feeds and not result.dispatch.sent and not result.alerts
            log.log(
                logging.DEBUG if idle else logging.INFO,
                "cycle: %d feeds (%d ok, %d unchanged, %d errors), %d new stories, "
                "%d matches, %d feed alerts, %d digests and alerts sent",
                result.poll.feeds,
                result.poll.ok,
                result.poll.not_modified,
                len(result.poll.errors),
                result.poll.new_stories,
                result.poll.new_matches,
                len(result.alerts),
                len(result.dispatch.sent),
                extra={
                    "feeds": result.poll.feeds,
                    "feeds_ok": result.poll.ok,
                    "feed_errors": len(result.poll.errors),
                    "new_stories": result.poll.new_stories,
                    "new_matches": result.poll.new_matches,
                    "sent": len(result.dispatch.sent),
                    "failed": len(result.dispatch.failed),
                },
            )
        except asyncio.CancelledError:
            log.warning("cycle cut short by shutdown; unsaved feeds are polled next time")
            raise
        except Exception:  # the daemon never dies of one bad cycle
            log.exception("cycle failed; the next tick tries again")

    async def tick() -> None:
        # The cycle runs as our own task, so stopping the scheduler does not cancel it.
        if running or stop.is_set():
            return
        task = asyncio.create_task(cycle())
        running.add(task)
        task.add_done_callback(running.discard)

    scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=service.settings.tick_seconds, timezone=UTC),
        next_run_time=utcnow(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        id="cycle",
    )
    scheduler.start()
    log.info(
        "newswatch is running (tick every %ss); Ctrl-C stops it", service.settings.tick_seconds
    )
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        scheduler.shutdown(wait=False)
        if running:
            done, pending = await asyncio.wait(list(running), timeout=GRACE)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if server is not None:
            server.shutdown()
        service.close()
        log.info("stopped")
