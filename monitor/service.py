"""The service: opens the database, seeds a fresh install, and runs one full cycle.

Does I/O. ``run --once``, the daemon's ticks and ``demo`` all call
``Service.cycle``: poll due feeds, match, store, compose feed alerts and due
digests, deliver.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from monitor import metrics
from monitor.clock import utcnow
from monitor.config import Settings
from monitor.dispatch import DispatchReport, compose_due, compose_feed_alerts, deliver_due
from monitor.ingest import CycleReport, Ingestor
from monitor.opml import default_feeds
from storage.database import migrate, open_engine
from storage.feeds import add_feed, count_feeds
from storage.operations import delivered_publication_times
from storage.watchlist_store import list_watchlists, save_watchlist
from watchlists.builtin import builtin_watchlist_texts

log = logging.getLogger(__name__)


@dataclass
class CycleResult:
    poll: CycleReport
    dispatch: DispatchReport
    alerts: list[str] = field(default_factory=list)  # feed alerts composed in this cycle


def open_database(settings: Settings) -> Engine:
    """Open (and migrate) the database; a fresh one gets the built-in watchlists."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = open_engine(settings.effective_database_url)
    migrate(engine)
    if not list_watchlists(engine):
        now = utcnow()
        for name, text in builtin_watchlist_texts().items():
            save_watchlist(engine, name, text, now, builtin=True)
        log.info("installed the built-in watchlists")
    return engine


def ensure_default_feeds(engine: Engine, now: datetime) -> int:
    """With no feed at all, subscribe to the bundled world-news list; returns how many."""
    if count_feeds(engine):
        return 0
    outlines = default_feeds()
    for outline in outlines:
        add_feed(engine, outline.url, now, title=outline.title)
    log.info("no feeds were added: using the %d bundled world-news feeds", len(outlines))
    return len(outlines)


class Service:
    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.engine = engine or open_database(settings)
        self.clock = clock
        self.ingestor = Ingestor(self.engine, settings, clock=clock)

    async def cycle(
        self,
        stop: asyncio.Event | None = None,
        progress: Callable[[str], None] | None = None,
        every_feed: bool = False,
    ) -> CycleResult:
        """Poll due feeds (or every healthy one), then compose feed alerts and due digests,
        and deliver them: a feed that broke in this cycle is reported in this cycle."""
        poll = await self.ingestor.run_cycle(stop=stop, progress=progress, every_feed=every_feed)
        now = self.clock()
        alerts = compose_feed_alerts(self.engine, now)
        composed = compose_due(self.engine, now)
        dispatch = await deliver_due(self.engine, self.settings, now)
        metrics.observe_dispatch(len(composed), len(dispatch.sent), len(dispatch.failed))
        metrics.observe_delivery_latency(delivered_publication_times(self.engine, dispatch.sent))
        return CycleResult(poll, dispatch, alerts)

    def close(self) -> None:
        """Stop the parser processes."""
        self.ingestor.close()
