"""Benchmark of the watchlist matcher: speed, memory and recall on a generated corpus.

Run ``.venv/bin/python bench/matching.py`` (``--quick`` for a short run). Prints, at
W = 100, 1,000 and 10,000 terms: index build time, stories/s, MB/s, mean and p99 µs
per story, peak memory, recall per planted variant class and hits not planted; the
same for an exact-only pass (pyahocorasick, the floor) and a naive baseline
(rapidfuzz ``partial_ratio`` >= 90 per story per term, sampled). Then the built-in
watchlists on the labelled eval stories and on the real feed fixtures.
Corpus and terms are generated from a fixed seed, so runs are comparable; times are
the process's CPU time (``time.process_time``), so other load on the machine does not count.
"""

from __future__ import annotations

import argparse
import gc
import glob
import json
import random
import statistics
import sys
import time
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from watchlists.builtin import BUILTIN_NAMES, builtin_watchlists  # noqa: E402
from watchlists.matcher import Matcher, compile_watchlists  # noqa: E402
from watchlists.model import Group, Rule, Term, Watchlist  # noqa: E402

SEED = 20240405
clock = time.process_time
"""CPU time of this process: other load on a shared machine does not count."""
SIZES = (100, 1_000, 10_000)
VARIANTS = ("exact", "no-accents", "typo", "swap", "inflection")
SHARED = ROOT.parent / "shared"
FILLER = (
    "the a of to in and on for with by at from that this was were has have had will would "
    "said says officials government minister president police city country people year "
    "week month day report reports new after before over under about more most than "
    "between during while against local national foreign capital court law state agency "
    "plan vote election market prices workers company talks meeting statement spokesman "
    "official agreement border security crisis support public leaders group members "
    "team season game health school water energy power trade deal economic growth "
    "decision policy council parliament party opposition protest protests region"
).split()
ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ", "c": "ç"}


@dataclass(frozen=True)
class Planted:
    term: str
    variant: str


@dataclass(frozen=True)
class Story:
    title: str
    summary: str
    planted: tuple[Planted, ...] = field(default=())


def make_word(rng: random.Random, low: int = 5, high: int = 10) -> str:
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    length = rng.randint(low, high)
    letters = [rng.choice(consonants if i % 2 == 0 else vowels) for i in range(length)]
    if rng.random() < 0.4:
        spot = rng.randrange(1, length)
        letters[spot] = ACCENTS.get(letters[spot], letters[spot])
    return "".join(letters).capitalize()


def make_terms(rng: random.Random, count: int) -> list[Term]:
    """Names (person, organization, place) and a few stemmable keywords.

    No word is shared between two terms (after folding), so a hit of a term that was
    not planted is a real confusion, not a name inside a longer name.
    """
    terms: list[Term] = []
    seen: set[str] = set()
    while len(terms) < count:
        if rng.random() < 0.1:
            text = make_word(rng, 5, 8).lower().rstrip("aeiouáéíóú") + rng.choice("dklmnprt")
            text = text.rstrip(text[-1]) + text[-1]  # no doubled final consonant
            term = Term(strip_accents(text), "keyword")
        else:
            words = rng.choice((1, 2, 2, 2, 3))
            text = " ".join(make_word(rng) for _ in range(words))
            term = Term(text, rng.choice(("person", "organization", "place")))
        words = {strip_accents(word).casefold() for word in term.text.split()}
        if seen.isdisjoint(words):
            seen.update(words)
            terms.append(term)
    return terms


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def variant_of(rng: random.Random, term: Term, variant: str) -> str | None:
    """The planted spelling of ``term`` for one variant class (None if it does not apply)."""
    text = term.text
    letters = sum(len(w) for w in text.split())
    if variant == "exact":
        return text
    if variant == "no-accents":
        plain = strip_accents(text)
        return plain if plain != text else None
    if variant == "inflection":
        return text + rng.choice(("s", "ed", "ing")) if term.kind == "keyword" else None
    if term.kind == "keyword" or letters < 8:
        return None
    words = text.split()
    index = rng.randrange(len(words))
    word = words[index]
    if len(word) < 5:
        return None
    spot = rng.randrange(1, len(word) - 1)
    if variant == "typo":
        replacement = rng.choice([c for c in "bdgkmprstv" if c != word[spot].lower()])
        word = word[:spot] + replacement + word[spot + 1 :]
    else:
        if word[spot] == word[spot + 1]:
            return None
        word = word[:spot] + word[spot + 1] + word[spot] + word[spot + 2 :]
    words[index] = word
    return " ".join(words)


