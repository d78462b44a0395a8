"""Rule evaluation: from the term hits of one watchlist to a match, with reasons.

Pure. ``evaluate_rule`` says whether a rule holds and, if not, which condition failed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from watchlists.hits import Match, RuleOutcome, TermHit
from watchlists.model import Near, Rule, Watchlist


def best_hits(hits: Iterable[TermHit]) -> dict[str, list[TermHit]]:
    """Hits grouped by group name, one per term and position (the most similar)."""
    unique: dict[tuple[str, str, str, int, int], TermHit] = {}
    for hit in hits:
        key = (hit.group, hit.term, hit.field, hit.word, hit.words)
        seen = unique.get(key)
        if seen is None or hit.similarity > seen.similarity:
            unique[key] = hit
    by_group: dict[str, list[TermHit]] = {}
    for hit in unique.values():
        by_group.setdefault(hit.group, []).append(hit)
    return by_group


def evaluate_rule(rule: Rule, by_group: dict[str, list[TermHit]]) -> RuleOutcome:
    """Whether ``rule`` holds on these hits, its score, and otherwise the first reason not."""

    def fail(reason: str) -> RuleOutcome:
        return RuleOutcome(rule.name, False, 0.0, reason)

    blocked = [name for name in rule.none_of if by_group.get(name)]
    if blocked:
        return fail(f"excluded by group {blocked[0]!r} (none_of)")
    scoped = by_group
    if rule.scope != "any":
        scoped = {
            name: kept
            for name, hits in by_group.items()
            if (kept := [h for h in hits if h.field == rule.scope])
        }
    for pair in rule.unless:
        kept = far_from(scoped.get(pair.left, []), scoped.get(pair.right, []), pair)
        scoped = {**scoped, pair.left: kept}
    if rule.any_of and not any(scoped.get(name) for name in rule.any_of):
        return fail(f"none of {', '.join(rule.any_of)} found{_where(rule)}")
    missing = [name for name in rule.all_of if not scoped.get(name)]
    if missing:
        return fail(f"group {missing[0]!r} not found{_where(rule)}")
    for pair in rule.near:
        if near_pair(scoped.get(pair.left, []), scoped.get(pair.right, []), pair) is None:
            return fail(f"no {pair}")
    groups = [name for name in rule.positive_groups if scoped.get(name)]
    if not groups:
        return fail("nothing found")
    hits = tuple(hit for name in groups for hit in scoped[name])
    best = [max(h.similarity for h in scoped[name]) for name in groups]
    return RuleOutcome(rule.name, True, rule.weight * sum(best) / len(best), "", hits)


def decide(watchlist: Watchlist, outcomes: Sequence[RuleOutcome]) -> Match | None:
    """The match from the best rule that held, if its score reaches ``min_score``."""
    held = [o for o in outcomes if o.held]
    if not held:
        return None
    best = max(held, key=lambda o: o.score)
    if best.score < watchlist.min_score:
        return None
    hits = sorted(best.hits, key=lambda h: (h.field != "title", h.start, h.group))
    return Match(watchlist.name, best.score, watchlist.priority, tuple(hits), best.rule)


class Positions:
    """Hits of one group sorted by position in each field, to find a near partner fast."""

    def __init__(self, hits: list[TermHit]) -> None:
        self._by_field: dict[str, list[TermHit]] = {}
        for hit in hits:
            self._by_field.setdefault(hit.field, []).append(hit)
        self._starts: dict[str, list[int]] = {}
        for field_name, ordered in self._by_field.items():
            ordered.sort(key=lambda h: h.word)
            self._starts[field_name] = [h.word for h in ordered]
        self._longest = max((h.words for h in hits), default=1)

    def partner(self, a: TermHit, pair: Near) -> TermHit | None:
        """A hit at most ``pair.distance`` words from ``a`` in its field, in the right order."""
        if pair.scope != "any" and a.field != pair.scope:
            return None
        candidates = self._by_field.get(a.field)
        if not candidates:
            return None
        words = self._starts[a.field]
        low = bisect_left(words, a.word - pair.distance - self._longest + 1)
        high = bisect_right(words, a.word + a.words + pair.distance - 1)
        for b in candidates[low:high]:
            if a is b:
                continue
            if pair.operator == "BEFORE" and b.word < a.word + a.words:
                continue
            if pair.operator == "AFTER" and a.word < b.word + b.words:
                continue
            gap = max(b.word - (a.word + a.words), a.word - (b.word + b.words), 0)
            if gap < pair.distance:
                return b
        return None


def near_pair(left: list[TermHit], right: list[TermHit], pair: Near) -> list[TermHit] | None:
    """The first hits of ``left`` and ``right`` in one field at most ``pair.distance`` apart.

    Adjacent words are 1 apart; ``pair.scope`` can limit the search to one field, and
    BEFORE needs the left hit to end before the right one starts, AFTER the reverse.
    """
    if not left or not right:
        return None
    positions = Positions(right)
    for a in left:
        b = positions.partner(a, pair)
        if b is not None:
            return [a, b]
    return None


def far_from(left: list[TermHit], right: list[TermHit], pair: Near) -> list[TermHit]:
    """The hits of ``left`` that have no hit of ``right`` near them (for ``unless``)."""
    if not left or not right:
        return left
    positions = Positions(right)
    return [a for a in left if positions.partner(a, pair) is None]


def _where(rule: Rule) -> str:
    return "" if rule.scope == "any" else f" in the {rule.scope}"
