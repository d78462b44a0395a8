"""Near misses: stories that carry a watchlist's concepts but did not match, closest first.

Pure: takes a compiled ``Matcher``, a watchlist name and story texts, returns ranked
``NearMiss`` values built from ``Matcher.diagnose``. The CLI's ``backtest --near-misses``
shows them; a watchlist editor reads them to find what a watchlist misses in real news.

How close a story came is the share of a rule's conditions that hold on its hits:

| condition | counts as held when |
|---|---|
| ``any_of`` | one of its groups was found (where the rule looks: title, summary, any) |
| each ``all_of`` group | that group was found |
| each ``near`` pair | three: its left group, its right group (in its field), and being close |
| ``none_of`` | none of its groups was found |
| the score (a rule that held) | the score's share of ``min_score`` |

A story is a near miss when it did not match and either its hits come from at least
two of the watchlist's groups, or some rule is short of one condition only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from watchlists.errors import UnknownWatchlistError
from watchlists.hits import Diagnosis, RuleOutcome, TermHit
from watchlists.matcher import Matcher
from watchlists.model import Rule, Watchlist

MIN_GROUPS = 2
"""Hits of this many distinct groups make a story a near miss, whatever the rules say."""


@dataclass(frozen=True, slots=True)
class StoryText:
    """One story to audit: a key the caller knows it by, its title, summary and language."""

    key: str
    title: str
    summary: str = ""
    language: str | None = None


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A story that did not match: how close it came, by which rule, and why it fell short.

    ``closeness`` is the share of the closest rule's conditions that held (0 to 1, never 1);
    ``missing`` is how many of them did not; ``reason`` is the condition that failed first.
    """

    story: StoryText
    closeness: float
    rule: str
    reason: str
    missing: int
    groups: tuple[str, ...]
    hits: tuple[TermHit, ...]

    def found(self) -> str:
        """The words found, by group: ``mission: embassy, consulado; intrusion: raid``."""
        words: dict[str, list[str]] = {}
        for hit in self.hits:
            seen = words.setdefault(hit.group, [])
            if hit.text not in seen:
                seen.append(hit.text)
        return "; ".join(f"{group}: {', '.join(texts)}" for group, texts in words.items())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the story, the closeness, the rule, the reason and the hits."""
        return {
            "story": self.story.key,
            "title": self.story.title,
            "closeness": round(self.closeness, 3),
            "rule": self.rule,
            "reason": self.reason,
            "missing": self.missing,
            "groups": list(self.groups),
            "hits": [hit.to_dict() for hit in self.hits],
        }


@dataclass(frozen=True, slots=True)
class RuleDistance:
    """How far one rule was from holding: conditions held (fractions count) and missed."""

    rule: str
    held: float
    total: int
    missing: int
    reason: str

    @property
    def closeness(self) -> float:
        return self.held / self.total if self.total else 0.0


def near_misses(
    matcher: Matcher,
    watchlist: str,
    stories: Iterable[StoryText],
    limit: int | None = None,
) -> list[NearMiss]:
    """The stories that carry ``watchlist``'s concepts but did not match it, closest first.

    Among rules equally close, the one with fewest conditions missing explains the story; among
    stories equally close, fewer missing conditions and more groups found come first, then
    the order the stories came in. ``limit`` keeps the first ``limit``.
    """
    chosen = next((w for w in matcher.watchlists if w.name == watchlist), None)
    if chosen is None:
        known = ", ".join(w.name for w in matcher.watchlists) or "none"
        raise UnknownWatchlistError(f"no watchlist named {watchlist!r}", hint=f"known: {known}")
    found: list[NearMiss] = []
    for story in stories:
        diagnosis = matcher.diagnose(watchlist, story.title, story.summary, story.language)
        miss = near_miss(chosen, story, diagnosis)
        if miss is not None:
            found.append(miss)
    found.sort(key=lambda m: (-m.closeness, m.missing, -len(m.groups)))
    return found if limit is None else found[: max(0, limit)]


def near_miss(watchlist: Watchlist, story: StoryText, diagnosis: Diagnosis) -> NearMiss | None:
    """``story`` as a near miss of ``watchlist``, or None (it matched, or it is too far)."""
    if diagnosis.match is not None or not diagnosis.hits:
        return None
    groups = tuple(dict.fromkeys(hit.group for hit in diagnosis.hits))
    outcomes = {outcome.rule: outcome for outcome in diagnosis.outcomes}
    distances = [
        rule_distance(rule, diagnosis.hits, outcomes[rule.name], diagnosis.min_score)
        for rule in watchlist.rules
        if rule.name in outcomes
    ]
    if not distances:
        return None
    best = max(distances, key=lambda d: (d.closeness, -d.missing, d.held))
    if len(groups) < MIN_GROUPS and min(d.missing for d in distances) > 1:
        return None
    if best.held <= 0:
        return None
    return NearMiss(
        story=story,
        closeness=best.closeness,
        rule=best.rule,
        reason=best.reason,
        missing=best.missing,
        groups=groups,
        hits=diagnosis.hits,
    )


def rule_distance(
    rule: Rule, hits: Sequence[TermHit], outcome: RuleOutcome, min_score: float
) -> RuleDistance:
    """How many of ``rule``'s conditions hold on ``hits`` (see the module's table)."""
    present = {h.group for h in hits if rule.scope == "any" or h.field == rule.scope}
    everywhere = {h.group for h in hits}
    held = 0.0
    total = 0
    missing = 0

    def count(share: float) -> None:
        nonlocal held, total, missing
        total += 1
        held += share
        missing += share < 1.0

    if rule.any_of:
        count(1.0 if present & set(rule.any_of) else 0.0)
    for name in rule.all_of:
        count(1.0 if name in present else 0.0)
    for pair in rule.near:
        where = {h.group for h in hits if pair.scope == "any" or h.field == pair.scope} & present
        count(1.0 if pair.left in where else 0.0)
        count(1.0 if pair.right in where else 0.0)
        close = pair.left in where and pair.right in where and outcome.reason != f"no {pair}"
        count(1.0 if close else 0.0)
    if rule.none_of:
        count(0.0 if everywhere & set(rule.none_of) else 1.0)
    if outcome.held:  # held, so it fell short on its score
        count(min(1.0, outcome.score / min_score) if min_score > 0 else 1.0)
        reason = f"score {outcome.score:.2f} < min_score {min_score:.2f}"
    else:
        reason = outcome.reason
        if missing == 0:  # what failed is not in the table (an ``unless`` took the hits)
            held, missing = max(0.0, held - 0.5), 1
    return RuleDistance(rule.name, held, total, missing, reason)
