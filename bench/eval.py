"""Score `newswatch match` and `newswatch dedup` on a labelled JSON Lines file.

One command: ``.venv/bin/python bench/eval.py [STORIES.jsonl]`` (default: the
shared evaluation set). Runs the real commands, prints precision and recall per
watchlist and pairwise precision and recall of the clusters.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents if (p / "shared").is_dir()),
    Path(__file__).resolve().parents[2] / "shared",
)  # beside the checkout, a level higher for a worktree
DEFAULT = SHARED / "eval" / "stories.jsonl"
WATCHLISTS = ("embassy-raids", "vienna-conventions", "ice-consulates", "ecuador-mexico")


def run(command: str, path: Path) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-m", "monitor", command, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=folder,  # a fresh directory: the built-in watchlists, no database
        )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    labels = {g["id"]: set(g["topics"]) for g in gold}
    found = {
        r["id"]: {m["watchlist"] for m in r["matches"]}  # type: ignore[attr-defined]
        for r in run("match", path)
    }
    console = Console()
    table = Table(title=f"match on {path.name} ({len(gold)} stories)")
    for column in ("watchlist", "TP", "FP", "FN", "precision", "recall"):
        table.add_column(column)
    for name in WATCHLISTS:
        tp = sum(1 for i in labels if name in labels[i] and name in found.get(i, set()))
        fp = sum(1 for i in labels if name not in labels[i] and name in found.get(i, set()))
        fn = sum(1 for i in labels if name in labels[i] and name not in found.get(i, set()))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        table.add_row(name, str(tp), str(fp), str(fn), f"{precision:.3f}", f"{recall:.3f}")
    console.print(table)
    for i in sorted(labels):
        if labels[i] != found.get(i, set()):
            console.print(
                f"  {i}: labelled {sorted(labels[i])}, matched {sorted(found.get(i, set()))}"
            )

    clusters = {r["id"]: r["cluster"] for r in run("dedup", path)}
    gold_cluster = {g["id"]: g["cluster"] for g in gold}
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold_cluster), 2):
        same_gold = gold_cluster[a] == gold_cluster[b]
        same_found = clusters[a] == clusters[b]
        tp += same_gold and same_found
        fp += same_found and not same_gold
        fn += same_gold and not same_found
    dedup = Table(title="dedup, pairwise")
    for column in ("TP", "FP", "FN", "precision", "recall"):
        dedup.add_column(column)
    dedup.add_row(
        str(tp),
        str(fp),
        str(fn),
        f"{tp / (tp + fp) if tp + fp else 1.0:.3f}",
        f"{tp / (tp + fn) if tp + fn else 1.0:.3f}",
    )
    console.print(dedup)


if __name__ == "__main__":
    main()