def make_stories(rng: random.Random, terms: Sequence[Term], count: int) -> list[Story]:
    stories = []
    for _ in range(count):
        title = " ".join(rng.choice(FILLER) for _ in range(rng.randint(7, 12))).capitalize()
        summary = [rng.choice(FILLER) for _ in range(rng.randint(35, 60))]
        planted: list[Planted] = []
        for _ in range(rng.choice((0, 1, 1, 2))):
            term = rng.choice(terms)
            variant = rng.choice(VARIANTS)
            spelled = variant_of(rng, term, variant)
            if spelled is None:
                continue
            summary.insert(rng.randrange(len(summary)), spelled)
            planted.append(Planted(term.text, variant))
        stories.append(Story(title, " ".join(summary) + ".", tuple(planted)))
    return stories


def make_watchlists(terms: Sequence[Term], lists: int = 10) -> list[Watchlist]:
    chunks = [terms[i::lists] for i in range(lists)]
    return [
        Watchlist(f"bench-{i}", (Group("terms", tuple(chunk)),), (Rule("any", any_of=("terms",)),))
        for i, chunk in enumerate(chunks)
    ]


@dataclass
class Result:
    name: str
    size: int
    build_s: float
    per_story_us: list[float]
    megabytes: float
    found: Counter[str]
    planted: Counter[str]
    unplanted_hits: int
    peak_mb: float | None = None

    @property
    def stories_per_s(self) -> float:
        return len(self.per_story_us) / (sum(self.per_story_us) / 1e6)

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / (sum(self.per_story_us) / 1e6)


def score(
    name: str,
    size: int,
    build_s: float,
    stories: Sequence[Story],
    find: Callable[[Story], set[str]],
) -> Result:
    times, found, planted = [], Counter[str](), Counter[str]()
    unplanted = 0
    for story in stories:
        start = clock()
        terms = find(story)
        times.append((clock() - start) * 1e6)
        expected = {p.term for p in story.planted}
        for p in story.planted:
            planted[p.variant] += 1
            found[p.variant] += p.term in terms
        unplanted += len(terms - expected)
    megabytes = sum(len(s.title.encode()) + len(s.summary.encode()) for s in stories) / 1e6
    return Result(name, size, build_s, times, megabytes, found, planted, unplanted)


def run_matcher(terms: Sequence[Term], stories: Sequence[Story]) -> Result:
    watchlists = make_watchlists(terms)
    gc.collect()
    start = clock()
    matcher = compile_watchlists(watchlists)
    build = clock() - start
    matcher.match(stories[0].title, stories[0].summary, "en")  # warm the stem table

    def find(story: Story) -> set[str]:
        matches = matcher.match(story.title, story.summary, "en")
        return {hit.term for match in matches for hit in match.hits}

    return score("newswatch", len(terms), build, stories, find)


def run_exact(terms: Sequence[Term], stories: Sequence[Story]) -> Result:
    start = clock()
    automaton = ahocorasick.Automaton()
    for term in terms:
        automaton.add_word(term.text.lower(), term.text)
    automaton.make_automaton()
    build = clock() - start

    def find(story: Story) -> set[str]:
        text = f"{story.title} {story.summary}".lower()
        return {found for _end, found in automaton.iter(text)}

    return score("exact (pyahocorasick)", len(terms), build, stories, find)


def run_naive(terms: Sequence[Term], stories: Sequence[Story]) -> Result:
    lowered = [(t.text, t.text.lower()) for t in terms]

    def find(story: Story) -> set[str]:
        text = f"{story.title} {story.summary}".lower()
        return {t for t, low in lowered if fuzz.partial_ratio(low, text, score_cutoff=90)}

    return score("naive partial_ratio>=90", len(terms), 0.0, stories, find)


