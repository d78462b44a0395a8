"""`newswatch run --once` measured as a process, beside rss2email, newsboat and a feedparser loop.

Does I/O: starts the feed server (``bench.feedserver``) on 127.0.0.1, runs each
reader as a child process in temporary folders, may install rss2email into a
separate venv and newsboat from Debian's packages, prints a table.

Run: ``.venv/bin/python bench/polling.py --process`` (2,000 feeds; ``--feeds 500`` and
``--history 75000`` for a quicker run with as many stored stories). For each share of
wire copies (``--copies 0,20,40``, real news text; ``--text pseudo`` for pseudo-words)
the readers start from nothing and poll every feed once (all new); at the last share
they then poll again with every feed answering 304 (``--history N`` first adds N stored
stories to newswatch's database), and again after every feed got 3 new items.

Each reader runs under a small measuring process (``--measure``, below) that makes
itself the "child subreaper" of the reader's process tree, so every process the
reader starts, the fork server and its parser processes too, is reaped by it or by
one of its descendants: its ``RUSAGE_CHILDREN`` afterwards is the CPU time of the
whole tree. Peak memory is the largest sum of the proportional set size (PSS) of
every process in the tree, sampled every 0.5 s.

The table gives the ratio of newswatch to each reader twice: by feeds per second of
wall time (what a user waits for; it needs an idle machine) and by CPU time per feed
(what it costs; steadier on a shared machine, where the "load" column, the 1-minute
load average when the run ended, shows how busy it was). newsboat runs on the first
``--newsboat-feeds`` feeds only; its ratios are per feed.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.feedserver import ITEMS, serve_version, start_server, urls  # noqa: E402
from bench.readers import READERS, Reader, install_baselines  # noqa: E402

PR_SET_CHILD_SUBREAPER = 36


@dataclass
class Result:
    reader: str
    feeds: int
    wall: float
    cpu: float
    peak_mb: float
    load: float = 0.0  # the machine's 1-minute load average when it ended
    note: str = ""

    @property
    def rate(self) -> float:
        return self.feeds / self.wall if self.wall else 0.0

    @property
    def cpu_per_feed(self) -> float:
        return self.cpu / self.feeds if self.feeds else 0.0


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    return children


def _descendants(root: int) -> list[int]:
    children = _children_map()
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(out: Path, command: list[str]) -> int:
    """Run ``command``; write its tree's wall time, CPU time and peak PSS to ``out``."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("cannot become a child subreaper (prctl)")
    started = time.perf_counter()
    root = subprocess.Popen(command)
    peak = 0.0
    while True:
        peak = max(peak, sum(_pss_mb(p) for p in _descendants(os.getpid())))
        try:
            root.wait(0.5)
            break
        except subprocess.TimeoutExpired:
            continue
    wall = time.perf_counter() - started
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # orphans (the fork server) came to us: reap them
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.05)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = float(Path("/proc/loadavg").read_text().split()[0])
    figures = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak, "load": load}
    out.write_text(json.dumps({**figures, "returncode": root.returncode}))
    return 0


def measured(reader: Reader, command: list[str], env: dict[str, str], log: Path) -> Result:
    """One run of a reader's command under ``measure``."""
    out = log.with_suffix(".json")
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--measure", str(out), "--", *command]
    with log.open("ab") as sink:
        subprocess.run(wrapper, env=env, stdout=sink, stderr=subprocess.STDOUT, check=True)
    figures = json.loads(out.read_text())
    note = "" if figures["returncode"] == 0 else f"exit {figures['returncode']} (see {log})"
    return Result(
        reader.name, 0, figures["wall"], figures["cpu"], figures["peak_mb"], figures["load"], note
    )


