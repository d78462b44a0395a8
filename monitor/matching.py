"""The compiled matcher the service uses, rebuilt only when stored watchlists change.

Does I/O (reads watchlist texts from the database). A watchlist whose stored
text no longer validates is skipped with a logged reason; the others go on.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from storage.records import MatchWrite
from storage.watchlist_store import list_watchlists, watchlists_signature
from watchlists.errors import WatchlistError
from watchlists.loader import parse_watchlist
from watchlists.matcher import Match, Matcher, compile_watchlists

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CompiledSet:
    matcher: Matcher
    versions: dict[str, int]


class MatcherCache:
    """Holds one compiled matcher; ``current()`` recompiles when watchlists changed."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._signature: tuple[tuple[str, int, bool], ...] | None = None
        self._compiled: CompiledSet | None = None

    def current(self) -> CompiledSet:
        signature = watchlists_signature(self._engine)
        if self._compiled is None or signature != self._signature:
            self._compiled = self._compile()
            self._signature = signature
        return self._compiled

    def _compile(self) -> CompiledSet:
        parsed = []
        versions: dict[str, int] = {}
        for record in list_watchlists(self._engine):
            if not record.enabled:
                continue
            try:
                parsed.append(parse_watchlist(record.text, path=f"watchlist '{record.name}'"))
            except WatchlistError as exc:
                log.error("watchlist %s skipped: %s", record.name, exc)
                continue
            versions[record.name] = record.version
        log.info("compiled %d watchlists", len(parsed))
        return CompiledSet(compile_watchlists(parsed), versions)


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
            }
            for h in match.hits
        ],
    }
