"""Benchmark of the deduplicator: per-story cost as the store grows, against a naive scan.

No I/O besides printing a table; it generates its own seeded news-like stories.

Run: ``.venv/bin/python bench/dedup.py`` (about a minute). It feeds 100,000 generated stories
(Zipf-distributed vocabulary, capitalized names, numbers, two feeds per outlet) through one
``Deduplicator`` and plants known duplicates among them:

- 4 % syndicated copies of a recent story from another outlet, half with 2–4 words edited,
  half with 5–8 (a third of those also cut to the first sentence), 30 % with a trimmed
  headline (expected ``cluster``; heavy edits are where a conservative rule misses);
- 2 % the same article again under a tracking-parameter URL (expected ``same``);
- 1 % the same GUID fetched again from the same feed (expected ``same``).

Then the real-text case (``bench/dedup_real.py``): the month of real feed items in
``shared/real-news/2023-12.jsonl`` through ``dedup_jsonl`` (what ``newswatch dedup`` runs), with
identical-headline recall, recurring series joined (false joins) and joins to inspect, beside
the cost per story (``--skip-real`` leaves it out; about a minute more). Targets: recall
>= 0.95, no series joined, >= 1,000 stories/s.

Times are CPU seconds of this process (``time.process_time``), so other work on a shared
machine does not distort them. At each store size it times the next 1,000 decisions, and times
a naive deduplicator on a sample of new stories: ``rapidfuzz.process.extractOne`` of the
story's normalized text against every stored story's (``fuzz.ratio``, score cut-off 75, the
cheapest fair scan). Targets: cost at 100,000 <= 1.5 x cost at 1,000; >= 100 x faster than
naive at 100,000; >= 1,500 stories/s; <= 500 MB peak memory.
"""

from __future__ import annotations

import gc
import random
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from dedup_real import MONTH, report, run_month
from rapidfuzz import fuzz, process

from monitor.dedup.deduplicator import Deduplicator
from monitor.dedup.features import DedupItem
from monitor.dedup.fingerprint import words

TOTAL = 100_000
CHECKPOINTS = (1_000, 10_000, 25_000, 50_000, 100_000)
BATCH = 1_000
NAIVE_SAMPLE = {1_000: 300, 100_000: 300}  # other sizes: NAIVE_SAMPLE_OTHER
NAIVE_SAMPLE_OTHER = 60
SEED = 20240406
START = datetime(2024, 4, 6, tzinfo=UTC)

STOP = (
    "the of to and a in that is for on was with he it as at by from his said have has an be "
    "are were but not after which who they this its their more been had will would about "
    "over than also into when two new one last first year people government officials police"
).split()


@dataclass(frozen=True, slots=True)
class Planted:
    """A generated item and what the deduplicator should say about it."""

    item: DedupItem
    expect: str  # "new", "cluster" or "same"
    original: str | None  # id of the story it copies or repeats