def run_pass(name: str, readers: list[Reader], feed_urls: list[str], workdir: Path) -> list[Result]:
    results = []
    for reader in readers:
        chosen = feed_urls[: reader.max_feeds] if reader.max_feeds else feed_urls
        print(f"  {name}: {reader.name} on {len(chosen):,} feeds", file=sys.stderr, flush=True)
        command, env = reader.command(workdir, chosen)
        result = measured(reader, command, env, workdir / f"{reader.key}.log")
        result.feeds = len(chosen)
        check = reader.check(workdir, name)
        result.note = "; ".join(n for n in (result.note, check) if n)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--copies", default="0,20,40", help="percent of items that are wire copies")
    parser.add_argument("--text", choices=("news", "pseudo"), default="news")
    parser.add_argument("--history", type=int, default=0, help="stored stories added before 304")
    parser.add_argument("--newsboat-feeds", type=int, default=500)
    parser.add_argument("--readers", default=",".join(r.key for r in READERS))
    parser.add_argument("--keep", type=Path, help="keep the readers' folders here")
    args = parser.parse_args(argv)
    shares = [int(c) for c in args.copies.split(",")] if args.text == "news" else [0]
    readers = [r for r in READERS if r.key in args.readers.split(",")]
    for reader in readers:
        reader.max_feeds = args.newsboat_feeds if reader.key == "newsboat" else 0
    install_baselines(readers)
    rows: list[tuple[str, int, list[Result]]] = []
    for share in shares:
        rows.extend(one_share(args, share, readers, share == shares[-1]))
    print_table(rows, args)
    return 0


def one_share(
    args: Any, share: int, readers: list[Reader], all_passes: bool
) -> list[tuple[str, int, list[Result]]]:
    print(f"{args.text} text, {share}% wire copies: starting the feed server", file=sys.stderr)
    server, control = start_server(args.feeds, args.text, share / 100)
    rows = []
    try:
        if not control.ready.wait(600):
            raise SystemExit("the feed server did not start")
        serve_version(control, 0)
        feed_urls = urls(control, args.feeds)
        with tempfile.TemporaryDirectory(prefix="newswatch-process-") as tmp:
            workdir = args.keep / f"copies-{share}" if args.keep else Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            for reader in readers:
                reader.setup(workdir, feed_urls[: reader.max_feeds or None])
            rows.append(
                ("first poll, all new", share, run_pass("first", readers, feed_urls, workdir))
            )
            if all_passes:
                for reader in readers:
                    reader.before_304(workdir, args.history, share / 100)
                rows.append(("every feed 304", share, run_pass("304", readers, feed_urls, workdir)))
                serve_version(control, 1)
                rows.append(
                    ("3 new items per feed", share, run_pass("new3", readers, feed_urls, workdir))
                )
    finally:
        server.terminate()
        server.join(5)
    return rows


def print_table(rows: list[tuple[str, int, list[Result]]], args: Any) -> None:
    head = [
        "pass",
        "copies",
        "reader",
        "feeds",
        "wall s",
        "feeds/s",
        "CPU s",
        "peak MB",
        "CPU ms/feed",
        "load",
        "newswatch ÷ reader, wall",
        "CPU",
        "note",
    ]
    table = [head]
    for name, share, results in rows:
        ours = next((r for r in results if r.reader.startswith("newswatch")), None)
        for r in results:
            other = ours is not None and r is not ours
            wall = f"{ours.rate / r.rate:.2f}x" if other and ours and r.rate else ""
            cpu = (
                f"{r.cpu_per_feed / ours.cpu_per_feed:.2f}x" if other and ours and ours.cpu else ""
            )
            table.append(
                [
                    name,
                    f"{share}%",
                    r.reader,
                    f"{r.feeds:,}",
                    f"{r.wall:.1f}",
                    f"{r.rate:,.1f}",
                    f"{r.cpu:.1f}",
                    f"{r.peak_mb:.0f}",
                    f"{r.cpu_per_feed * 1000:.1f}",
                    f"{r.load:.1f}",
                    wall,
                    cpu,
                    r.note,
                ]
            )
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    print(
        f"\n`run --once` as a process: {args.feeds:,} feeds x {ITEMS} items, {args.text} text, "
        f"{os.cpu_count()} CPUs, {args.history:,} stories added before the 304 pass\n"
    )
    for k, line in enumerate(table):
        print(
            " | ".join(
                c.ljust(w) if i in (0, 2, len(head) - 1) else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
        if k == 0:
            print("-+-".join("-" * w for w in widths))


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--measure" and sys.argv[3] == "--":
        sys.exit(measure(Path(sys.argv[2]), sys.argv[4:]))
    if len(sys.argv) > 1 and sys.argv[1] == "--loop":
        from bench.readers import feedparser_loop

        sys.exit(feedparser_loop(Path(sys.argv[2]), Path(sys.argv[3])))
    sys.exit(main())
