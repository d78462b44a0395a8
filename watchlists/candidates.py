"""Turning name mentions into ranked candidate terms: variants merged, each given a kind.

Pure: accents, surnames, demonyms and short forms become aliases of one candidate.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from watchlists.extract import Mention, initials
from watchlists.lexicon import (
    CONNECTORS,
    LOCATIVES,
    NAME_ARTICLES,
    ORGANIZATION_HEADS,
    PLACE_HEADS,
    STOPWORDS,
    TREATY_HEADS,
    is_demonym_of,
    is_title,
)

KIND_WEIGHTS = {
    "treaty": 1.4,
    "organization": 1.15,
    "person": 1.25,
    "place": 1.0,
    "acronym": 1.0,
    "keyword": 0.6,
}
Key = tuple[str, ...]


def fold(word: str) -> str:
    """Lower case without accents: the key under which spellings are merged."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def key_of(words: Iterable[str]) -> Key:
    """The merge key of a name: its words folded."""
    return tuple(fold(word) for word in words)


@dataclass
class Candidate:
    """Everything known about one name while candidates are merged."""

    key: Key
    spellings: Counter[str] = field(default_factory=Counter)
    aliases: Counter[str] = field(default_factory=Counter)
    mentions: int = 0
    documents: set[int] = field(default_factory=set)
    inside: int = 0  # mentions not at the start of a sentence
    adjective: int = 0  # mentions used as an adjective: "South American countries"
    titled: int = 0
    said: int = 0
    locative: int = 0
    acronym: bool = False
    expansions: Counter[Key] = field(default_factory=Counter)
    neighbours: Counter[Key] = field(default_factory=Counter)
    linked: bool = False
    flagged: bool = False  # a wikitext flag template names it: a country
    kind: str = "keyword"
    expansion: str = ""
    expansions_shown: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def text(self) -> str:
        """The spelling to show: the most frequent, but accents win when often written.

        "Alicia Bárcena" beats a more frequent "Alicia Barcena" if it has a quarter of
        the mentions: dropping accents is a habit of writers, adding them is not.
        """
        total = sum(self.spellings.values())
        accented = [s for s in self.spellings if not s.isascii()]
        if accented and sum(self.spellings[s] for s in accented) * 4 >= total:
            pool = accented
        else:
            pool = list(self.spellings)
        return max(pool, key=lambda s: (self.spellings[s], s))

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.text.split())

    def absorb(self, other: Candidate) -> None:
        """Take ``other``'s mentions; its spellings become aliases."""
        self.aliases.update(other.spellings)
        self.aliases.update(other.aliases)
        self.mentions += other.mentions
        self.documents |= other.documents
        self.inside += other.inside
        self.titled += other.titled
        self.said += other.said
        self.locative += other.locative
        self.neighbours.update(other.neighbours)
        self.linked = self.linked or other.linked


def collect(
    mentions: Iterable[Mention], links: Iterable[str], places: Iterable[str] = ()
) -> dict[Key, Candidate]:
    """One candidate per spelling key (accents and case ignored); links and flags as clues."""
    linked = {key_of(link.split()) for link in links}
    flagged = {key_of(place.split()) for place in places}
    candidates: dict[Key, Candidate] = {}
    for mention in mentions:
        own = (mention.words[0].upper(),) if mention.acronym else key_of(mention.words)
        keys = [(own, mention.words)]
        if mention.expansion:
            keys.append((key_of(mention.expansion), mention.expansion))
        for number, (key, words) in enumerate(keys):
            candidate = candidates.setdefault(key, Candidate(key))
            candidate.spellings[" ".join(words)] += 1
            candidate.mentions += 1
            candidate.documents.add(mention.doc)
            candidate.inside += 0 if mention.initial and number == 0 else 1
            candidate.titled += mention.titled
            candidate.said += mention.said
            candidate.adjective += mention.adjective and number == 0
            candidate.locative += mention.before in LOCATIVES
            candidate.acronym = candidate.acronym or (mention.acronym and number == 0)
            candidate.linked = candidate.linked or key in linked
            candidate.flagged = candidate.flagged or key in flagged
            if number == 0:
                candidate.neighbours.update(key_of(words) for words in mention.neighbours)
            if number == 0 and mention.expansion:
                candidate.expansions[key_of(mention.expansion)] += 1
    return candidates


