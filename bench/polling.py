"""Benchmark of polling at scale: 2,000 local feeds of 50 items, full pass, 304 pass, baseline.

Does I/O: starts a feed server in a child process on 127.0.0.1 only, writes a
temporary SQLite database, prints a table.

Run: ``.venv/bin/python bench/polling.py`` (about two minutes; ``--feeds N`` for fewer).

The server process serves N generated RSS 2.0 feeds spread over 20 local
ports, each port standing for one publisher's host; it answers
``If-None-Match`` with 304. Each feed is built like a real news feed: 50 items
with title, link, GUID, date, author, categories, thumbnail, a description and
two paragraphs of ``content:encoded`` (about 88 KB; feedparser takes ~18 ms per
feed with its sanitizer, as it does on real 50-item feeds), over a Zipf-
distributed vocabulary of 20,000 words (dedup and matching costs depend on it).
Four runs:

1. full pass: the real ``Ingestor`` claims every feed from a fresh database
   with the built-in watchlists, fetches (conditional GET, guard, deadline,
   size cap), parses in a process pool, dedups, matches and stores;
2. 304 pass: the same again; every feed answers 304 Not Modified;
3. restart: a new ingestor on the same database loads the stored stories into
   its memory (what ``run --once`` and a restarted daemon do first; the
   "feeds" column counts stories here);
4. sequential baseline: ``feedparser.parse(url)`` on each URL in turn (its own
   urllib fetch, no conditional GET, no dedup, no matching, no storage).

CPU is user+system time of the main process (event loop, dedup lookups, writer
thread) and its parser processes, also split by role (the feed server's is shown
apart); peak memory is the largest sum, sampled every 0.5 s, of the proportional
set size (PSS) of those processes and the fork server they start from (pages they
share count once), also split by role; for the baseline it is the peak resident
size of its process. Politeness settings for the run:
4 requests at a time per host, 1 ms spacing, 32 at a time overall.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.feedserver import ITEMS, serve_version, start_server, urls  # noqa: E402


@dataclass
class Row:
    name: str
    feeds: int
    wall: float
    cpu: float
    server_cpu: float
    peak_mb: float
    stories: int = 0
    split: str = "-"  # CPU seconds of the main process / the parser processes

    def cells(self) -> list[str]:
        return [
            self.name,
            f"{self.feeds:,}",
            f"{self.wall:.2f}",
            f"{self.feeds / self.wall:,.0f}",
            f"{self.stories / self.wall:,.0f}" if self.stories else "-",
            f"{self.cpu:.2f}",
            self.split,
            f"{self.cpu / self.wall:.2f}",
            f"{self.server_cpu:.2f}",
            f"{self.peak_mb:.0f}",
        ]


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pss_mb(pid: int) -> float:
    """Proportional set size: pages shared with the parent after fork count once overall."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemorySampler:
    """Samples the memory of this process and its parser processes every 0.5 s; keeps the peak.

    Reading a process's PSS makes the kernel walk its page tables (about 3 ms for 250 MB),
    and that time is charged to this process: sampling every 0.1 s cost 5 % of a core.
    """

    def __init__(self) -> None:
        self.peak = 0.0
        self.at_peak: dict[str, float] = {}  # role → PSS MB when the sum peaked
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def sample(self) -> None:
        server = _fork_server()
        roles = {
            "main": _pss_mb(os.getpid()),
            "parsers": sum(_pss_mb(p) for p in _parser_pids()),
            "fork server": _pss_mb(server) if server else 0.0,
        }
        total = sum(roles.values())
        if total > self.peak:
            self.peak, self.at_peak = total, roles

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()  # the end of the pass, where memory is usually largest


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _pool_pids(pools: list[object]) -> list[int]:
    return [pid for pool in pools for pid in (getattr(pool, "_processes", None) or {})]


def _parser_pids() -> list[int]:
    from monitor.poll.parsers import _POOL

    return _pool_pids(list(_POOL))


def _worker_cpu(pids: list[int], before: dict[int, float]) -> float:
    return sum(_proc_cpu(p) - before.get(p, 0.0) for p in pids)


def _fork_server() -> int | None:
    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def _workers() -> list[int]:
    """The parser processes and the fork server they start from."""
    server = _fork_server()
    return _parser_pids() + ([server] if server else [])


