"""Item text for the benchmark feeds: pseudo-words, or real news text with wire copies.

Pure apart from reading the fixture feeds once (``NewsText``). Real text is
recombined from the titles and summaries of the publisher snapshots in
``shared/fixtures/feeds`` with a word-level Markov chain, so vocabulary, names and
word order are those of real news while no item repeats a fixture item. A chosen
share of items are wire copies: the same story (same headline) carried by several
feeds, each copy lightly edited (a few words changed, a sentence dropped, a credit
line added), as agency copy is when outlets run it during a big story.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "feeds"
if not FIXTURES.is_dir():  # a worktree beside /work/shared
    FIXTURES = Path("/work/shared/fixtures/feeds")
COPIES_PER_WIRE_STORY = 4  # feeds that carry one wire story, on average
SYLLABLES = "ka lo mi ne ra tu se vi do pa re gu li mo sa te nu ba ri co".split()
NAMES = "Quito Lima Oslo Accra Hanoi Dakar Perth Porto Lyon Brno Graz Cork Galway Tartu".split()
CREDITS = ("(AP) —", "(Reuters) -", "(AFP) —", "(EFE) -", "WASHINGTON (AP) —")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class ItemText:
    title: str
    description: str
    paragraphs: tuple[str, ...]
    place: str  # a name for the link and a category


class PseudoText:
    """Pseudo-words over a Zipf-distributed vocabulary of 20,000: no two items share text."""

    kind = "pseudo"

    def __init__(self) -> None:
        rng = random.Random(7)
        words = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(40_000)}
        self.words = sorted(words)[:20_000]
        rng.shuffle(self.words)
        self.weights = list(itertools.accumulate(1 / (r + 1) for r in range(len(self.words))))

    def _words(self, rng: random.Random, k: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self.weights, k=k))

    def item(self, feed: int, index: int) -> ItemText:
        rng = random.Random(feed * 100_003 + index)
        place = rng.choice(NAMES)
        title = f"{place} {self._words(rng, 9)}".capitalize()
        paragraphs = (self._words(rng, 45), self._words(rng, 45))
        return ItemText(title, self._words(rng, 60), paragraphs, place)


class NewsText:
    """Real news text recombined, with ``share`` of the items being wire copies."""

    kind = "news"

    def __init__(self, share: float, feeds: int, items: int) -> None:
        self.share = share
        self.pool = max(1, round(share * feeds * items / COPIES_PER_WIRE_STORY))
        titles, sentences = _corpus()
        self.title_chain = _chain(titles)
        self.text_chain = _chain(sentences)
        self.vocabulary = sorted({w for s in sentences for w in s})
        self.places = sorted({w for t in titles for w in t if w[:1].isupper() and w.isalpha()})

    def item(self, feed: int, index: int) -> ItemText:
        rng = random.Random(feed * 100_003 + index)
        if rng.random() < self.share:
            wire = self._original(random.Random(f"wire {rng.randrange(self.pool)}"))
            return self._edited(wire, rng)
        return self._original(rng)

    def _original(self, rng: random.Random) -> ItemText:
        title = _sentence(self.title_chain, rng, 7, 16)
        description = " ".join(_sentence(self.text_chain, rng, 10, 30) for _ in range(3))
        paragraphs = tuple(
            " ".join(_sentence(self.text_chain, rng, 10, 30) for _ in range(2)) for _ in range(2)
        )
        return ItemText(title, description, paragraphs, rng.choice(self.places or NAMES))

    def _edited(self, wire: ItemText, rng: random.Random) -> ItemText:
        """A copy as an outlet runs it: same headline, a credit, a few words changed."""
        words = wire.description.split()
        for _ in range(2):
            words[rng.randrange(len(words))] = rng.choice(self.vocabulary)
        description = f"{rng.choice(CREDITS)} {' '.join(words)}"
        paragraphs = list(wire.paragraphs)
        if rng.random() < 0.5:  # the last sentence cut for length
            paragraphs[-1] = paragraphs[-1].rsplit(". ", 1)[0] + "."
        return ItemText(wire.title, description, tuple(paragraphs), wire.place)


def _corpus() -> tuple[list[list[str]], list[list[str]]]:
    """Titles and summary sentences of the fixture feeds, as lists of words."""
    from monitor.parse.feed import parse_feed

    if not FIXTURES.is_dir():
        raise SystemExit(f"the fixture feeds are missing ({FIXTURES}): news text needs them")
    now = datetime(2026, 11, 25, tzinfo=UTC)
    titles: list[list[str]] = []
    sentences: list[list[str]] = []
    for path in sorted(FIXTURES.iterdir()):
        try:
            feed = parse_feed(path.read_bytes(), {}, path.name, now)
        except Exception:  # a fixture that does not parse adds no text
            continue
        for story in feed.stories:
            if len(words := _WORD.findall(story.title)) >= 4:
                titles.append(words)
            for sentence in re.split(r"(?<=[.!?])\s+", story.summary):
                if len(words := _WORD.findall(sentence)) >= 6:
                    sentences.append(words)
    return titles, sentences


Chain = tuple[list[str], dict[str, list[str]]]


def _chain(texts: list[list[str]]) -> Chain:
    """Word-level Markov chain: openings, and the words that followed each word."""
    follows: dict[str, list[str]] = defaultdict(list)
    starts = []
    for words in texts:
        starts.append(words[0])
        for a, b in itertools.pairwise([*words, ""]):
            follows[a].append(b)
    return starts, dict(follows)


def _sentence(chain: Chain, rng: random.Random, low: int, high: int) -> str:
    starts, follows = chain
    words = [rng.choice(starts)]
    limit = rng.randint(low, high)
    while len(words) < limit:
        nxt = rng.choice(follows.get(words[-1]) or [""])
        if not nxt:
            if len(words) >= low:
                break
            nxt = rng.choice(starts)
        words.append(nxt)
    text = " ".join(words)
    return text if text[-1:] in ".!?" else text + "."
