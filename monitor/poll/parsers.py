"""The parser processes: one process-wide pool that parses, matches and derives features.

Does I/O (starts and stops processes). The work itself is pure and lives in
``monitor.prepare`` (``prepare_changed``, ``stored_features``); the workers come from a
small fork server that imported only that package, so they start fast and carry no
copy of this process's memory (the deduplicator's, the database engine's).
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor

WORKER_MODULES = ["monitor.prepare.incremental"]  # what a worker runs; imports prepare.body

_POOL: list[ProcessPoolExecutor] = []  # one pool of parser processes per process


def parser_pool(workers: int) -> ProcessPoolExecutor:
    """The process-wide pool of parser processes, started on first use."""
    if not _POOL:
        # Forked from a small server process that imported only the parser and the
        # matcher: workers start fast and do not carry copies of this process's memory.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_MODULES)
        _POOL.append(
            ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet_worker)
        )
    return _POOL[0]


def close_parser_pool() -> None:
    """Stop the parser processes; the next ``parser_pool`` call starts new ones."""
    while _POOL:
        _POOL.pop().shutdown(wait=True, cancel_futures=True)


def _quiet_worker() -> None:
    # Ctrl-C reaches the whole process group: the service stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
