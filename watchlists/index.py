"""The shared term index: every variant of every term, compiled once, looked up per token.

Pure. Candidates come from dictionaries (exact words, stems, one-deletion keys) and an
Aho-Corasick automaton for in-word terms; rapidfuzz confirms fuzzy candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick
from rapidfuzz.distance import OSA

from watchlists.lemmas import FormTable, packaged_table
from watchlists.model import NAME_KINDS, Term
from watchlists.normalize import Words, tokenize
from watchlists.stemming import StemmerCache

DOTTED = re.compile(r"^(?:[^\W\d_]{1,2}\.){2,}$")
"""A dotted abbreviation such as "U.S." or "EE.UU."."""
FUZZY_MIN_LETTERS = 8
"""Single words shorter than this are never fuzzy ("Glas" is not "glass")."""
FUZZY_TWO_EDITS_LETTERS = 15
"""Patterns this long (letters, without spaces) may differ by two edits."""
STEM_HEAD = 4
"""A word is stemmed only if it begins like some pattern's stem (its first 4 letters,
or all of a shorter stem): stemming is the slowest step for a word never seen before."""
WORD_CACHE_LIMIT = 300_000
"""Words remembered with their candidate patterns, all languages together; when the
budget is spent every language's memory is emptied (bounded memory for a daemon)."""
MIN_STEM = 4
"""Shorter stems only join words of similar length ("redadas", but not "red")."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled spelling: folded words plus how they may differ in a story."""

    words: tuple[str, ...]
    cased: tuple[str, ...]
    case_sensitive: bool
    stems: bool
    max_edits: int
    whole_word: bool

    @property
    def letters(self) -> int:
        """Number of letters, spaces excluded."""
        return sum(len(word) for word in self.words)


@dataclass(frozen=True, slots=True)
class RawHit:
    """A confirmed pattern occurrence: words ``first``..``first+count-1`` of a field."""

    pattern: int
    first: int
    count: int
    similarity: float


def auto_edits(words: Sequence[str]) -> int:
    """Edits allowed for a name by its length: 0 below 8 letters, 1 below 15, else 2."""
    letters = sum(len(word) for word in words)
    if letters < FUZZY_MIN_LETTERS:
        return 0
    return 1 if letters < FUZZY_TWO_EDITS_LETTERS else 2


