"""Sample stored matches for digest tests: the Quito embassy raid, and hostile feed content."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from monitor.digests.compose import DigestContent, build_digest
from storage.records import CandidateMatch, StoredStory, SubscriptionRecord

NOW = datetime(2024, 4, 6, 6, 30, tzinfo=UTC)


def subscription(
    timezone: str = "Europe/Madrid", sub_id: int = 7, **changes: object
) -> SubscriptionRecord:
    values: dict[str, object] = {
        "id": sub_id,
        "channel": "email",
        "target": "analyst@example.org",
        "format": "json",
        "watchlists": ("embassy-raids", "vienna-conventions"),
        "schedule": "daily@08:00",
        "timezone": timezone,
        "secret": None,
        "min_score": 0.0,
        "paused": False,
        "disabled_reason": None,
        "created_at": NOW - timedelta(days=3),
        "last_digest_at": None,
    }
    values.update(changes)
    return SubscriptionRecord(**values)  # type: ignore[arg-type]


def story(
    story_id: int,
    title: str,
    summary: str,
    *,
    cluster: str | None = None,
    url: str | None = None,
    source: str = "Andes Wire",
    published: datetime | None = None,
    first_seen: datetime | None = None,
) -> StoredStory:
    return StoredStory(
        id=story_id,
        key=f"k{story_id}",
        cluster_key=cluster or f"c{story_id}",
        feed_url="https://andes.example/rss",
        guid=f"g{story_id}",
        url=url or f"https://andes.example/{story_id}",
        canonical_url=url or f"https://andes.example/{story_id}",
        title=title,
        summary=summary,
        source=source,
        language="en",
        fingerprint=f"fp{story_id}",
        published_at=published,
        first_seen_at=first_seen or NOW - timedelta(hours=2),
    )


def hits(summary: str, *terms: str, field: str = "summary") -> str:
    """An explanation JSON with a hit for each term where it occurs in ``summary``."""
    found = []
    for term in terms:
        start = summary.find(term)
        if start >= 0:
            found.append({"term": term, "field": field, "start": start, "end": start + len(term)})
        else:
            found.append({"term": term, "field": "title", "start": 0, "end": 0})
    return json.dumps({"hits": found})


def match(
    s: StoredStory,
    watchlist: str,
    score: float,
    *terms: str,
    sources: tuple[str, ...] = (),
) -> CandidateMatch:
    return CandidateMatch(
        match_id=s.id * 10,
        watchlist=watchlist,
        score=score,
        explanation=hits(s.summary, *terms),
        story=s,
        sources=sources,
    )


RAID = story(
    1,
    "Ecuador police raid Mexican embassy in Quito and arrest Jorge Glas",
    "Police broke into the Mexican embassy in Quito late on Friday and detained former vice "
    "president Jorge Glas, hours after Mexico granted him asylum. Alicia Bárcena called it a "
    "violation of the Vienna Convention on Diplomatic Relations.",
    published=datetime(2024, 4, 6, 3, 5, tzinfo=UTC),
)
ICJ = story(
    2,
    "Mexico takes Ecuador to the International Court of Justice",
    "Mexico asked the ICJ to suspend Ecuador from the UN, saying the storming of its embassy "
    "violated the Vienna Convention on Diplomatic Relations.",
    source="World Wire",
    url="https://wire.example/icj?id=2&lang=en",
    published=datetime(1716, 1, 1, tzinfo=UTC),  # feedparser's reading of 1717000000
)
BARCENA = story(
    3,
    "Alicia Bárcena: «Mexico breaks diplomatic relations with Ecuador»",
    "Foreign minister Alicia Bárcena announced that Mexico broke off relations with Ecuador.",
    published=None,
)


def sample_content(digest_id: str = "nwd_0123456789abcdef", cap: int = 25) -> DigestContent:
    candidates = [
        match(
            RAID, "embassy-raids", 0.97, "Mexican embassy", "Jorge Glas", sources=("World Wire",)
        ),
        match(RAID, "vienna-conventions", 0.71, "Vienna Convention on Diplomatic Relations"),
        match(ICJ, "vienna-conventions", 0.88, "Vienna Convention on Diplomatic Relations", "ICJ"),
        match(BARCENA, "embassy-raids", 0.64, "Alicia Bárcena"),
    ]
    return build_digest(digest_id, subscription(), candidates, NOW, cap=cap)
