"""The matcher: compile watchlists once into one shared index, then match stories fast.

Pure. ``compile_watchlists(...)`` returns a ``Matcher``; ``Matcher.match`` returns
``Match`` values whose ``TermHit`` spans point into the original title or summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from watchlists.index import Pattern, RawHit, TermIndex, compile_pattern
from watchlists.model import Rule, Term, Watchlist
from watchlists.normalize import Words, split_words
from watchlists.stemming import guess_language, language_code

FieldName = Literal["title", "summary"]
FIELDS: tuple[FieldName, FieldName] = ("title", "summary")
IGNORE = -1
"""Group number of a watchlist's ``ignore`` terms."""


@dataclass(frozen=True, slots=True)
class TermHit:
    """One term found in a story; ``start``/``end`` index the original field text."""

    term: str
    group: str
    field: FieldName
    start: int
    end: int
    text: str
    similarity: float
    word: int = 0
    words: int = 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the internal word positions)."""
        return {
            "term": self.term,
            "group": self.group,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "similarity": round(self.similarity, 3),
        }


@dataclass(frozen=True, slots=True)
class Match:
    """A story belongs to ``watchlist``: its score, alert priority and the hits why."""

    watchlist: str
    score: float
    priority: str
    hits: tuple[TermHit, ...]
    rule: str = ""

    @property
    def terms(self) -> tuple[str, ...]:
        """Distinct matched term texts, in order of first appearance."""
        return tuple(dict.fromkeys(hit.term for hit in self.hits))

    def to_dict(self) -> dict[str, Any]:
        """``{"watchlist", "score", "terms"}`` plus the rule and the hits with spans."""
        return {
            "watchlist": self.watchlist,
            "score": round(self.score, 3),
            "terms": list(self.terms),
            "priority": self.priority,
            "rule": self.rule,
            "hits": [hit.to_dict() for hit in self.hits],
        }

    def explain(self) -> str:
        """A few human-readable lines saying which rule fired on which words."""
        lines = [f"{self.watchlist}: score {self.score:.2f} by rule {self.rule!r}"]
        for hit in self.hits:
            how = "exact" if hit.similarity >= 1.0 else f"similarity {hit.similarity:.2f}"
            lines.append(
                f"  {hit.group}: {hit.term!r} matched {hit.text!r} in {hit.field}"
                f" [{hit.start}:{hit.end}] ({how})"
            )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Owner:
    watchlist: int
    group: int
    term: Term


class Matcher:
    """Compiled watchlists. Build with ``compile_watchlists``; ``match`` is thread-compatible."""

    def __init__(self, watchlists: Sequence[Watchlist]) -> None:
        self.watchlists: tuple[Watchlist, ...] = tuple(watchlists)
        keys: dict[Pattern, int] = {}
        owners: list[list[_Owner]] = []
        for w_index, watchlist in enumerate(self.watchlists):
            for g_index, group in enumerate(watchlist.groups):
                for term in group.terms:
                    _register(term, _Owner(w_index, g_index, term), keys, owners)
            for term in watchlist.ignore:
                _register(term, _Owner(w_index, IGNORE, term), keys, owners)
        self._owners: tuple[tuple[_Owner, ...], ...] = tuple(tuple(o) for o in owners)
        self.index = TermIndex(list(keys))

    @property
    def pattern_count(self) -> int:
        """Number of distinct compiled spellings."""
        return len(self.index.patterns)

    def match(self, title: str, summary: str, language: str | None = None) -> list[Match]:
        """Return the watchlists this story belongs to, best score first."""
        fields = (split_words(title or ""), split_words(summary or ""))
        lang = language_code(language)
        if lang is None:
            lang = guess_language(fields[0].norms + fields[1].norms)
        found: dict[int, list[tuple[int, TermHit]]] = {}
        masks: dict[tuple[int, int], set[int]] = {}
        for f_index, words in enumerate(fields):
            for raw in self.index.scan(words, lang):
                self._collect(raw, f_index, words, found, masks)
        matches = []
        for w_index, entries in found.items():
            result = _evaluate(self.watchlists[w_index], w_index, entries, masks)
            if result is not None:
                matches.append(result)
        matches.sort(key=lambda m: (-m.score, m.watchlist))
        return matches

    def _collect(
        self,
        raw: RawHit,
        f_index: int,
        words: Words,
        found: dict[int, list[tuple[int, TermHit]]],
        masks: dict[tuple[int, int], set[int]],
    ) -> None:
        start = words.span(raw.first)[0]
        end = words.span(raw.first + raw.count - 1)[1]
        text = words.text
        for owner in self._owners[raw.pattern]:
            if owner.group == IGNORE:
                span = range(raw.first, raw.first + raw.count)
                masks.setdefault((owner.watchlist, f_index), set()).update(span)
                continue
            group = self.watchlists[owner.watchlist].groups[owner.group].name
            hit = TermHit(
                term=owner.term.text,
                group=group,
                field=FIELDS[f_index],
                start=start,
                end=end,
                text=text[start:end],
                similarity=raw.similarity,
                word=raw.first,
                words=raw.count,
            )
            found.setdefault(owner.watchlist, []).append((f_index, hit))


def compile_watchlists(watchlists: Sequence[Watchlist]) -> Matcher:
    """Compile ``watchlists`` into one index shared by every story."""
    return Matcher(watchlists)


def _register(
    term: Term, owner: _Owner, keys: dict[Pattern, int], owners: list[list[_Owner]]
) -> None:
    seen: set[Pattern] = set()
    for variant in term.variants:
        pattern = compile_pattern(term, variant)
        if pattern is None or pattern in seen:
            continue
        seen.add(pattern)
        pid = keys.get(pattern)
        if pid is None:
            pid = keys[pattern] = len(owners)
            owners.append([])
        owners[pid].append(owner)


def _evaluate(
    watchlist: Watchlist,
    w_index: int,
    entries: list[tuple[int, TermHit]],
    masks: dict[tuple[int, int], set[int]],
) -> Match | None:
    unique: dict[tuple[str, str, str, int, int], TermHit] = {}
    for f_index, hit in entries:
        mask = masks.get((w_index, f_index))
        if mask and any(w in mask for w in range(hit.word, hit.word + hit.words)):
            continue
        key = (hit.group, hit.term, hit.field, hit.word, hit.words)
        seen = unique.get(key)
        if seen is None or hit.similarity > seen.similarity:
            unique[key] = hit
    by_group: dict[str, list[TermHit]] = {}
    for hit in unique.values():
        by_group.setdefault(hit.group, []).append(hit)
    if not by_group:
        return None
    best: tuple[float, Rule, list[TermHit]] | None = None
    for rule in watchlist.rules:
        outcome = _apply(rule, by_group)
        if outcome is None:
            continue
        score, hits = outcome
        if best is None or score > best[0]:
            best = (score, rule, hits)
    if best is None or best[0] < watchlist.min_score:
        return None
    score, rule, hits = best
    hits.sort(key=lambda h: (h.field != "title", h.start, h.group))
    return Match(watchlist.name, score, watchlist.priority, tuple(hits), rule.name)


def _apply(rule: Rule, by_group: dict[str, list[TermHit]]) -> tuple[float, list[TermHit]] | None:
    if any(by_group.get(name) for name in rule.none_of):
        return None
    scoped = by_group
    if rule.scope != "any":
        scoped = {
            name: kept
            for name, hits in by_group.items()
            if (kept := [h for h in hits if h.field == rule.scope])
        }
    for pair in rule.unless:
        blockers = scoped.get(pair.right, [])
        kept = [h for h in scoped.get(pair.left, []) if not _near([h], blockers, pair.distance)]
        scoped = {**scoped, pair.left: kept}
    if rule.any_of and not any(scoped.get(name) for name in rule.any_of):
        return None
    if not all(scoped.get(name) for name in rule.all_of):
        return None
    near_hits: list[TermHit] = []
    for pair in rule.near:
        pair_hits = _near(
            scoped.get(pair.left, []), scoped.get(pair.right, []), pair.distance, pair.scope
        )
        if pair_hits is None:
            return None
        near_hits.extend(pair_hits)
    groups = [name for name in rule.positive_groups if scoped.get(name)]
    if not groups:
        return None
    hits = [hit for name in groups for hit in scoped[name]]
    best = [max(h.similarity for h in scoped[name]) for name in groups]
    return rule.weight * sum(best) / len(best), hits


def _near(
    left: list[TermHit], right: list[TermHit], distance: int, scope: str = "any"
) -> list[TermHit] | None:
    """The first pair of hits in one field at most ``distance`` words apart."""
    for a in left:
        if scope != "any" and a.field != scope:
            continue
        for b in right:
            if a.field != b.field:
                continue
            gap = max(b.word - (a.word + a.words), a.word - (b.word + b.words), 0)
            if gap < distance and a is not b:
                return [a, b]
    return None
