"""The service: opens the database, seeds a fresh install, and runs one full cycle.

Does I/O. ``run --once``, the daemon's ticks and ``demo`` all call
``Service.cycle``: poll due feeds, match, store, compose feed alerts and due
digests, deliver.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from monitor import metrics
from monitor.clock import utcnow
from monitor.config import Settings
from monitor.delivery.dispatch import DispatchReport, compose_due, compose_feed_alerts, deliver_due
from monitor.errors import ConfigError
from monitor.parse.opml import default_feeds
from monitor.poll.ingest import CycleReport, Ingestor
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
    """Open (and migrate) the database; a fresh one gets the built-in watchlists.

    A SQLite database is created, with its folder, only here (on first use); a folder
    or file that cannot be written is refused with its path named.
    """
    url = settings.effective_database_url
    path = Path(url.split("///", 1)[-1]) if url.startswith("sqlite:///") else None
    if path is not None:
        _check_writable(path)
    fresh = path is not None and not path.exists()
    engine = open_engine(url)
    migrate(engine)
    if fresh:
        log.info("created the database %s", path)
    if not list_watchlists(engine):
        now = utcnow()
        for name, text in builtin_watchlist_texts().items():
            save_watchlist(engine, name, text, now, builtin=True)
        log.debug("installed the built-in watchlists")
    return engine


def _check_writable(path: Path) -> None:
    """Refuse a database file, or the folder it is (to be) in, that cannot be written.

    Probed by opening the file for writing and creating a scratch file in the folder
    (permission bits alone say nothing on a read-only mount or to root).
    """
    hint = "set NEWSWATCH_DATA_DIR to a folder you can write to, or fix its permissions"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        what = f"the database {path}" if path.exists() else f"cannot create the database {path}"
        raise ConfigError(
            f"{what}: the folder {folder} cannot be written ({exc.strerror})", hint=hint
        ) from exc
    if path.exists():
        try:
            os.close(os.open(path, os.O_RDWR))
        except OSError as exc:
            raise ConfigError(
                f"the database {path} cannot be written ({exc.strerror})", hint=hint
            ) from exc


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
