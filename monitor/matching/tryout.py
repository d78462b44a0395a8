"""Trying a watchlist on stored stories: what it would have caught, and nearly caught.

Pure: takes the watchlist and the stories, returns the verdicts; the caller
reads the stories. A near miss is a story in which the watchlist found terms
but no rule held (or the score stayed under its minimum): the stories an
editor most wants to see before loosening or tightening a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.records import StoredStory
from watchlists.hits import Diagnosis, Match
from watchlists.matcher import compile_watchlists
from watchlists.model import Watchlist


@dataclass(frozen=True, slots=True)
class Caught:
    story: StoredStory
    match: Match


@dataclass(frozen=True, slots=True)
class NearMiss:
    story: StoredStory
    diagnosis: Diagnosis

    @property
    def reasons(self) -> list[str]:
        """Why each rule did not hold, as the dry-run tester says it."""
        return [f"{o.rule}: {o.reason}" for o in self.diagnosis.outcomes if not o.held] or [
            f"score under the minimum {self.diagnosis.min_score:.2f}"
        ]


@dataclass(frozen=True, slots=True)
class Tryout:
    watchlist: str
    stories: int  # how many stories were tried
    caught: tuple[Caught, ...]  # newest first
    near_misses: tuple[NearMiss, ...]  # most hits first


def try_watchlist(
    watchlist: Watchlist, stories: Iterable[StoredStory], near_limit: int = 50
) -> Tryout:
    """Match ``watchlist`` against ``stories``; keep what it caught and the closest misses."""
    matcher = compile_watchlists([watchlist])
    caught: list[Caught] = []
    near: list[NearMiss] = []
    tried = 0
    for story in stories:
        tried += 1
        found = matcher.match(story.title, story.summary, story.language)
        if found:
            caught.append(Caught(story, found[0]))
            continue
        diagnosis = matcher.diagnose(watchlist.name, story.title, story.summary, story.language)
        if diagnosis.hits:
            near.append(NearMiss(story, diagnosis))
    caught.sort(key=lambda c: (c.story.first_seen_at, c.story.id), reverse=True)
    near.sort(key=lambda n: (-len({h.group for h in n.diagnosis.hits}), -len(n.diagnosis.hits)))
    return Tryout(watchlist.name, tried, tuple(caught), tuple(near[:near_limit]))
