"""The real-text case of ``bench/dedup.py``: a month of real feed items, unlabelled.

No I/O besides reading the month's JSON Lines and printing. The items go through
``monitor.dedup.batch.dedup_jsonl``, the function behind ``newswatch dedup``
(so exactly the daemon's
deduplicator), and the clusters are audited with checks that need no labels:

- **identical-headline recall**: pairs of items from two different outlets, published the same
  (UTC) day, whose headlines are the same after normalization (``fingerprint.words``) and long
  (6 content words or 40 characters): the share of them in one cluster;
- **series joined** (a false join): two items of one source with the same headline on
  different days and different texts (a daily series, a column) in one cluster;
- **late joins** (to inspect): two items of different sources in one cluster, published more
  than 72 hours apart (a re-post from days later, or a long chain of copies);
- **unrelated joins** (to inspect): two items in one cluster whose headlines share almost
  nothing (``token_set_ratio`` < 40) and whose summaries share no word bigram.

Same texts re-posted by one source (title and summary identical) are one story by rule and
counted apart. Run alone: ``.venv/bin/python bench/dedup_real.py [MONTH.jsonl]``.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from rapidfuzz import fuzz

from monitor.dedup.batch import dedup_jsonl
from monitor.dedup.fingerprint import content_words, fingerprint_of, shingles, words

SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents if (p / "shared").is_dir()),
    Path("/work/shared"),
)
MONTH = SHARED / "real-news" / "2023-12.jsonl"
LATE = timedelta(hours=72)


@dataclass
class RealResult:
    stories: int
    seconds: float
    pairs: int
    joined: int
    series: list[tuple[dict[str, str], dict[str, str]]]
    late: list[tuple[dict[str, str], dict[str, str]]]
    unrelated: list[tuple[dict[str, str], dict[str, str]]]
    reposts: int

    @property
    def recall(self) -> float:
        return self.joined / self.pairs if self.pairs else 1.0


def run_month(path: Path) -> RealResult:
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    items = [json.loads(line) for line in lines]
    started = time.process_time()
    clusters = {r["id"]: r["cluster"] for r in dedup_jsonl(lines)}
    seconds = time.process_time() - started
    pairs = joined = 0
    by_headline: dict[str, list[dict[str, str]]] = defaultdict(list)
    for it in items:
        tokens = words(it["title"])
        if len(content_words(tokens)) >= 6 or len(" ".join(tokens)) >= 40:
            by_headline[" ".join(tokens)].append(it)
    for group in by_headline.values():
        for a, b in itertools.combinations(group, 2):
            if a["source"] != b["source"] and a["published"][:10] == b["published"][:10]:
                pairs += 1
                joined += clusters[a["id"]] == clusters[b["id"]]
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    for it in items:
        members[clusters[it["id"]]].append(it)
    result = RealResult(len(items), seconds, pairs, joined, [], [], [], 0)
    for group in members.values():
        for a, b in itertools.combinations(group, 2):
            _audit(a, b, result)
    return result


def _audit(a: dict[str, str], b: dict[str, str], result: RealResult) -> None:
    same_text = fingerprint_of(a["title"], a["summary"]) == fingerprint_of(b["title"], b["summary"])
    if a["source"] == b["source"]:
        if a["published"][:10] != b["published"][:10]:
            if same_text:
                result.reposts += 1
            elif words(a["title"]) == words(b["title"]):
                result.series.append((a, b))
        return
    gap = abs(datetime.fromisoformat(a["published"]) - datetime.fromisoformat(b["published"]))
    if gap > LATE:
        result.late.append((a, b))
    titles = fuzz.token_set_ratio(" ".join(words(a["title"])), " ".join(words(b["title"])))
    if titles < 40 and not shingles(words(a["summary"]), 2) & shingles(words(b["summary"]), 2):
        result.unrelated.append((a, b))


def report(result: RealResult, show: int = 5) -> None:
    per_story = result.seconds / result.stories
    print(
        f"real month       {result.stories:,} items, {per_story * 1e6:,.0f}us a story "
        f"({result.stories / result.seconds:,.0f} stories/s, JSON parsing included)"
    )
    print(
        f"                 identical long headlines, two outlets, one day: "
        f"{result.joined:,}/{result.pairs:,} in one cluster (recall {result.recall:.3f})"
    )
    print(
        f"                 false joins: series {len(result.series)}; to inspect: "
        f"late {len(result.late)}, unrelated {len(result.unrelated)}; "
        f"same text re-posted by one source (one story by rule) {result.reposts}"
    )
    for kind, found in (("series", result.series), ("late", result.late)):
        for a, b in found[:show]:
            print(f"  {kind}: {a['source']} {a['published'][:10]} | {a['title'][:70]}")
            print(f"  {' ' * len(kind)}  {b['source']} {b['published'][:10]} | {b['title'][:70]}")
    for a, b in result.unrelated[:show]:
        print(f"  unrelated: {a['title'][:60]} | {b['title'][:60]}")


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else MONTH
    if not path.exists():
        print(f"real month       skipped: {path} not found")
        return
    report(run_month(path), show=20)


if __name__ == "__main__":
    main()
