"""Work done per feed body in a parser process: parse, match, derive dedup features.

Pure CPU, no I/O: it runs in the parser processes (``monitor.poll.parsers``), beside the
event loop, so the service uses every core. Only the deduplicator's lookups, which need the
memory of all stories, stay in the main process; the costly part of a decision (normalized
text, fingerprint, 3-gram hashes) is computed here. Watchlists travel as their texts; each
worker compiles them once per version and keeps the result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from monitor.dedup.features import DedupFeatures, dedup_features
from monitor.dedup.index import SKETCH_SIZE
from monitor.matching.rows import CompiledSet, match_writes
from monitor.parse.feed import ParsedFeed, ParseFailure, parse_in_worker
from storage.records import MatchWrite
from watchlists.errors import WatchlistError
from watchlists.loader import parse_watchlist
from watchlists.matcher import compile_watchlists

log = logging.getLogger(__name__)

WatchlistSpec = tuple[tuple[str, int, str], ...]  # (name, version, YAML text) of enabled ones

_compiled: dict[WatchlistSpec, CompiledSet] = {}


@dataclass(frozen=True, slots=True)
class PreparedFeed:
    """A parsed feed with, per story, the matches it would get and its dedup features."""

    parsed: ParsedFeed
    matches: tuple[tuple[MatchWrite, ...], ...]
    features: tuple[DedupFeatures, ...]


def compiled_for(spec: WatchlistSpec) -> CompiledSet:
    """The compiled matcher for these watchlist versions (compiled once per process)."""
    found = _compiled.get(spec)
    if found is None:
        parsed = []
        versions: dict[str, int] = {}
        for name, version, text in spec:
            try:
                parsed.append(parse_watchlist(text, path=f"watchlist '{name}'"))
            except WatchlistError as exc:
                log.error("watchlist %s skipped: %s", name, exc)
                continue
            versions[name] = version
        found = CompiledSet(compile_watchlists(parsed), versions)
        _compiled.clear()  # only the current version is worth keeping
        _compiled[spec] = found
    return found


def prepare_feed(
    body: bytes,
    headers: dict[str, str],
    feed_url: str,
    now: datetime,
    max_bytes: int,
    watchlists: WatchlistSpec,
) -> PreparedFeed | ParseFailure:
    """Parse ``body``, match each story, derive its dedup features. Errors come back as values."""
    parsed = parse_in_worker(body, headers, feed_url, now, max_bytes)
    if isinstance(parsed, ParseFailure):
        return parsed
    compiled = compiled_for(watchlists)
    matches = []
    features = []
    for story in parsed.stories:
        found = compiled.matcher.match(story.title, story.summary, story.language)
        matches.append(match_writes(compiled, found))
        features.append(dedup_features(story.title, story.summary, story.url, story.canonical_url))
    return PreparedFeed(parsed, tuple(matches), tuple(features))


def stored_features(stories: list[tuple[str, str, str, str | None]]) -> list[DedupFeatures]:
    """``dedup_features`` of stored (title, summary, url, canonical url) tuples, to remember.

    Only the sampled 3-gram hashes are kept: remembering a story indexes its sample, and
    only incoming stories need all of theirs (five times as many).
    """
    found = []
    for story in stories:
        features = dedup_features(*story)
        found.append(replace(features, hashes=features.hashes[:SKETCH_SIZE]))
    return found
