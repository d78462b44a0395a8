"""Audit the built-in watchlists on a month of real, unlabelled news items.

One command: ``.venv/bin/python bench/audit.py [ITEMS.jsonl] [--limit N]`` (default:
the shared month of real items). Runs the real ``newswatch match`` process and prints
how many items alert per watchlist, the alert rate against the 0.05% target, and
every alert (headline, source, score, the words found) for a person to judge.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "real-news" / "2023-12.jsonl"
TARGET_RATE = 0.0005
"""At most 0.05% of items alerting (issue 11)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=0, help="only the first N items")
    args = parser.parse_args()
    console = Console()
    lines = args.items.read_text(encoding="utf-8").split("\n")
    if args.limit:
        lines = lines[: args.limit]
    items = {json.loads(line)["id"]: json.loads(line) for line in lines if line.strip()}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "match", str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=folder,
        )
        elapsed = time.perf_counter() - started
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    alerts = [(r["id"], m) for r in results for m in r["matches"]]
    per_list = Counter(m["watchlist"] for _, m in alerts)
    alerted = {item for item, _ in alerts}
    table = Table(title=f"alerts on {args.items.name}: {len(items):,} items in {elapsed:.1f} s")
    for column in ("watchlist", "alerts", "per 1,000 items"):
        table.add_column(column)
    for name, count in sorted(per_list.items()):
        table.add_row(name, str(count), f"{1000 * count / len(items):.3f}")
    rate = len(alerted) / len(items)
    table.add_row("items alerting", str(len(alerted)), f"{1000 * rate:.3f}")
    console.print(table)
    verdict = "within" if rate <= TARGET_RATE else "OVER"
    console.print(f"{rate:.4%} of items alert ({verdict} the {TARGET_RATE:.2%} target)")
    listing = Table(title="every alert, for a person to judge")
    for column in ("watchlist", "score", "source", "title", "words found"):
        listing.add_column(column)
    for item, match in sorted(alerts, key=lambda a: (a[1]["watchlist"], -a[1]["score"])):
        story = items[item]
        listing.add_row(
            match["watchlist"],
            f"{match['score']:.2f}",
            str(story.get("source", "")),
            str(story.get("title", ""))[:90],
            ", ".join(match["terms"])[:60],
        )
    console.print(listing)


if __name__ == "__main__":
    main()
