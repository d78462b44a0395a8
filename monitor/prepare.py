"""Work done per feed body in a parser process: parse, and match every item.

Pure CPU (no I/O) apart from starting the process pool it runs in, beside the
event loop, so the service uses every core. Only the deduplicator's decision, which needs the
memory of all stories, stays in the main process. Watchlists travel as their
texts; each worker compiles them once per version and keeps the result.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from monitor.matching import CompiledSet, match_writes
from monitor.parse import ParsedFeed, ParseFailure, parse_in_worker
from storage.records import MatchWrite
from watchlists.errors import WatchlistError
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists

log = logging.getLogger(__name__)

WatchlistSpec = tuple[tuple[str, int, str], ...]  # (name, version, YAML text) of enabled ones

_compiled: dict[WatchlistSpec, CompiledSet] = {}


@dataclass(frozen=True, slots=True)
class PreparedFeed:
    """A parsed feed with, per story, the matches it would get."""

    parsed: ParsedFeed
    matches: tuple[tuple[MatchWrite, ...], ...]


def compiled_for(spec: WatchlistSpec) -> CompiledSet:
    """The compiled matcher for these watchlist versions (compiled once per process)."""
    found = _compiled.get(spec)
    if found is None:
        parsed = []
        versions: dict[str, int] = {}
        for name, version, text in spec:
            try:
                parsed.append(parse_watchlist(text, path=f"watchlist '{name}'"))
            except WatchlistError as exc:
                log.error("watchlist %s skipped: %s", name, exc)
                continue
            versions[name] = version
        found = CompiledSet(compile_watchlists(parsed), versions)
        _compiled.clear()  # only the current version is worth keeping
        _compiled[spec] = found
    return found


def prepare_feed(
    body: bytes,
    headers: dict[str, str],
    feed_url: str,
    now: datetime,
    max_bytes: int,
    watchlists: WatchlistSpec,
) -> PreparedFeed | ParseFailure:
    """Parse ``body`` and match each story. Errors come back as values.

    (Fingerprints are left to the main process: the deduplicator folds the same
    texts there anyway, and its caches make the fingerprint almost free.)
    """
    parsed = parse_in_worker(body, headers, feed_url, now, max_bytes)
    if isinstance(parsed, ParseFailure):
        return parsed
    compiled = compiled_for(watchlists)
    matches = []
    for story in parsed.stories:
        found = compiled.matcher.match(story.title, story.summary, story.language)
        matches.append(match_writes(compiled, found))
    return PreparedFeed(parsed, tuple(matches))


_POOL: list[ProcessPoolExecutor] = []  # one pool of parser processes per process


def parser_pool(workers: int) -> ProcessPoolExecutor:
    """The process-wide pool of parser processes, started on first use."""
    if not _POOL:
        # Forked from a small server process that imported only the parser and the
        # matcher: workers start fast and do not carry copies of this process's memory.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["monitor.prepare", "monitor.writer"])
        _POOL.append(
            ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet_worker)
        )
    return _POOL[0]


def close_parser_pool() -> None:
    while _POOL:
        _POOL.pop().shutdown(wait=True, cancel_futures=True)


def _quiet_worker() -> None:
    # Ctrl-C reaches the whole process group: the service stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
