"""Benchmark of the watchlist builder's draft: how much it alerts on real news, and on what.

Run ``.venv/bin/python bench/builder.py`` (``--jsonl FILE`` adds a file of items in the
``newswatch match`` format, e.g. a month of real news). Builds the draft from
``shared/seeds/``, parses the real fixture feeds with the service's parser, and prints
one table: stories, alerts, alerts per 1,000, score spread, and how many of the stories
written on the seeds' subject (tests/support/builder_stories.py) match, with their
scores. The baseline in the same run is the same draft's groups under the rule shape
drafts had before: any name together with any topic word. ``--show`` lists the draft's
alerts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.errors import FeedError  # noqa: E402
from monitor.parse.feed import clean_text, parse_feed  # noqa: E402
from tests.support.builder_stories import LOOK_ALIKES, ON_TOPIC  # noqa: E402
from watchlists.builder import NAME_GROUPS, SourceText, build_watchlist_yaml  # noqa: E402
from watchlists.loader import parse_watchlist  # noqa: E402
from watchlists.matcher import compile_watchlists  # noqa: E402
from watchlists.model import Rule, Watchlist  # noqa: E402

SHARED = ROOT.parent / "shared"
if not (SHARED / "seeds").is_dir():
    SHARED = Path("/work/shared")
NOW = datetime(2026, 11, 25, tzinfo=UTC)
TOPIC_GROUPS = ("key-phrases", "incidents", "actions", "subjects", "terms-of-art")


@dataclass(frozen=True)
class Item:
    title: str
    summary: str
    language: str | None


@dataclass
class Run:
    label: str
    corpus: str
    stories: int
    alerts: list[tuple[float, str]]
    on_topic: list[float]
    look_alikes: int
    seconds: float

    @property
    def per_thousand(self) -> float:
        return 1000 * len(self.alerts) / self.stories if self.stories else 0.0

    def spread(self, values: list[float] | None = None) -> str:
        chosen = [score for score, _ in self.alerts] if values is None else values
        scores = sorted({round(score, 2) for score in chosen})
        if not scores:
            return "-"
        return f"{scores[0]:.2f}-{scores[-1]:.2f} ({len(scores)} distinct)"


def baseline_of(draft: Watchlist) -> Watchlist:
    """The draft's groups under the old rule shape: any name plus any topic word."""
    present = [g.name for g in draft.groups]
    names = tuple(g for g in NAME_GROUPS if g in present)
    rules = tuple(
        Rule(name=f"names-and-{topic}", any_of=names, all_of=(topic,))
        for topic in TOPIC_GROUPS
        if topic in present
    )
    return replace(draft, name="baseline", rules=rules)


def fixture_items() -> list[Item]:
    items = []
    for path in sorted((SHARED / "fixtures" / "feeds").glob("*")):
        try:
            feed = parse_feed(path.read_bytes(), {}, path.name, NOW)
        except FeedError:
            continue
        items += [Item(s.title, s.summary, s.language) for s in feed.stories]
    return items


def jsonl_items(path: Path) -> list[Item]:
    items = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            data = json.loads(line)
            summary = clean_text(data.get("summary") or "")
            items.append(Item(data.get("title") or "", summary, data.get("language")))
    return items


def measure(label: str, watchlist: Watchlist, corpus: str, items: list[Item]) -> Run:
    matcher = compile_watchlists([watchlist])
    start = time.process_time()
    alerts = []
    for item in items:
        found = matcher.match(item.title, item.summary, item.language)
        if found:
            alerts.append((found[0].score, item.title))
    seconds = time.process_time() - start
    on_topic = [
        found[0].score for s in ON_TOPIC if (found := matcher.match(s.title, s.summary, "en"))
    ]
    alike = sum(1 for s in LOOK_ALIKES if matcher.match(s.title, s.summary, "en"))
    return Run(label, corpus, len(items), alerts, on_topic, alike, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jsonl", type=Path, help="also run on these items (match format)")
    parser.add_argument("--show", action="store_true", help="list the draft's alerts")
    args = parser.parse_args()
    console = Console()
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    sources = [SourceText(p.name, p.read_text(encoding="utf-8")) for p in seeds]
    start = time.process_time()
    draft = parse_watchlist(build_watchlist_yaml(sources, "quito-raid"), "draft")
    built = time.process_time() - start
    corpora = [("fixture feeds", fixture_items())]
    if args.jsonl:
        corpora.append((args.jsonl.name, jsonl_items(args.jsonl)))
    runs = []
    with console.status("matching…"):
        for corpus, items in corpora:
            runs.append(measure("baseline: any name + any topic word", baseline_of(draft),
                                corpus, items))  # fmt: skip
            runs.append(measure("draft: event near subject + entity", draft, corpus, items))
    table = Table(title=f"draft from {len(seeds)} seed documents, built in {built:.1f} s CPU")
    for column in ("rules", "corpus", "stories", "alerts", "per 1,000", "score spread",
                   f"on topic (of {len(ON_TOPIC)})", "on-topic scores",
                   f"look-alikes (of {len(LOOK_ALIKES)})",
                   "stories/s"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("rules", "corpus") else "right")
    for run in runs:
        table.add_row(
            run.label,
            run.corpus,
            f"{run.stories:,}",
            f"{len(run.alerts):,}",
            f"{run.per_thousand:.3f}",
            run.spread(),
            str(len(run.on_topic)),
            run.spread(run.on_topic),
            str(run.look_alikes),
            f"{run.stories / run.seconds:,.0f}" if run.seconds else "-",
        )
    console.print(table)
    for before, after in zip(runs[::2], runs[1::2], strict=True):
        ratio = f"{len(before.alerts) / len(after.alerts):.0f}x" if after.alerts else "all"
        console.print(
            f"{after.corpus}: the baseline raises {ratio} of the draft's alerts"
            f" ({len(before.alerts)} against {len(after.alerts)}); target ≤ 1 per 1,000:"
            f" {'met' if after.per_thousand <= 1 else 'NOT met'}"
        )
        if args.show:
            for score, title in after.alerts:
                console.print(f"  {score:.2f}  {title}", markup=False)


if __name__ == "__main__":
    main()
