"""Rule evaluation: from the term hits of one watchlist to a match, with reasons.

Pure. ``evaluate_rule`` says whether a rule holds and, if not, which condition failed;
``decide`` adds up the evidence of the rules that held into the story's score.

How evidence is weighed (a rule's score is its ``weight`` times the mean similarity of
its groups, times these factors; the story's score combines every rule that held as
1 - (1 - s1)(1 - s2)..., so two independent pieces of evidence count more than one):

| factor | value | why |
|---|---|---|
| ``SUMMARY_WEIGHT`` | 0.85 | a rule with every hit in the summary: the headline says the topic |
| ``CLOSE_WORDS`` | 6 | sentence-scoped pairs this close (or closer) count fully |
| ``FAR_WORDS`` | 30 | ... and this far apart count ``FAR_WEIGHT`` |
| ``FAR_WEIGHT`` | 0.7 | the weakest a pair in one sentence counts |
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from watchlists.hits import Match, RuleOutcome, TermHit
from watchlists.model import Near, Rule, Watchlist

SUMMARY_WEIGHT = 0.85
CLOSE_WORDS = 6
FAR_WORDS = 30
FAR_WEIGHT = 0.7


def proximity_weight(gap: int) -> float:
    """How much a sentence-scoped pair ``gap`` words apart counts (1.0 down to FAR_WEIGHT)."""
    if gap <= CLOSE_WORDS:
        return 1.0
    if gap >= FAR_WORDS:
        return FAR_WEIGHT
    return 1.0 - (1.0 - FAR_WEIGHT) * (gap - CLOSE_WORDS) / (FAR_WORDS - CLOSE_WORDS)


def gap_between(a: TermHit, b: TermHit) -> int:
    """Words between two hits of one field (0 when they touch or overlap)."""
    return max(b.word - (a.word + a.words), a.word - (b.word + b.words), 0)


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
    proximity = 1.0
    for pair in rule.near:
        found = near_pair(scoped.get(pair.left, []), scoped.get(pair.right, []), pair)
        if found is None:
            return fail(f"no {pair}")
        if pair.in_sentence:
            proximity = min(proximity, proximity_weight(gap_between(*found)))
    groups = [name for name in rule.positive_groups if scoped.get(name)]
    if not groups:
        return fail("nothing found")
    hits = tuple(hit for name in groups for hit in scoped[name])
    best = [max(h.similarity for h in scoped[name]) for name in groups]
    field = 1.0 if any(hit.field == "title" for hit in hits) else SUMMARY_WEIGHT
    score = rule.weight * sum(best) / len(best) * field * proximity
    return RuleOutcome(rule.name, True, score, "", hits)


def combined_score(outcomes: Sequence[RuleOutcome]) -> float:
    """The evidence of every rule that held, added up: 1 - (1 - s1)(1 - s2)..."""
    missing = 1.0
    for outcome in outcomes:
        if outcome.held:
            missing *= 1.0 - min(max(outcome.score, 0.0), 1.0)
    return 1.0 - missing


def decide(watchlist: Watchlist, outcomes: Sequence[RuleOutcome]) -> Match | None:
    """The match, named after its strongest rule, if the combined score reaches ``min_score``."""
    held = [o for o in outcomes if o.held]
    if not held:
        return None
    best = max(held, key=lambda o: o.score)
    score = combined_score(held)
    if score < watchlist.min_score:
        return None
    hits = sorted(best.hits, key=lambda h: (h.field != "title", h.start, h.group))
    return Match(watchlist.name, score, watchlist.priority, tuple(hits), best.rule)


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
        """The nearest hit within ``pair.distance`` words of ``a`` (or in its sentence, when
        the pair has no distance) in its field, in the right order."""
        if pair.scope != "any" and a.field != pair.scope:
            return None
        candidates = self._by_field.get(a.field)
        if not candidates:
            return None
        if pair.distance is None:
            window = candidates
        else:
            words = self._starts[a.field]
            low = bisect_left(words, a.word - pair.distance - self._longest + 1)
            high = bisect_right(words, a.word + a.words + pair.distance - 1)
            window = candidates[low:high]
        best: TermHit | None = None
        best_gap = 0
        for b in window:
            if a is b:
                continue
            if pair.operator == "BEFORE" and b.word < a.word + a.words:
                continue
            if pair.operator == "AFTER" and a.word < b.word + b.words:
                continue
            if pair.distance is None and b.sentence != a.sentence:
                continue
            gap = gap_between(a, b)
            if pair.distance is not None and gap >= pair.distance:
                continue
            if best is None or gap < best_gap:
                best, best_gap = b, gap
        return best


def near_pair(left: list[TermHit], right: list[TermHit], pair: Near) -> list[TermHit] | None:
    """Hits of ``left`` and ``right`` in one field at most ``pair.distance`` apart (the first
    such pair), or in one sentence (the closest such pair) when the pair has no distance.

    Adjacent words are 1 apart; ``pair.scope`` can limit the search to one field, and
    BEFORE needs the left hit to end before the right one starts, AFTER the reverse.
    """
    if not left or not right:
        return None
    positions = Positions(right)
    best: list[TermHit] | None = None
    for a in left:
        b = positions.partner(a, pair)
        if b is not None and (best is None or gap_between(a, b) < gap_between(*best)):
            best = [a, b]
            if not pair.in_sentence:
                return best
    return best


def far_from(left: list[TermHit], right: list[TermHit], pair: Near) -> list[TermHit]:
    """The hits of ``left`` that have no hit of ``right`` near them (for ``unless``)."""
    if not left or not right:
        return left
    positions = Positions(right)
    return [a for a in left if positions.partner(a, pair) is None]


def _where(rule: Rule) -> str:
    return "" if rule.scope == "any" else f" in the {rule.scope}"
