"""Key phrases of a set of documents: YAKE's candidates kept when they read as topic words.

Pure: YAKE runs in memory on the given text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import yake

from watchlists.lexicon import ADJECTIVE_ENDINGS, DATE_WORDS, GENERIC_WORDS, STOPWORDS, TITLES

MAX_WORDS = 3
CANDIDATES_PER_DOCUMENT = 400
LENGTH_WEIGHTS = {1: 0.5, 2: 1.5, 3: 1.7}
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in is was that for with on by".split()),
    "es": frozenset("el la los las de del que y en por con para una".split()),
    "fr": frozenset("le la les des du et est que dans pour une sur".split()),
    "pt": frozenset("o os as de do da dos das que em para uma não".split()),
    "de": frozenset("der die das und ist nicht den mit von zu ein eine".split()),
}
"""A dozen frequent words per language, enough to choose YAKE's stop-word list."""
EDGE_WORDS = STOPWORDS.union(*FUNCTION_WORDS.values())
"""Words a phrase may not begin or end with, in any of those languages."""
_PHRASE_WORD = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")


@dataclass(frozen=True, slots=True)
class KeyPhrase:
    """A topic phrase, how often it occurs, in how many documents, and its score."""

    text: str
    count: int
    documents: int
    score: float


def guess_language(text: str) -> str:
    """The language of ``text`` among those with function-word lists here (default English)."""
    counts = Counter(word for word in re.findall(r"[^\W\d_]+", text[:20000].lower()))
    scores = {lang: sum(counts[w] for w in words) for lang, words in FUNCTION_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores["en"] else "en"


def key_phrases(
    texts: Sequence[str], language: str | None = None, limit: int = 30
) -> list[KeyPhrase]:
    """The best ``limit`` key phrases of ``texts``, best first (language guessed if not given)."""
    ranks: dict[str, list[float]] = {}
    for text in texts:
        if not text.strip():
            continue
        extractor = yake.KeywordExtractor(
            lan=language or guess_language(text),
            n=MAX_WORDS,
            top=CANDIDATES_PER_DOCUMENT,
            dedup_lim=1.0,
        )
        found = extractor.extract_keywords(text)
        for rank, (phrase, _score) in enumerate(found):
            key = " ".join(str(phrase).lower().split())
            ranks.setdefault(key, []).append(1.0 - rank / max(1, len(found)))
    lowered = [text.lower() for text in texts]
    phrases = []
    for key, weights in ranks.items():
        if not _acceptable(key, texts):
            continue
        words = len(key.split())
        # a single word counts only where written in lower case: capitalized, it is a name
        counts = [_count(key, text) for text in (texts if words == 1 else lowered)]
        count = sum(counts)
        documents = sum(1 for c in counts if c)
        if count < 2 or (words == 1 and count < 3):
            continue
        spread = 1.0 + (documents - 1) / max(1, len(texts) - 1)
        score = (0.5 + max(weights)) * spread * LENGTH_WEIGHTS[words] * math.log(1.0 + count)
        phrases.append(KeyPhrase(key, count, documents, score))
    phrases.sort(key=lambda p: (-p.score, p.text))
    return _drop_contained(phrases)[:limit]


def _acceptable(key: str, texts: Sequence[str]) -> bool:
    words = key.split()
    if not words or len(words) > MAX_WORDS:
        return False
    if not all(_PHRASE_WORD.match(word) for word in words):
        return False
    if words[0] in EDGE_WORDS or words[-1] in EDGE_WORDS:
        return False
    if any(word in DATE_WORDS or len(word) < 3 for word in words):
        return False
    if len(words) == 1 and (
        key in GENERIC_WORDS or key in TITLES or (len(key) > 5 and key.endswith(ADJECTIVE_ENDINGS))
    ):
        return False  # "president", "foreign", "diplomatic": not a topic on their own
    if any(word.endswith("ly") and len(word) > 4 for word in words):
        return False  # adverbs: "highly unusual raid"
    if any(word.endswith("ed") for word in (words[0], words[-1])):
        return False  # verbs and participles: "condemned", "forces raided", "granted asylum"
    if len(words) > 1 and (words[0] in TITLES or words[-1] in TITLES):
        return False  # offices and names after them: "foreign minister", "president jorge"
    pattern = re.compile(r"(?<![\w-])" + re.escape(key) + r"(?![\w-])")
    return any(pattern.search(text) for text in texts)  # written in lower case somewhere


def _count(key: str, lowered: str) -> int:
    return len(re.findall(r"(?<![\w-])" + re.escape(key) + r"(?![\w-])", lowered))


def _drop_contained(phrases: list[KeyPhrase]) -> list[KeyPhrase]:
    """Drop a phrase that mostly occurs inside a better-ranked longer one."""
    kept: list[KeyPhrase] = []
    for phrase in phrases:
        inside = [
            other
            for other in kept
            if f" {phrase.text} " in f" {other.text} " and other.count >= 0.6 * phrase.count
        ]
        if not inside:
            kept.append(phrase)
    return kept