def resolve(
    candidates: dict[Key, Candidate], is_common: Callable[[str], bool], documents: int
) -> list[Candidate]:
    """Classify, merge variants, drop noise and score; best first."""
    pool = {key: c for key, c in candidates.items() if _plausible(c, is_common)}
    doubtful = [c for key, c in candidates.items() if key not in pool]
    singles = [c.text for c in pool.values() if len(c.key) == 1 and not c.acronym]
    for candidate in pool.values():
        candidate.kind = _kind(candidate, singles, is_common)
    _merge_demonyms(pool)
    _merge_misspellings(pool)
    _places_by_company(pool)
    _merge_parts(pool)
    _merge_surnames(pool, doubtful, is_common)
    _link_acronyms(pool)
    kept = [c for c in pool.values() if _worth_keeping(c)]
    for candidate in kept:
        candidate.score = _score(candidate, documents, pool)
    kept.sort(key=lambda c: (-c.score, c.text))
    return kept


def _plausible(candidate: Candidate, is_common: Callable[[str], bool]) -> bool:
    words = candidate.words
    if candidate.acronym:
        return len(candidate.key[0]) >= 2
    if len(words) == 1:
        word = words[0]
        if len(word) < 2 or word.lower() in STOPWORDS or is_title(word) or is_common(word):
            return False
        return candidate.inside > 0 or candidate.linked
    if candidate.adjective == candidate.mentions:
        return False  # only ever an adjective: "South American countries"
    return not all(is_common(word) or word.lower() in CONNECTORS for word in words)


def _kind(candidate: Candidate, singles: list[str], is_common: Callable[[str], bool]) -> str:
    if candidate.acronym:
        return "acronym"
    key = candidate.key
    if any(word in TREATY_HEADS for word in key):
        return "treaty"
    if any(word in ORGANIZATION_HEADS for word in key):
        return "organization"
    if (
        candidate.flagged
        or key[-1] in PLACE_HEADS
        or (key[0] in PLACE_HEADS and key[1] in CONNECTORS)
    ):
        return "place"
    evidence = candidate.titled + candidate.said
    if len(key) == 1:
        if candidate.locative > evidence:
            return "place"
        return "person" if evidence else "keyword"
    if key[0] in NAME_ARTICLES or candidate.locative > evidence:
        return "place"  # "El Salvador", "in Latin America"
    particles = CONNECTORS - {"and", "of", "on", "for", "the"}
    words = candidate.words
    if (
        len(key) <= 5
        and all(w not in CONNECTORS or w in particles for w in key[1:])
        and not any(is_common(w) for w in words)
        and not any(is_demonym_of(words[-1], single) for single in singles)
    ):
        return "person"
    return "organization" if evidence == 0 else "person"


def _merge_demonyms(pool: dict[Key, Candidate]) -> None:
    """Demonyms ("Mexican", "Mexicans") become aliases of their place ("Mexico")."""
    singles = [c for c in pool.values() if len(c.key) == 1 and not c.acronym]
    for word in singles:
        places = [p for p in singles if p is not word and is_demonym_of(word.text, p.text)]
        if len(places) == 1 and word.key in pool:
            place = places[0]
            place.absorb(word)
            place.kind = "place"
            del pool[word.key]
    for name in [c for c in pool.values() if len(c.key) > 1]:
        for place in singles:  # "Ecuadorean Foreign Ministry": Ecuador is a place
            if place.key in pool and is_demonym_of(name.words[0], place.text):
                place.kind = "place"


def _merge_misspellings(pool: dict[Key, Candidate]) -> None:
    """ "Gabriela Sommerfield" joins "Gabriela Sommerfeld": one edit in a long name."""
    people = sorted(
        (c for c in pool.values() if c.kind == "person" and len(c.key) > 1),
        key=lambda c: (-c.mentions, c.text),
    )
    for index, rare in reversed(list(enumerate(people))):
        text = " ".join(rare.key)
        if len(text) < 10 or rare.key not in pool:
            continue
        for common in people[:index]:
            other = " ".join(common.key)
            if (
                common.key in pool
                and len(common.key) == len(rare.key)
                and all(a[0] == b[0] for a, b in zip(common.key, rare.key, strict=True))
                and Levenshtein.distance(text, other, score_cutoff=1) <= 1
            ):
                common.absorb(rare)
                del pool[rare.key]
                break


