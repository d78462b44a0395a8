"""Score `newswatch match` and `newswatch dedup` on a labelled JSON Lines file.

One command: ``.venv/bin/python bench/eval.py [STORIES.jsonl ...] [--folds 5]``
(default: the shared evaluation set). Without ``--folds`` it runs the real commands and
prints precision and recall per watchlist and pairwise precision and recall of the
clusters. With ``--folds K`` it also cross-validates what is fitted: each watchlist's
``min_score`` is chosen on K-1 folds (stories of one cluster stay in one fold) and scored
on the held-out fold; the table gives the pooled figures and the spread across folds.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from watchlists.builtin import builtin_watchlists
from watchlists.matcher import compile_watchlists

SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents if (p / "shared").is_dir()),
    Path(__file__).resolve().parents[2] / "shared",
)  # beside the checkout, a level higher for a worktree
DEFAULT = SHARED / "eval" / "stories.jsonl"
WATCHLISTS = ("embassy-raids", "vienna-conventions", "ice-consulates", "ecuador-mexico")
THRESHOLDS = tuple(round(0.30 + 0.05 * step, 2) for step in range(13))
"""The min_score values tried when fitting (0.30 .. 0.90)."""
SEED = 20241201

Story = dict[str, object]


def run(command: str, path: Path) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-m", "monitor", command, str(path.resolve())],
            capture_output=True,
            text=True,
            check=True,
            cwd=folder,  # a fresh directory: the built-in watchlists, no database
        )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def load(paths: Sequence[Path]) -> list[Story]:
    stories: list[Story] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                stories.append(json.loads(line))
    return stories


def counts(labels: dict[str, set[str]], found: dict[str, set[str]], name: str) -> list[int]:
    tp = sum(1 for i in labels if name in labels[i] and name in found.get(i, set()))
    fp = sum(1 for i in labels if name not in labels[i] and name in found.get(i, set()))
    fn = sum(1 for i in labels if name in labels[i] and name not in found.get(i, set()))
    return [tp, fp, fn]


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def match_table(console: Console, path_label: str, stories: list[Story], path: Path) -> None:
    labels = {str(g["id"]): set(g["topics"]) for g in stories}  # type: ignore[call-overload]
    found = {
        str(r["id"]): {m["watchlist"] for m in r["matches"]}  # type: ignore[attr-defined]
        for r in run("match", path)
    }
    table = Table(title=f"newswatch match on {path_label} ({len(stories)} stories)")
    for column in ("watchlist", "TP", "FP", "FN", "precision", "recall"):
        table.add_column(column)
    total = [0, 0, 0]
    for name in WATCHLISTS:
        tp, fp, fn = counts(labels, found, name)
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
        table.add_row(
            name,
            str(tp),
            str(fp),
            str(fn),
            f"{ratio(tp, tp + fp):.3f}",
            f"{ratio(tp, tp + fn):.3f}",
        )
    tp, fp, fn = total
    table.add_row(
        "micro", str(tp), str(fp), str(fn), f"{ratio(tp, tp + fp):.3f}", f"{ratio(tp, tp + fn):.3f}"
    )
    console.print(table)
    for i in sorted(labels):
        if labels[i] != found.get(i, set()):
            console.print(
                f"  {i}: labelled {sorted(labels[i])}, matched {sorted(found.get(i, set()))}"
            )


def dedup_table(console: Console, stories: list[Story], path: Path) -> None:
    clusters = {r["id"]: r["cluster"] for r in run("dedup", path)}
    gold_cluster = {g["id"]: g["cluster"] for g in stories}
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold_cluster, key=str), 2):
        same_gold = gold_cluster[a] == gold_cluster[b]
        same_found = clusters[a] == clusters[b]
        tp += same_gold and same_found
        fp += same_found and not same_gold
        fn += same_gold and not same_found
    dedup = Table(title="dedup, pairwise")
    for column in ("TP", "FP", "FN", "precision", "recall"):
        dedup.add_column(column)
    dedup.add_row(
        str(tp), str(fp), str(fn), f"{ratio(tp, tp + fp):.3f}", f"{ratio(tp, tp + fn):.3f}"
    )
    console.print(dedup)


def raw_scores(stories: list[Story]) -> dict[str, dict[str, float]]:
    """Every watchlist's score for every story, with min_score lifted (0 = no rule held)."""
    open_lists = [dataclasses.replace(w, min_score=0.0) for w in builtin_watchlists()]
    matcher = compile_watchlists(open_lists)
    scores: dict[str, dict[str, float]] = {}
    for story in stories:
        found = matcher.match(
            str(story["title"]), str(story["summary"]), str(story.get("language") or "")
        )
        scores[str(story["id"])] = {m.watchlist: m.score for m in found}
    return scores


