"""Run the pure packages in a fresh interpreter and report what they imported and called.

Usage: ``python tests/support/purity_probe.py [FEED_FILE ...]`` from the repository root.
Before anything of newswatch is imported, the network, processes, databases and the wall
clock are watched (audit hooks; a ``datetime`` whose ``now`` notes its caller); then every
module of the pure sub-packages is imported and a story's path is run on real feed files:
parse, match and derive features (``prepare``), deduplicate, compose and render a digest,
decide a schedule. Prints one JSON object: forbidden modules loaded, forbidden calls made.
"""

from __future__ import annotations

import datetime as _datetime
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

FORBIDDEN_MODULES = (
    "httpx",
    "sqlalchemy",
    "sqlmodel",
    "apscheduler",
    "smtplib",
    "psycopg",
    "alembic",
    "fastapi",
    "uvicorn",
    "monitor.clock",
)
FORBIDDEN_EVENTS = (
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "urllib.Request",
    "subprocess.Popen",
    "os.system",
    "sqlite3.connect",
    "smtplib.send",
)
PURE_PREFIXES: tuple[str, ...] = ()  # filled in once the layout is read
calls: list[str] = []


def _caller_is_pure(depth: int = 2, direct: bool = True) -> str | None:
    """The pure module that made this call (``direct``: itself, not through a library)."""
    frame = sys._getframe(depth)
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name.startswith(PURE_PREFIXES):
            return name
        if direct or name.startswith(("monitor.", "storage.", "importlib")):
            return None  # called by other code, or by a library's import
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event in FORBIDDEN_EVENTS:
        where = _caller_is_pure(2, direct=False)
        if where is not None:
            calls.append(f"{event} from {where}")


class _WatchedDatetime(_datetime.datetime):
    """``datetime`` whose wall-clock constructors note a call from pure code."""

    @classmethod
    def now(cls, tz: _datetime.tzinfo | None = None) -> _WatchedDatetime:
        where = _caller_is_pure(2)
        if where is not None:
            calls.append(f"datetime.now from {where}")
        return super().now(tz)

    @classmethod
    def utcnow(cls) -> _WatchedDatetime:
        where = _caller_is_pure(2)
        if where is not None:
            calls.append(f"datetime.utcnow from {where}")
        return super().now(_datetime.UTC).replace(tzinfo=None)

    @classmethod
    def today(cls) -> _WatchedDatetime:
        where = _caller_is_pure(2)
        if where is not None:
            calls.append(f"datetime.today from {where}")
        return super().today()


_real_time = time.time


def _watched_time() -> float:
    where = _caller_is_pure(2)
    if where is not None:
        calls.append(f"time.time from {where}")
    return _real_time()


def _exercise(feeds: list[Path]) -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from monitor.dedup.deduplicator import Deduplicator
    from monitor.dedup.features import DedupItem
    from monitor.digests.render import email_message, render_html, render_text
    from monitor.prepare.body import PreparedFeed, prepare_feed
    from monitor.schedule.digests import is_due, parse_schedule
    from tests.monitor.digest_samples import sample_content
    from watchlists.builtin import builtin_watchlist_texts

    now = datetime(2024, 4, 6, 6, 30, tzinfo=UTC)
    spec = tuple((name, 1, text) for name, text in sorted(builtin_watchlist_texts().items()))
    dedup = Deduplicator()
    headers = {"content-type": "application/xml"}
    for n, path in enumerate(feeds):
        url = f"http://127.0.0.1/{path.name}"
        prepared = prepare_feed(path.read_bytes(), headers, url, now, 10_000_000, spec)
        if not isinstance(prepared, PreparedFeed):
            continue
        for i, (story, features) in enumerate(
            zip(prepared.parsed.stories, prepared.features, strict=True)
        ):
            item = DedupItem(
                id=f"{n}-{i}",
                feed=url,
                guid=story.guid,
                url=story.url,
                title=story.title,
                summary=story.summary,
                published=story.published or now,
                source=story.source,
            )
            dedup.decide(item, now, features)
    content = sample_content()
    render_text(content)
    render_html(content)
    email_message(content, "newswatch <alerts@example.org>", ["analyst@example.org"])
    for text in ("daily@08:00", "weekly@mon@08:00", "every@6h", "cron:0 8 * * 1-5"):
        is_due(parse_schedule(text), ZoneInfo("Europe/Madrid"), now - timedelta(days=1), now)


def main(argv: list[str]) -> int:
    global PURE_PREFIXES
    sys.path.insert(0, str(Path.cwd()))
    sys.addaudithook(_audit)
    _datetime.datetime = _WatchedDatetime  # type: ignore[misc]
    time.time = _watched_time

    from tests.support.layout import PURE_PACKAGES, pure_modules

    PURE_PREFIXES = PURE_PACKAGES
    for name in pure_modules(Path.cwd()):
        importlib.import_module(name)
    _exercise([Path(a) for a in argv])
    loaded = sorted(
        m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_MODULES)
    )
    print(json.dumps({"modules": loaded, "calls": sorted(set(calls))}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