def run_service_passes(urls: list[str], server_pid: int, workdir: Path) -> list[Row]:
    from monitor.config import Settings
    from monitor.poll.ingest import Ingestor
    from monitor.service.cycle import open_database
    from storage.database import transaction
    from storage.tables import Feed

    settings = replace(
        Settings(),
        data_dir=workdir,
        allow_private_networks=True,
        fetch_concurrency=32,
        per_host_concurrency=4,
        host_spacing=0.001,
    )
    engine = open_database(settings)
    now = datetime.now(UTC)
    with transaction(engine) as session:
        session.add_all(Feed(url=u, created_at=now, next_check_at=now) for u in urls)
    ingestor = Ingestor(engine, settings)
    rows = []
    for name in ("full pass", "304 pass"):
        cpu0, server0, wall0 = _self_cpu(), _proc_cpu(server_pid), time.perf_counter()
        workers0 = {pid: _proc_cpu(pid) for pid in _workers()}
        with MemorySampler() as memory:
            report = asyncio.run(ingestor.run_cycle(every_feed=True))
        wall = time.perf_counter() - wall0
        main_cpu = _self_cpu() - cpu0
        parsers = _worker_cpu(_parser_pids(), workers0)
        cpu = main_cpu + sum(_proc_cpu(p) - workers0.get(p, 0.0) for p in _workers())
        peak = memory.peak
        server = _proc_cpu(server_pid) - server0
        if report.errors:
            errors = list(report.errors.values())[:3]
            print(f"{name}: {len(report.errors)} errors, e.g. {errors}", file=sys.stderr)
        expected = report.not_modified if name == "304 pass" else report.ok
        if expected != len(urls):
            print(f"{name}: only {expected} of {len(urls)} feeds polled", file=sys.stderr)
        split = f"{main_cpu:.1f}/{parsers:.1f}"
        rows.append(Row(name, len(urls), wall, cpu, server, peak, report.new_stories, split))
        roles = ", ".join(f"{role} {mb:.0f}" for role, mb in memory.at_peak.items())
        print(f"{name}: memory at the peak, MB: {roles}", file=sys.stderr)
    ingestor.close()
    del ingestor  # a restart: the old memory is gone
    gc.collect()
    rows.append(time_restart(engine, settings))
    engine.dispose()
    return rows


def time_restart(engine: Any, settings: Any) -> Row:
    """A new ingestor on the same database: the stored stories loaded into its memory."""
    from monitor.poll.ingest import Ingestor

    cpu0, wall0 = _self_cpu(), time.perf_counter()
    workers0 = {pid: _proc_cpu(pid) for pid in _workers()}
    with MemorySampler() as memory:
        restarted = Ingestor(engine, settings)
    wall = time.perf_counter() - wall0
    main_cpu = _self_cpu() - cpu0
    parsers = _worker_cpu(_parser_pids(), workers0)
    cpu = main_cpu + sum(_proc_cpu(p) - workers0.get(p, 0.0) for p in _workers())
    remembered = len(restarted.dedup)
    restarted.close()
    row = Row("restart: load stored stories", remembered, wall, cpu, 0.0, memory.peak)
    row.split = f"{main_cpu:.1f}/{parsers:.1f}"
    return row


def run_baseline(urls: list[str], server_pid: int) -> Row:
    import feedparser

    cpu0, server0, wall0 = _self_cpu(), _proc_cpu(server_pid), time.perf_counter()
    entries = 0
    for url in urls:
        entries += len(feedparser.parse(url).entries)
    wall = time.perf_counter() - wall0
    assert entries == len(urls) * ITEMS, entries
    return Row(
        "baseline: feedparser.parse(url) in turn",
        len(urls),
        wall,
        _self_cpu() - cpu0,
        _proc_cpu(server_pid) - server0,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        entries,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--process",
        action="store_true",
        help="measure `newswatch run --once` as a process against rss2email, newsboat and "
        "a feedparser loop (see bench/process.py; its own options follow)",
    )
    args, rest = parser.parse_known_args(argv)
    if args.process:
        from bench.process import main as process_main

        return process_main([f"--feeds={args.feeds}", *rest])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    server, control = start_server(args.feeds)
    try:
        if not control.ready.wait(120):
            print("the feed server did not start", file=sys.stderr)
            return 1
        serve_version(control, 0)
        feed_urls = urls(control, args.feeds)
        assert server.pid is not None
        # The baseline runs first, so its peak memory is its own.
        baseline = None if args.skip_baseline else run_baseline(feed_urls, server.pid)
        with tempfile.TemporaryDirectory(prefix="newswatch-bench-") as tmp:
            rows = run_service_passes(feed_urls, server.pid, Path(tmp))
        if baseline is not None:
            rows.append(baseline)
    finally:
        server.terminate()
        server.join(5)
    print_table(rows, os.cpu_count() or 1)
    return 0


def print_table(rows: list[Row], cpus: int) -> None:
    head = [
        "run",
        "feeds",
        "wall s",
        "feeds/s",
        "stories/s",
        "CPU s",
        "main/parsers",
        "cores used",
        "server CPU s",
        "peak MB",
    ]
    table = [head, *[r.cells() for r in rows]]
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    print(f"\npolling benchmark: {rows[0].feeds:,} feeds x {ITEMS} items, {cpus} CPUs\n")
    for k, line in enumerate(table):
        print(
            " | ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if k == 0:
            print("-+-".join("-" * w for w in widths))
    full = next((r for r in rows if r.name == "full pass"), None)
    base = next((r for r in rows if r.name.startswith("baseline")), None)
    if full and base:
        speedup = (full.feeds / full.wall) / (base.feeds / base.wall)
        print(f"\nfull pass vs sequential baseline: {speedup:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
