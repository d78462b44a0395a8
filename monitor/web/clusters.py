"""Alerts grouped by story cluster, for the console: one story told by several outlets is one card.

Pure. Takes the alerts (newest first) and the sources of their stories;
returns one group per cluster, in the order the clusters were last caught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.web.views import stored_hits
from storage.browse import Alert, Source
from storage.records import StoredStory


@dataclass
class StoryCard:
    story: StoredStory
    hits: list[dict[str, Any]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


@dataclass
class ClusterCard:
    key: str
    stories: list[StoryCard]
    watchlists: dict[str, float]  # name → best score
    first_caught: datetime
    last_caught: datetime

    @property
    def lead(self) -> StoryCard:
        return self.stories[0]

    @property
    def outlets(self) -> list[str]:
        names = [s.story.source for s in self.stories]
        names += [src.source for card in self.stories for src in card.sources]
        return list(dict.fromkeys(n for n in names if n))


def group_alerts(alerts: list[Alert], sources: dict[int, list[Source]]) -> list[ClusterCard]:
    groups: dict[str, ClusterCard] = {}
    cards: dict[int, StoryCard] = {}
    for alert in alerts:
        story = alert.story
        group = groups.get(story.cluster_key)
        if group is None:
            group = groups[story.cluster_key] = ClusterCard(
                story.cluster_key, [], {}, alert.created_at, alert.created_at
            )
        card = cards.get(story.id)
        if card is None:
            card = cards[story.id] = StoryCard(story, [], sources.get(story.id, []))
            group.stories.append(card)
        card.hits.extend(stored_hits(alert.explanation))
        group.watchlists[alert.watchlist] = max(
            group.watchlists.get(alert.watchlist, 0.0), alert.score
        )
        group.first_caught = min(group.first_caught, alert.created_at)
        group.last_caught = max(group.last_caught, alert.created_at)
    return list(groups.values())