def _places_by_company(pool: dict[Key, Candidate]) -> None:
    """A name of unknown kind listed with places is a place: "Spain, Venezuela, Peru"."""
    for _round in range(3):
        places = {c.key for c in pool.values() if c.kind == "place"}
        for candidate in pool.values():
            for alias in candidate.aliases if candidate.kind == "place" else ():
                places.add(key_of(alias.split()))
        changed = False
        for candidate in pool.values():
            if candidate.kind == "keyword" and places.intersection(candidate.neighbours):
                candidate.kind = "place"
                changed = True
        if not changed:
            return


def _merge_parts(pool: dict[Key, Candidate]) -> None:
    """A surname, or a short form of a treaty or body, joins the one full name it belongs to."""
    for short in sorted(pool.values(), key=lambda c: len(c.key)):
        if short.acronym or (short.kind == "place" and short.locative > short.mentions // 4):
            continue
        homes = [c for c in pool.values() if len(c.key) > len(short.key) and _part_of(short, c)]
        if len(homes) == 1:
            homes[0].absorb(short)
            del pool[short.key]


def _merge_surnames(
    pool: dict[Key, Candidate], rest: list[Candidate], is_common: Callable[[str], bool]
) -> None:
    """A surname seen only at sentence starts ("Correa has been…") joins its one person."""
    people = [c for c in pool.values() if c.kind == "person" and len(c.key) > 1]
    for single in rest:
        if len(single.key) != 1 or single.acronym or is_common(single.text):
            continue
        homes = [p for p in people if p.key[-1] == single.key[0]]
        if len(homes) == 1:
            homes[0].absorb(single)


def _part_of(short: Candidate, full: Candidate) -> bool:
    n, key = len(short.key), full.key
    if full.kind == "person":
        return key[-n:] == short.key and short.kind in ("person", "keyword", "place")
    if n < 2 or full.kind not in ("treaty", "organization"):
        return False
    if key[:n] == short.key and key[n] in CONNECTORS:
        return True  # "Caracas Convention" of "Caracas Convention on Diplomatic Asylum"
    return key[-n:] == short.key and key[-n - 1] not in CONNECTORS


def _link_acronyms(pool: dict[Key, Candidate]) -> None:
    """Give each acronym its expansions: written out before "(ICE)", or spelled by initials.

    The best comes first: initials that spell the acronym exactly, then how often it was
    written out, then how often it is mentioned ("ICE" may stand for two bodies).
    """
    names = [c for c in pool.values() if not c.acronym and len(c.key) > 1]
    for acronym in [c for c in pool.values() if c.acronym]:
        letters = acronym.text.replace("-", "").upper()
        found = {key: pool[key] for key in acronym.expansions if key in pool}
        found.update({c.key: c for c in names if initials(c.words) == letters})
        ranked = sorted(
            found.values(),
            key=lambda c: (
                initials(c.words) != letters,
                -acronym.expansions[c.key],
                -c.mentions,
                c.text,
            ),
        )
        acronym.expansions_shown = [c.text for c in ranked]
        for expansion in ranked:
            if expansion.kind in ("person", "keyword"):
                expansion.kind = "organization"
        if ranked:
            acronym.expansion = ranked[0].text


def _worth_keeping(candidate: Candidate) -> bool:
    if candidate.acronym:
        return candidate.mentions >= 2 or bool(candidate.expansion)
    if len(candidate.key) == 1:
        return candidate.mentions >= 2 or candidate.linked or candidate.titled > 0
    return True


def _score(candidate: Candidate, documents: int, pool: dict[Key, Candidate]) -> float:
    mentions = candidate.mentions
    if candidate.expansion:
        expansion = pool.get(key_of(candidate.expansion.split()))
        mentions += expansion.mentions if expansion is not None else 0
    spread = 1.0 + (len(candidate.documents) - 1) / max(1, documents - 1)
    length = 1.15 if len(candidate.key) > 1 else 1.0
    linked = 1.1 if candidate.linked else 1.0
    weight = KIND_WEIGHTS.get(candidate.kind, 1.0)
    return math.log(1.0 + mentions) * spread * length * linked * weight


def aliases_of(candidate: Candidate) -> tuple[list[str], list[str]]:
    """(other names worth matching, spellings that differ only in accents or case)."""
    real: list[str] = []
    variants: list[str] = []
    seen = {key_of(candidate.text.split())}
    for spelling, _count in candidate.aliases.most_common():
        key = key_of(spelling.split())
        if key not in seen:
            seen.add(key)
            real.append(spelling)
        elif spelling != candidate.text and spelling not in variants:
            variants.append(spelling)
    for spelling in candidate.spellings:
        if spelling != candidate.text and spelling not in variants:
            variants.append(spelling)
    return real, variants
