"""Building a digest from stored matches: one item per story cluster, grouped by watchlist.

Pure: records and ``now`` in, a ``DigestContent`` out. The content is stored as
JSON with the digest, so every retry renders and sends the very same digest.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.records import CandidateMatch, StoredStory, SubscriptionRecord

SNIPPET_CHARS = 320
CAP_PER_WATCHLIST = 25
EARLIEST_PLAUSIBLE = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Highlight:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class DigestEntry:
    cluster: str
    story_id: int
    title: str
    url: str
    source: str
    also_reported_by: tuple[str, ...]
    published: str  # ISO 8601 UTC; the first-seen time when the feed's date was unusable
    snippet: str
    highlights: tuple[Highlight, ...]
    watchlists: tuple[str, ...]
    score: float
    terms: tuple[str, ...]
    first_seen: bool = False  # True when ``published`` is when newswatch first saw the story


@dataclass(frozen=True, slots=True)
class Overflow:
    """A story left out by the cap: counted as "+N more" and recorded as delivered."""

    cluster: str
    story_id: int


@dataclass(frozen=True, slots=True)
class DigestSection:
    watchlist: str
    entries: tuple[DigestEntry, ...]
    more: int = 0
    overflow: tuple[Overflow, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestContent:
    id: str
    subscription_id: int
    created_at: str
    timezone: str
    sections: tuple[DigestSection, ...]

    @property
    def total(self) -> int:
        return sum(len(s.entries) + s.more for s in self.sections)

    @property
    def clusters(self) -> list[tuple[str, int]]:
        """Every (cluster, story) this digest delivers, the capped ones included."""
        shown = [(e.cluster, e.story_id) for s in self.sections for e in s.entries]
        return shown + [(o.cluster, o.story_id) for s in self.sections for o in s.overflow]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DigestContent:
        data: dict[str, Any] = json.loads(text)
        sections = tuple(
            DigestSection(
                watchlist=s["watchlist"],
                more=s.get("more", 0),
                entries=tuple(_entry(e) for e in s["entries"]),
                overflow=tuple(Overflow(**o) for o in s.get("overflow", ())),
            )
            for s in data["sections"]
        )
        return cls(
            id=data["id"],
            subscription_id=data["subscription_id"],
            created_at=data["created_at"],
            timezone=data["timezone"],
            sections=sections,
        )


def _entry(e: dict[str, Any]) -> DigestEntry:
    return DigestEntry(
        **{
            **e,
            "also_reported_by": tuple(e["also_reported_by"]),
            "highlights": tuple(Highlight(**h) for h in e["highlights"]),
            "watchlists": tuple(e["watchlists"]),
            "terms": tuple(e["terms"]),
        }
    )


def build_digest(
    digest_id: str,
    subscription: SubscriptionRecord,
    candidates: list[CandidateMatch],
    now: datetime,
    cap: int = CAP_PER_WATCHLIST,
) -> DigestContent:
    """Fold candidate matches into one entry per cluster, under its best-scoring watchlist.

    Sections with more entries come first; inside a section the best matches come
    first, then the newest. Past ``cap`` entries a section counts the rest as
    "+N more" (they are recorded as delivered, so they never come back).
    """
    by_cluster: dict[str, list[CandidateMatch]] = {}
    for candidate in candidates:
        by_cluster.setdefault(candidate.story.cluster_key, []).append(candidate)
    sections: dict[str, list[DigestEntry]] = {}
    for cluster, group in by_cluster.items():
        best = max(group, key=lambda c: (c.score, -c.story.id))
        first = min(group, key=lambda c: (c.story.first_seen_at, c.story.id))
        entry = _make_entry(cluster, first, group, best)
        sections.setdefault(best.watchlist, []).append(entry)
    ordered = sorted(sections.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    built = []
    for name, entries in ordered:
        entries.sort(key=lambda e: (-e.score, _negated_time(e.published), e.story_id))
        built.append(
            DigestSection(
                watchlist=name,
                entries=tuple(entries[:cap]),
                more=max(0, len(entries) - cap),
                overflow=tuple(Overflow(e.cluster, e.story_id) for e in entries[cap:]),
            )
        )
    return DigestContent(
        id=digest_id,
        subscription_id=subscription.id,
        created_at=now.astimezone(UTC).isoformat(),
        timezone=subscription.timezone,
        sections=tuple(built),
    )


def _negated_time(iso: str) -> float:
    return -datetime.fromisoformat(iso).timestamp()


def publication_time(story: StoredStory) -> tuple[datetime, bool]:
    """The feed's date when plausible, else the first-seen time (and True to say so)."""
    published = story.published_at
    if published is None or published < EARLIEST_PLAUSIBLE:
        return story.first_seen_at, True
    if published > story.first_seen_at + FUTURE_SLACK:
        return story.first_seen_at, True
    return published, False


def _make_entry(
    cluster: str, first: CandidateMatch, group: list[CandidateMatch], best: CandidateMatch
) -> DigestEntry:
    story = first.story
    sources = [s for s in first.sources if s != story.source] or [
        c.story.source for c in group if c.story.source != story.source
    ]
    terms, spans = _terms_and_spans(first, story.summary)
    for other in group:  # what the other watchlists found explains the match too
        if other is first:
            continue
        more_terms, more_spans = _terms_and_spans(other, story.summary)
        terms = tuple(dict.fromkeys(terms + more_terms))
        if other.story.id == story.id:
            spans += more_spans
    snippet, highlights = _snippet(story.summary, spans)
    published, first_seen = publication_time(story)
    return DigestEntry(
        cluster=cluster,
        story_id=story.id,
        title=story.title or "(no title)",
        url=story.canonical_url or story.url,
        source=story.source,
        also_reported_by=tuple(dict.fromkeys(s for s in sources if s)),
        published=published.astimezone(UTC).isoformat(),
        snippet=snippet,
        highlights=highlights,
        watchlists=tuple(sorted({c.watchlist for c in group})),
        score=round(best.score, 3),
        terms=terms,
        first_seen=first_seen,
    )


def _terms_and_spans(
    candidate: CandidateMatch, summary: str
) -> tuple[tuple[str, ...], list[Highlight]]:
    try:
        hits = json.loads(candidate.explanation).get("hits", [])
    except (ValueError, AttributeError):
        hits = []
    found = (" ".join(str(h.get("text") or h.get("term") or "").split()) for h in hits)
    terms = tuple(dict.fromkeys(word for word in found if word))
    spans = [
        Highlight(int(h["start"]), int(h["end"]))
        for h in hits
        if h.get("field") == "summary"
        and 0 <= int(h.get("start", -1)) < int(h.get("end", -1)) <= len(summary)
    ]
    return terms, spans


def _snippet(summary: str, spans: list[Highlight]) -> tuple[str, tuple[Highlight, ...]]:
    """Cut the summary around the first hit; keep the highlights that fall inside."""
    if len(summary) <= SNIPPET_CHARS:
        return summary, _merge(spans)
    first = min((s.start for s in spans), default=0)
    start = max(0, min(first - SNIPPET_CHARS // 3, len(summary) - SNIPPET_CHARS))
    if start > 0:
        space = summary.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(summary), start + SNIPPET_CHARS)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(summary) else ""
    shift = len(prefix) - start
    inside = [
        Highlight(s.start + shift, s.end + shift)
        for s in spans
        if s.start >= start and s.end <= end
    ]
    return prefix + summary[start:end] + suffix, _merge(inside)


def _merge(spans: list[Highlight]) -> tuple[Highlight, ...]:
    merged: list[Highlight] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and span.start <= merged[-1].end:
            merged[-1] = Highlight(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return tuple(merged)
