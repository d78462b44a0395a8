"""Benchmark of counting polls per feed and day (``storage.feed_days``) in the poll writer.

Does I/O: writes temporary SQLite databases, prints a table.

Run: ``.venv/bin/python bench/feed_days.py`` (a few seconds; ``--feeds N``, ``--rounds N``).

The writer's cheapest and most frequent batch is a pass where every feed
answers 304: ``save_polls`` then only updates the feed rows. Counting adds one
upsert per batch to that transaction. Each round writes every feed's 304 poll in
batches of ``--batch``, once with the counting (as shipped) and once with it
replaced by a no-op (the baseline, in the same run, on a database of its own),
and reports the best round of each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.progress import track  # noqa: E402
from rich.table import Table  # noqa: E402

import storage.stories as stories_module  # noqa: E402
from storage.database import migrate, open_engine  # noqa: E402
from storage.feeds import add_feed  # noqa: E402
from storage.records import PollWrite  # noqa: E402

START = datetime(2024, 4, 6, 0, 0, tzinfo=UTC)


def _database(folder: Path, name: str, feeds: int) -> tuple[Any, list[int]]:
    engine = open_engine(f"sqlite:///{folder / name}")
    migrate(engine)
    ids = [add_feed(engine, f"https://f{n}.example/rss", START)[0].id for n in range(feeds)]
    return engine, ids


def _pass(engine: Any, ids: list[int], batch: int, at: datetime) -> float:
    polls = [
        PollWrite(
            feed_id=i,
            checked_at=at,
            next_check_at=at + timedelta(minutes=15),
            etag='"v1"',
            last_modified=None,
            title=None,
            not_modified=True,
        )
        for i in ids
    ]
    began = time.perf_counter()
    for start in range(0, len(polls), batch):
        stories_module.save_polls(engine, polls[start : start + batch])
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    shipped: Callable[..., None] = stories_module.count_polls
    best = {"counted (as shipped)": float("inf"), "not counted (baseline)": float("inf")}
    with tempfile.TemporaryDirectory() as tmp:
        counted, counted_ids = _database(Path(tmp), "counted.db", args.feeds)
        plain, plain_ids = _database(Path(tmp), "plain.db", args.feeds)
        for n in track(range(args.rounds), description="304 passes"):
            at = START + timedelta(minutes=15 * n)
            stories_module.count_polls = shipped  # type: ignore[assignment]
            taken = _pass(counted, counted_ids, args.batch, at)
            best["counted (as shipped)"] = min(best["counted (as shipped)"], taken)
            stories_module.count_polls = lambda *_a, **_k: None  # type: ignore[assignment]
            taken = _pass(plain, plain_ids, args.batch, at)
            best["not counted (baseline)"] = min(best["not counted (baseline)"], taken)
        stories_module.count_polls = shipped  # type: ignore[assignment]
        with counted.connect() as conn:
            from sqlalchemy import text

            rows = conn.execute(text("SELECT count(*), sum(polls) FROM feed_days")).one()
        counted.dispose()
        plain.dispose()
    base = best["not counted (baseline)"]
    table = Table(title=f"save_polls, {args.feeds:,} feeds answering 304, batches of {args.batch}")
    for column in ("run", "best of rounds (s)", "polls/s", "ratio to baseline"):
        table.add_column(column, justify="right" if column != "run" else "left")
    for name, seconds in best.items():
        table.add_row(
            name, f"{seconds:.3f}", f"{args.feeds / seconds:,.0f}", f"{seconds / base:.2f}"
        )
    console = Console()
    console.print(table)
    console.print(f"feed_days after the run: {rows[0]:,} rows, {rows[1]:,} polls counted")


if __name__ == "__main__":
    main()