class NewsGenerator:
    """Seeded generator of headline + summary items with planted duplicates."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        syllables = [a + b for a in "bcdfghjklmnprstvwz" for b in "aeiou"] + ["th", "st", "ng"]
        vocab: list[str] = []
        seen: set[str] = set()
        while len(vocab) < 40_000:
            word = "".join(self.rng.choices(syllables, k=self.rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                vocab.append(word)
        self.words = STOP + vocab
        self.cum = []
        total = 0.0
        for rank in range(len(self.words)):
            total += 1.0 / (rank + 1) ** 1.05
            self.cum.append(total)
        self.names = [w.capitalize() for w in self.rng.sample(vocab, 8_000)]
        self.outlets = [f"outlet{n}.example" for n in range(300)]
        self.recent: list[DedupItem] = []

    def _sentence(self, length: int, names: list[str]) -> list[str]:
        tokens = self.rng.choices(self.words, cum_weights=self.cum, k=length)
        for name in names:
            tokens.insert(self.rng.randrange(1, len(tokens)), name)
        if self.rng.random() < 0.3:
            tokens.insert(self.rng.randrange(1, len(tokens)), str(self.rng.randint(2, 999)))
        return tokens

    def fresh(self, n: int, when: datetime) -> DedupItem:
        rng = self.rng
        names = rng.sample(self.names, 3)
        title = self._sentence(rng.randint(7, 11), names[:2])
        summary = self._sentence(rng.randint(14, 22), names[:2]) + ["."]
        summary += self._sentence(rng.randint(12, 20), names[1:]) + ["."]
        outlet = rng.choice(self.outlets)
        slug = "-".join(title[:6]).lower()
        return DedupItem(
            id=f"s{n}",
            feed=f"https://{outlet}/feed/{rng.randint(1, 2)}",
            guid=f"{outlet}:{n}",
            url=f"https://www.{outlet}/news/{slug}-{n}",
            title=" ".join(title).capitalize(),
            summary=" ".join(summary).replace(" .", "."),
            published=when,
            source=outlet,
        )

    def stream(self, total: int) -> Iterator[Planted]:
        rng = self.rng
        for n in range(total):
            when = START + timedelta(seconds=n)
            roll = rng.random()
            if self.recent and roll < 0.04:
                yield self._copy(n, when)
            elif self.recent and roll < 0.06:
                orig = rng.choice(self.recent[-2000:])
                url = f"{orig.url}?utm_source=rss&utm_medium=feed&fbclid={n}"
                yield Planted(replace(orig, id=f"s{n}", url=url, guid=None), "same", orig.id)
            elif self.recent and roll < 0.07:
                orig = rng.choice(self.recent[-2000:])
                yield Planted(replace(orig, id=f"s{n}"), "same", orig.id)
            else:
                item = self.fresh(n, when)
                self.recent.append(item)
                if len(self.recent) > 4000:
                    del self.recent[:2000]
                yield Planted(item, "new", None)

    def _copy(self, n: int, when: datetime) -> Planted:
        rng = self.rng
        orig = rng.choice(self.recent[-2000:])
        tokens = orig.summary.split()
        heavy = rng.random() < 0.5
        if heavy and rng.random() < 0.3:
            tokens = tokens[: tokens.index(next(t for t in tokens if t.endswith("."))) + 1]
        for _ in range(rng.randint(5, 8) if heavy else rng.randint(2, 4)):
            at = rng.randrange(len(tokens))
            if rng.random() < 0.5:
                tokens[at] = rng.choice(STOP)
            else:
                del tokens[at]
        title = orig.title
        if rng.random() < 0.3:
            title = " ".join(title.split()[:-2])
        outlet = rng.choice(self.outlets)
        item = DedupItem(
            id=f"s{n}",
            feed=f"https://{outlet}/feed/wire",
            guid=f"{outlet}:{n}",
            url=f"https://{outlet}/wire/{n}",
            title=title,
            summary=" ".join(tokens),
            published=when,
            source=outlet,
        )
        return Planted(item, "cluster", orig.id)


def naive_text(item: DedupItem) -> str:
    return " ".join(words(item.title) + words(item.summary))


def naive_cost(stored: list[str], queries: list[str]) -> float:
    """Mean seconds per story of a full rapidfuzz scan of ``stored`` for each query."""
    started = time.process_time()
    for query in queries:
        process.extractOne(query, stored, scorer=fuzz.ratio, score_cutoff=75)
    return (time.process_time() - started) / len(queries)


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def generated() -> None:
    """The generated case: cost per story as the store grows, planted copies and repeats."""
    began = time.perf_counter()
    generator = NewsGenerator(SEED)
    planted = list(generator.stream(TOTAL + BATCH))
    probes = [generator.fresh(10_000_000 + k, START) for k in range(max(NAIVE_SAMPLE.values()))]
    probe_texts = [naive_text(p) for p in probes]
    rss_before = peak_rss_mb()

    dedup = Deduplicator()
    naive_store: list[str] = []
    clusters: dict[str, str] = {}
    outcomes = {"cluster": 0, "cluster-miss": 0, "same": 0, "same-miss": 0, "false": 0}
    rows = []
    decide_time = 0.0
    index = 0

    def run(stop: int) -> float:
        """Decide planted[index:stop]; return the CPU seconds the decisions took."""
        nonlocal index
        started = time.process_time()
        for p in planted[index:stop]:
            decision = dedup.decide(p.item, p.item.published or START)
            clusters[p.item.id] = decision.cluster
            score(p, decision.kind, decision.cluster, clusters, outcomes)
        elapsed = time.process_time() - started
        naive_store.extend(naive_text(p.item) for p in planted[index:stop])
        index = stop
        return elapsed

    for size in CHECKPOINTS:
        # Grow the store to the checkpoint, then time the next BATCH decisions at that size.
        decide_time += run(size)
        stored = len(dedup)
        batch = run(index + BATCH)
        decide_time += batch
        sampled = NAIVE_SAMPLE.get(size, NAIVE_SAMPLE_OTHER)
        naive = naive_cost(naive_store[:size], probe_texts[:sampled])
        rows.append((size, stored, batch / BATCH, naive, sampled))
    peak = peak_rss_mb()
    gc.collect()
    print_report(rows, index, decide_time, rss_before, peak, outcomes, began)


def main() -> None:
    generated()  # its memory goes before the real month is read
    gc.collect()
    if "--skip-real" in sys.argv or not MONTH.exists():
        print(f"real month       skipped ({MONTH} {'found' if MONTH.exists() else 'not found'})")
        return
    report(run_month(MONTH))


def score(
    p: Planted, kind: str, cluster: str, clusters: dict[str, str], out: dict[str, int]
) -> None:
    if p.expect == "new":
        out["false"] += kind != "new"
    elif p.original is not None:
        ok = kind == p.expect and cluster == clusters.get(p.original)
        out[p.expect if ok else p.expect + "-miss"] += 1


def print_report(
    rows: list[tuple[int, int, float, float, int]],
    total: int,
    decide_time: float,
    rss_before: float,
    peak: float,
    outcomes: dict[str, int],
    began: float,
) -> None:
    base = rows[0][2]
    print(
        f"{'decided':>9} {'stored':>8} {'per story':>11} {'vs 1k':>7} {'naive/story':>12} "
        f"{'speedup':>9}"
    )
    for size, stored, cost, naive, sampled in rows:
        print(
            f"{size:>9,} {stored:>8,} {cost * 1e6:>9.0f}us {cost / base:>6.2f}x "
            f"{naive * 1e3:>10.1f}ms {naive / cost:>8.0f}x  (naive sample {sampled})"
        )
    print(f"throughput       {total / decide_time:,.0f} stories/s over {total:,} decisions")
    print(f"peak memory      {peak:,.0f} MB RSS (generated data alone {rss_before:,.0f} MB)")
    copies = outcomes["cluster"] + outcomes["cluster-miss"]
    repeats = outcomes["same"] + outcomes["same-miss"]
    print(
        f"planted          copies {outcomes['cluster']:,}/{copies:,} clustered; "
        f"repeats {outcomes['same']:,}/{repeats:,} same; "
        f"false merges {outcomes['false']:,} among fresh stories"
    )
    print(f"wall time        {time.perf_counter() - began:.0f} s (all times above are CPU time)")


if __name__ == "__main__":
    main()
