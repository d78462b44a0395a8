"""What matching returns: term hits with spans, matches, and per-rule outcomes.

Pure frozen values; they cross into ``monitor`` (storage, digests, the CLI tester).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from watchlists.normalize import strip_markup

FieldName = Literal["title", "summary"]
FIELDS: tuple[FieldName, FieldName] = ("title", "summary")


@dataclass(frozen=True, slots=True)
class TermHit:
    """One term found in a story; ``start``/``end`` index the original field text.

    ``word``/``words`` locate the hit in the field's normalized words (for NEAR);
    ``sentence`` numbers its sentence in the field and ``context`` is that sentence.
    """

    term: str
    group: str
    field: FieldName
    start: int
    end: int
    text: str
    similarity: float
    word: int = 0
    words: int = 1
    sentence: int = 0
    context: str = ""

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
            "sentence": self.context,
        }

    def describe(self) -> str:
        """One line: the words found, where, how closely, by which group, in which sentence."""
        how = "exact" if self.similarity >= 1.0 else f"similarity {self.similarity:.2f}"
        line = (
            f"{self.group}: found {self.text!r} in {self.field}"
            f" [{self.start}:{self.end}] ({how}, term {self.term!r})"
        )
        return f"{line} in: {self.context}" if self.context else line


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
        """The distinct words found in the story, as written there, in order of appearance.

        What the story says, not the name of the term that found it: a story that says
        "Consular Relations" is never explained as "Diplomatic Relations".
        """
        found = (" ".join(strip_markup(hit.text)[0].split()) for hit in self.hits)
        return tuple(dict.fromkeys(found))

    def to_dict(self) -> dict[str, Any]:
        """``{"watchlist": name, "score": 0..1, "terms": [words found in the story]}``."""
        return {
            "watchlist": self.watchlist,
            "score": round(self.score, 3),
            "terms": list(self.terms),
        }

    def details(self) -> dict[str, Any]:
        """``to_dict()`` plus priority, the rule that fired and every hit with its span."""
        return {
            **self.to_dict(),
            "priority": self.priority,
            "rule": self.rule,
            "hits": [hit.to_dict() for hit in self.hits],
        }

    def explain(self) -> str:
        """A few human-readable lines saying which rule fired on which words."""
        lines = [f"{self.watchlist}: score {self.score:.2f} by rule {self.rule!r}"]
        lines.extend(f"  {hit.describe()}" for hit in self.hits)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """Whether one rule held for a story, its score, and if not, why not."""

    rule: str
    held: bool
    score: float
    reason: str
    hits: tuple[TermHit, ...] = ()


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Everything the matcher saw for one watchlist and story, for a dry-run tester."""

    watchlist: str
    min_score: float
    hits: tuple[TermHit, ...]
    masked: tuple[TermHit, ...]
    outcomes: tuple[RuleOutcome, ...]
    match: Match | None

    def explain(self) -> str:
        """Readable report: hits by group, hits masked by ``ignore``, each rule's verdict."""
        verdict = "MATCH" if self.match else "no match"
        score = f" (score {self.match.score:.2f})" if self.match else ""
        lines = [f"{self.watchlist}: {verdict}{score}"]
        lines.append("  hits:" if self.hits else "  hits: none")
        lines.extend(f"    {hit.describe()}" for hit in self.hits)
        if self.masked:
            lines.append("  ignored (inside an 'ignore' phrase):")
            lines.extend(f"    {hit.describe()}" for hit in self.masked)
        lines.append("  rules:")
        for outcome in self.outcomes:
            if not outcome.held:
                lines.append(f"    {outcome.rule}: no - {outcome.reason}")
            elif outcome.score < self.min_score:
                lines.append(
                    f"    {outcome.rule}: held, but score {outcome.score:.2f}"
                    f" < min_score {self.min_score:.2f}"
                )
            else:
                lines.append(f"    {outcome.rule}: yes, score {outcome.score:.2f}")
        return "\n".join(lines)
