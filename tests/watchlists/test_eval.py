"""Precision and recall of the built-in watchlists on the labelled evaluation stories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchlists.builtin import BUILTIN_NAMES, builtin_watchlists
from watchlists.matcher import compile_watchlists

STORIES = Path(__file__).parents[2].parent / "shared/eval/stories.jsonl"
TARGET = 0.95


def scores() -> dict[str, tuple[float, float, list[str]]]:
    if not STORIES.exists():
        pytest.skip(f"{STORIES} is missing")
    matcher = compile_watchlists(builtin_watchlists())
    counts = {name: [0, 0, 0] for name in BUILTIN_NAMES}
    wrong: dict[str, list[str]] = {name: [] for name in BUILTIN_NAMES}
    for line in STORIES.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        story = json.loads(line)
        found = {
            m.watchlist for m in matcher.match(story["title"], story["summary"], story["language"])
        }
        for name in BUILTIN_NAMES:
            expected, got = name in story["topics"], name in found
            if expected and got:
                counts[name][0] += 1
            elif got:
                counts[name][1] += 1
                wrong[name].append(f"FP {story['id']}")
            elif expected:
                counts[name][2] += 1
                wrong[name].append(f"FN {story['id']}")
    result = {}
    for name, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        result[name] = (precision, recall, wrong[name])
    return result


@pytest.fixture(scope="module")
def evaluation() -> dict[str, tuple[float, float, list[str]]]:
    return scores()


@pytest.mark.parametrize("name", BUILTIN_NAMES, ids=BUILTIN_NAMES)
def test_precision_and_recall(
    evaluation: dict[str, tuple[float, float, list[str]]], name: str
) -> None:
    precision, recall, wrong = evaluation[name]
    assert precision >= TARGET, wrong
    assert recall >= TARGET, wrong