def folds_of(stories: list[Story], k: int) -> dict[str, int]:
    """Fold of each story id; the stories of one cluster share a fold."""
    clusters = sorted({str(s.get("cluster") or s["id"]) for s in stories})
    random.Random(SEED).shuffle(clusters)
    fold_of_cluster = {c: n % k for n, c in enumerate(clusters)}
    return {str(s["id"]): fold_of_cluster[str(s.get("cluster") or s["id"])] for s in stories}


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def fit_threshold(
    ids: list[str], labels: dict[str, set[str]], scores: dict[str, dict[str, float]], name: str
) -> float:
    """The min_score with the best F1 on ``ids``; ties go to the one nearest 0.5."""

    def quality(t: float) -> tuple[float, float]:
        tp = sum(1 for i in ids if name in labels[i] and scores[i].get(name, 0) >= t)
        fp = sum(1 for i in ids if name not in labels[i] and scores[i].get(name, 0) >= t)
        fn = sum(1 for i in ids if name in labels[i] and scores[i].get(name, 0) < t)
        return f1(tp, fp, fn), -abs(t - 0.5)

    return max(THRESHOLDS, key=quality)


def cross_validate(console: Console, stories: list[Story], k: int) -> None:
    labels = {str(s["id"]): set(s["topics"]) for s in stories}  # type: ignore[call-overload]
    scores = raw_scores(stories)
    fold = folds_of(stories, k)
    pooled = {name: [0, 0, 0] for name in WATCHLISTS}
    per_fold: dict[str, list[tuple[float, float]]] = {name: [] for name in WATCHLISTS}
    chosen: dict[str, list[float]] = {name: [] for name in WATCHLISTS}
    for held in range(k):
        train = [i for i in labels if fold[i] != held]
        test = [i for i in labels if fold[i] == held]
        for name in WATCHLISTS:
            t = fit_threshold(train, labels, scores, name)
            chosen[name].append(t)
            found = {i: {name} if scores[i].get(name, 0) >= t else set() for i in test}
            tp, fp, fn = counts({i: labels[i] for i in test}, found, name)
            pooled[name] = [pooled[name][0] + tp, pooled[name][1] + fp, pooled[name][2] + fn]
            per_fold[name].append((ratio(tp, tp + fp), ratio(tp, tp + fn)))
    table = Table(title=f"{k}-fold cross-validation (min_score fitted on {k - 1} folds)")
    for column in (
        "watchlist",
        "TP",
        "FP",
        "FN",
        "precision",
        "recall",
        "recall per fold (min–max)",
        "min_score chosen",
    ):
        table.add_column(column)
    total = [0, 0, 0]
    for name in WATCHLISTS:
        tp, fp, fn = pooled[name]
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
        recalls = [r for _, r in per_fold[name]]
        table.add_row(
            name,
            str(tp),
            str(fp),
            str(fn),
            f"{ratio(tp, tp + fp):.3f}",
            f"{ratio(tp, tp + fn):.3f}",
            f"{min(recalls):.2f}–{max(recalls):.2f}",
            " ".join(f"{t:.2f}×{chosen[name].count(t)}" for t in sorted(set(chosen[name]))),
        )
    tp, fp, fn = total
    micro_recalls = []
    for held in range(k):
        test = [i for i in labels if fold[i] == held]
        hits = sum(1 for i in test for n in WATCHLISTS if n in labels[i])
        caught = sum(
            1
            for i in test
            for n in WATCHLISTS
            if n in labels[i] and scores[i].get(n, 0) >= statistics.median(chosen[n])
        )
        micro_recalls.append(ratio(caught, hits))
    table.add_row(
        "micro",
        str(tp),
        str(fp),
        str(fn),
        f"{ratio(tp, tp + fp):.3f}",
        f"{ratio(tp, tp + fn):.3f}",
        f"{min(micro_recalls):.2f}–{max(micro_recalls):.2f}",
        "",
    )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--folds", type=int, default=0, help="cross-validate with K folds")
    parser.add_argument("--no-dedup", action="store_true", help="skip the dedup table")
    args = parser.parse_args()
    console = Console()
    for path in args.stories:
        stories = load([path])
        match_table(console, path.name, stories, path)
        if args.folds:
            cross_validate(console, stories, args.folds)
        if not args.no_dedup and all("cluster" in s for s in stories):
            dedup_table(console, stories, path)


if __name__ == "__main__":
    main()
