"""Labelled matcher cases (tests/watchlists/cases/*.jsonl) read and scored by watchlist."""

from __future__ import annotations

import json
from pathlib import Path

from watchlists.builtin import BUILTIN_NAMES, builtin_watchlists
from watchlists.matcher import compile_watchlists


def load_cases(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def tally(path: Path) -> dict[str, list[int]]:
    """True positives, false positives and false negatives of each built-in watchlist."""
    matcher = compile_watchlists(builtin_watchlists())
    counts = {name: [0, 0, 0] for name in BUILTIN_NAMES}
    for case in load_cases(path):
        title, summary = str(case["title"]), str(case["summary"])
        found = {m.watchlist for m in matcher.match(title, summary, str(case["language"]))}
        topics = case["topics"]
        assert isinstance(topics, list)
        for name in BUILTIN_NAMES:
            expected, got = name in topics, name in found
            index = 0 if expected and got else 1 if got else 2 if expected else None
            if index is not None:
                counts[name][index] += 1
    return counts