def word_edit_limit(word: str) -> int:
    """Edits one word may take inside a fuzzy pattern: none below 4 letters."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 10 else 2


def compile_pattern(term: Term, variant: str) -> Pattern | None:
    """Compile one spelling of ``term``; None when it has no words."""
    tokens = tokenize(variant)
    if not tokens:
        return None
    words = tuple(token.norm for token in tokens)
    if term.fuzzy is None:
        edits = auto_edits(words) if term.kind in NAME_KINDS and not term.case_sensitive else 0
    else:
        edits = term.fuzzy
    if len(words) == 1 and len(words[0]) < FUZZY_MIN_LETTERS:
        edits = 0
    # A dotted abbreviation ("U.S.") is written in capitals; matching it in any case
    # would find the word "us".
    dotted = len(tokens) == 1 and bool(DOTTED.match(variant.strip()))
    return Pattern(
        words=words,
        cased=tuple(token.cased for token in tokens),
        case_sensitive=term.case_sensitive or dotted,
        stems=term.stems and not dotted,
        max_edits=0 if dotted else edits,
        whole_word=term.whole_word,
    )


def anchor_position(words: Sequence[str]) -> int:
    """The word a phrase is looked up by: its longest (rarest) word, the last on ties."""
    return max(range(len(words)), key=lambda k: (len(words[k]), k))


def deletions(word: str) -> list[str]:
    """``word`` and every string made by deleting one character of it."""
    return [word] + [word[:i] + word[i + 1 :] for i in range(len(word))]


class WordMemory:
    """What the index learned about words of one language: their candidates, or none."""

    __slots__ = ("candidates", "known", "misses")

    def __init__(self) -> None:
        self.candidates: dict[str, tuple[tuple[int, int], ...]] = {}
        self.known: set[str] = set()
        self.misses: set[str] = set()

    def clear(self) -> None:
        """Forget everything (the memory budget was spent)."""
        self.candidates.clear()
        self.known.clear()
        self.misses.clear()


class TermIndex:
    """All patterns of all watchlists, with the lookup tables built from them."""

    def __init__(self, patterns: Sequence[Pattern], forms: FormTable | None = None) -> None:
        self.patterns: tuple[Pattern, ...] = tuple(patterns)
        self._forms: FormTable = packaged_table() if forms is None else forms
        self._form_tables: dict[str, dict[str, list[tuple[int, int]]]] = {}
        self._pattern_forms: dict[str, dict[int, tuple[frozenset[str], ...]]] = {}
        self._exact: dict[str, list[tuple[int, int]]] = {}
        self._deletion: dict[str, list[int]] = {}
        self._stemmed: list[int] = []
        self._stem_tables: dict[str, dict[str, list[tuple[int, int]]]] = {}
        self._pattern_stems: dict[str, dict[int, tuple[str, ...]]] = {}
        self._stem_heads: dict[str, set[str]] = {}
        self._stemmer = StemmerCache()
        self._memory: dict[str, WordMemory] = {}
        self._cached_words = 0
        self._partial = ahocorasick.Automaton()
        self._has_partial = False
        for pid, pattern in enumerate(self.patterns):
            self._add(pid, pattern)
        if self._has_partial:
            self._partial.make_automaton()
        self.min_fuzzy_word = min(
            (len(p.words[0]) - 1 for p in self.patterns if p.max_edits and len(p.words) == 1),
            default=10**6,
        )

    def _add(self, pid: int, pattern: Pattern) -> None:
        if not pattern.whole_word and len(pattern.words) == 1:
            self._partial.add_word(pattern.words[0], pid)
            self._has_partial = True
            return
        if pattern.stems:
            # Looked up by the stem of its anchor word in the story's language, and by the
            # written word itself (a short stem such as "red" from "redada" is not looked up).
            self._stemmed.append(pid)
            anchor = anchor_position(pattern.words)
            self._exact.setdefault(pattern.words[anchor], []).append((pid, anchor))
            return
        if not pattern.max_edits:
            anchor = anchor_position(pattern.words)
            self._exact.setdefault(pattern.words[anchor], []).append((pid, anchor))
            return
        if len(pattern.words) == 1:
            for key in deletions(pattern.words[0]):
                self._deletion.setdefault(key, []).append(pid)
            return
        # Each edit changes one word, so one of the max_edits + 1 longest words is intact;
        # short words ("de", "of") are too common to look up, so one long word must be.
        order = sorted(range(len(pattern.words)), key=lambda k: -len(pattern.words[k]))
        anchors = [k for k in order if len(pattern.words[k]) >= 4] or order[:1]
        for position in anchors[: pattern.max_edits + 1]:
            self._exact.setdefault(pattern.words[position], []).append((pid, position))

    def _stem_table(self, lang: str) -> dict[str, list[tuple[int, int]]]:
        table = self._stem_tables.get(lang)
        if table is not None:
            return table
        table = {}
        stems: dict[int, tuple[str, ...]] = {}
        lemma_forms = self._forms.get(lang, {})
        form_table: dict[str, list[tuple[int, int]]] = {}
        pattern_forms: dict[int, tuple[frozenset[str], ...]] = {}
        for pid in self._stemmed:
            words = self.patterns[pid].words
            stems[pid] = tuple(self._stemmer.stem(lang, word) for word in words)
            anchor = anchor_position(words)
            table.setdefault(stems[pid][anchor], []).append((pid, anchor))
            per_word = tuple(lemma_forms.get(word, frozenset()) for word in words)
            if any(per_word):
                pattern_forms[pid] = per_word
                for form in per_word[anchor] - {words[anchor]}:
                    form_table.setdefault(form, []).append((pid, anchor))
        # Published last: another thread that sees the table also sees stems and heads.
        self._form_tables[lang] = form_table
        self._pattern_forms[lang] = pattern_forms
        self._pattern_stems[lang] = stems
        self._stem_heads[lang] = {stem[:STEM_HEAD] for stem in table}
        self._stem_tables[lang] = table
        return table

    def _candidates(self, norm: str, lang: str) -> tuple[tuple[int, int], ...]:
        """Patterns that may start (or, for fuzzy phrases, contain) the word ``norm``."""
        found: list[tuple[int, int]] = list(self._exact.get(norm, ()))
        if self._stemmed:
            table = self._stem_table(lang)
            heads = self._stem_heads[lang]
            if norm[:STEM_HEAD] in heads or norm[:3] in heads or norm[:2] in heads:
                found.extend(table.get(self._stemmer.stem(lang, norm), ()))
            found.extend(self._form_tables[lang].get(norm, ()))
        if self._deletion and len(norm) >= self.min_fuzzy_word:
            deletion = self._deletion
            for key in deletions(norm):
                found.extend((pid, 0) for pid in deletion.get(key, ()))
        return tuple(dict.fromkeys(found))

    def scan(self, words: Words, lang: str) -> list[RawHit]:
        """Find every confirmed pattern occurrence in one field's words."""
        memory = self._memory.get(lang)
        if memory is None:
            memory = self._memory[lang] = WordMemory()
        cache, known, misses = memory.candidates, memory.known, memory.misses
        norms = words.norms
        present = set(norms)
        unseen = present - misses - known
        if unseen:
            self._cached_words += len(unseen)
            if self._cached_words >= WORD_CACHE_LIMIT:
                self._memory = {lang: memory}
                memory.clear()
                self._cached_words = len(unseen)
            for norm in unseen:
                found = self._candidates(norm, lang)
                if found:
                    cache[norm] = found
                    known.add(norm)
                else:
                    misses.add(norm)
        hits = []
        if not present.isdisjoint(known):
            candidates: list[tuple[int, int]] = []
            for i, norm in enumerate(norms):
                starts = cache.get(norm)
                if starts:
                    candidates.extend((pid, i - position) for pid, position in starts)
            for pid, first in dict.fromkeys(candidates):
                similarity = self._verify(pid, words, first, lang)
                if similarity is not None:
                    hits.append(RawHit(pid, first, len(self.patterns[pid].words), similarity))
        if self._has_partial:
            hits.extend(self._scan_partial(words))
        return hits

    def _scan_partial(self, words: Words) -> list[RawHit]:
        hits = []
        for i, norm in enumerate(words.norms):
            seen = set()
            for _end, pid in self._partial.iter(norm):
                if pid in seen:
                    continue
                seen.add(pid)
                pattern = self.patterns[pid]
                if pattern.case_sensitive and pattern.cased[0] not in words.cased(i):
                    continue
                hits.append(RawHit(pid, i, 1, 1.0))
        return hits

    def _verify(self, pid: int, words: Words, first: int, lang: str) -> float | None:
        pattern = self.patterns[pid]
        count = len(pattern.words)
        norms = words.norms
        if first < 0 or first + count > len(norms):
            return None
        edits = 0
        pattern_stems = self._pattern_stems[lang].get(pid) if pattern.stems else None
        pattern_forms = self._pattern_forms[lang].get(pid) if pattern.stems else None
        for k in range(count):
            norm = norms[first + k]
            word = pattern.words[k]
            if pattern.case_sensitive:
                if norm != word or words.cased(first + k) != pattern.cased[k]:
                    return None
                continue
            if norm == word:
                continue
            if pattern_stems is not None:
                stem = self._stemmer.stem(lang, norm)
                if stem == pattern_stems[k] and _stem_is_safe(stem, word, norm):
                    continue
            if pattern_forms is not None and norm in pattern_forms[k]:
                continue
            limit = min(word_edit_limit(word), pattern.max_edits - edits)
            if limit <= 0 or norm[0] != word[0]:
                return None
            distance = OSA.distance(norm, word, score_cutoff=limit)
            if distance > limit:
                return None
            edits += distance
        if edits == 0:
            return 1.0
        return 1.0 - edits / max(pattern.letters, 1)


def _stem_is_safe(stem: str, word: str, other: str) -> bool:
    """Whether two words sharing ``stem`` are really forms of one word.

    A short stem only joins words of similar length ("redada"/"redadas", not "red").
    """
    return len(stem) >= MIN_STEM or abs(len(word) - len(other)) <= 2