def peak_memory_mb(terms: Sequence[Term], stories: Sequence[Story]) -> float:
    """Peak Python allocation while building the index and matching ``stories``."""
    gc.collect()
    tracemalloc.start()
    matcher: Matcher = compile_watchlists(make_watchlists(terms))
    for story in stories:
        matcher.match(story.title, story.summary, "en")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def median_result(runs: list[Result]) -> Result:
    runs.sort(key=lambda r: r.stories_per_s)
    return runs[len(runs) // 2]


def bench_size(size: int, stories_count: int, naive_count: int) -> list[Result]:
    rng = random.Random(SEED + size)
    terms = make_terms(rng, size)
    stories = make_stories(rng, terms, stories_count)
    ours = median_result([run_matcher(terms, stories) for _ in range(3)])
    ours.peak_mb = peak_memory_mb(terms, stories[:500])
    exact = median_result([run_exact(terms, stories) for _ in range(3)])
    naive = run_naive(terms, stories[: max(10, naive_count * 1000 // size)])
    return [ours, exact, naive]


def print_speed(results: list[Result]) -> None:
    naive = {r.size: r.stories_per_s for r in results if r.name.startswith("naive")}
    print(
        f"{'engine':24} {'W':>6} {'build s':>8} {'stories/s':>10} {'MB/s':>6} {'mean µs':>8}"
        f" {'p99 µs':>8} {'peak MB':>8} {'x naive':>8} {'stories':>8}"
    )
    for r in results:
        many = len(r.per_story_us) >= 20
        p99 = f"{statistics.quantiles(r.per_story_us, n=100)[98]:.0f}" if many else "-"
        peak = f"{r.peak_mb:.1f}" if r.peak_mb is not None else "-"
        print(
            f"{r.name:24} {r.size:>6} {r.build_s:>8.3f} {r.stories_per_s:>10.0f}"
            f" {r.mb_per_s:>6.2f} {statistics.fmean(r.per_story_us):>8.0f} {p99:>8}"
            f" {peak:>8} {r.stories_per_s / naive[r.size]:>8.0f} {len(r.per_story_us):>8}"
        )


def print_recall(results: list[Result]) -> None:
    print("\nrecall by planted variant; 'not planted' = hits of terms that were not planted")
    print(f"{'engine':24} {'W':>6} " + " ".join(f"{v:>10}" for v in VARIANTS) + "  not planted")
    for r in results:
        cells = []
        for variant in VARIANTS:
            total = r.planted[variant]
            cells.append(f"{r.found[variant] / total:>10.3f}" if total else f"{'-':>10}")
        print(f"{r.name:24} {r.size:>6} " + " ".join(cells) + f"  {r.unplanted_hits:>11}")


def print_eval(matcher: Matcher) -> None:
    path = SHARED / "eval" / "stories.jsonl"
    if not path.exists():
        print(f"\n(no eval set at {path})")
        return
    counts = {name: [0, 0, 0] for name in BUILTIN_NAMES}
    for line in path.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        found = {
            m.watchlist for m in matcher.match(story["title"], story["summary"], story["language"])
        }
        for name in BUILTIN_NAMES:
            expected, got = name in story["topics"], name in found
            counts[name][0 if expected and got else 1 if got else 2] += expected or got
    print(f"\n{'eval (built-ins)':24} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for name, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{name:24} {precision:>9.3f} {recall:>7.3f} {tp:>4} {fp:>4} {fn:>4}")


def print_feeds(matcher: Matcher, show: bool) -> None:
    try:
        import feedparser
    except ImportError:
        print("\n(feedparser not installed: skipping real feeds)")
        return
    paths = sorted(glob.glob(str(SHARED / "fixtures" / "feeds" / "*")))
    items: list[tuple[str, str, str | None, str]] = []
    for path in paths:
        parsed = feedparser.parse(Path(path).read_bytes())
        language = parsed.feed.get("language") or None
        for entry in parsed.entries:
            items.append((entry.get("title", ""), entry.get("summary", ""), language, path))
    megabytes = sum(len(t.encode()) + len(s.encode()) for t, s, _l, _p in items) / 1e6
    alerts: Counter[str] = Counter()
    rates = []
    for run in range(2):
        start = clock()
        for title, summary, language, path in items:
            for match in matcher.match(title, summary, language):
                if run == 0:
                    alerts[match.watchlist] += 1
                    if show:
                        print(f"  {match.watchlist}: {Path(path).name}: {title[:90]!r}")
        rates.append(clock() - start)
    print(
        f"\nreal feeds: {len(paths)} files, {len(items)} items, {megabytes:.1f} MB;"
        f" first pass {len(items) / rates[0]:.0f} items/s (cold caches),"
        f" second {len(items) / rates[1]:.0f} items/s ({megabytes / rates[1]:.1f} MB/s)"
    )
    print("alerts by the built-in watchlists (almost none expected):")
    for name in BUILTIN_NAMES:
        print(f"  {name:22} {alerts[name]:>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer stories, smaller W")
    parser.add_argument("--show-alerts", action="store_true", help="list real-feed alerts")
    args = parser.parse_args()
    sizes = SIZES[:2] if args.quick else SIZES
    stories = 1_000 if args.quick else 5_000
    results: list[Result] = []
    for size in sizes:
        results.extend(bench_size(size, stories, naive_count=20))
    print_speed(results)
    print_recall(results)
    matcher = compile_watchlists(builtin_watchlists())
    print_eval(matcher)
    print_feeds(matcher, args.show_alerts)


if __name__ == "__main__":
    main()
