"""Matcher results as rows to store: the compiled set of watchlists and what a match becomes.

Pure (no I/O): it runs in the parser processes, which compile the enabled watchlists once
per version (``monitor.prepare.body``) and match every story there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from storage.records import MatchWrite
from watchlists.matcher import Match, Matcher


@dataclass(frozen=True, slots=True)
class CompiledSet:
    """A compiled matcher and the version of each watchlist in it."""

    matcher: Matcher
    versions: dict[str, int]


def match_writes(compiled: CompiledSet, matches: list[Match]) -> tuple[MatchWrite, ...]:
    """Turn matcher results into rows to store, with their explanation as JSON."""
    return tuple(
        MatchWrite(
            watchlist=m.watchlist,
            watchlist_version=compiled.versions.get(m.watchlist, 1),
            score=float(m.score),
            priority=m.priority,
            explanation=json.dumps(explanation(m), ensure_ascii=False),
        )
        for m in matches
    )


def explanation(match: Match) -> dict[str, object]:
    """What matched where: the terms with their field, span and closeness."""
    return {
        "watchlist": match.watchlist,
        "score": round(float(match.score), 4),
        "hits": [
            {
                "term": h.term,
                "group": h.group,
                "field": h.field,
                "start": h.start,
                "end": h.end,
                "text": h.text,
                "similarity": round(float(h.similarity), 3),
                "sentence": h.context,
            }
            for h in match.hits
        ],
    }
