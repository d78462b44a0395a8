"""The normalized story: what every stage after parsing works on.

Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Story:
    """One feed entry, normalized.

    ``url`` is the link as the feed gave it; ``canonical_url`` is the identity form.
    ``published`` is None when the feed's date was missing or absurd; then the
    first-seen time stands in for it.
    """

    feed_url: str
    guid: str
    url: str
    canonical_url: str
    title: str
    summary: str
    published: datetime | None
    source: str
    language: str | None = None
