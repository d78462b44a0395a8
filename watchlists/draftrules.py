"""The rules of a drafted watchlist: an event near what it happened to, with an entity.

Pure: from the names of the groups a draft has, the rules as YAML lines. Every rule
needs an event (``incidents`` or ``actions``) close to its subject (``subjects``) or to a
legal term of art, in one field, and an entity (a name, or a term of art) in the story.
The weights grade the evidence, so that scores say how strong it was:

| rule | event | close to | in | entity | weight |
|---|---|---|---|---|---|
| ``incident-in-title`` | incident | subject | title | any name or term of art, in the title | 1.0 |
| ``incident-in-title-named-below`` | incident | subject | title | any, anywhere | 0.9 |
| ``law-in-title`` | incident | term of art | title | any name | 0.85 |
| ``action-in-title`` | action | subject (closer) | title | any but a place, in the title | 0.8 |
| ``incident-in-summary`` | incident | subject | summary | a person, body or treaty | 0.7 |
| ``law-in-summary`` | incident | term of art | summary | a person, body or treaty | 0.6 |
| ``action-in-summary`` | action | subject (closer) | summary | a person, body or treaty | 0.55 |

An ordinary action word near a subject ("enters a new mission") is weak evidence, so a
place name, the commonest entity, is not enough for it; places and acronyms ("Mexico",
"US") count only in the title rules, since a summary names places all the time. A draft
without events or subjects gets one weak rule (``names-in-title``) and a comment saying
what to add.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ENTITY_GROUPS = ("people", "organizations", "places", "treaties", "acronyms", "other-names")
SPECIFIC_GROUPS = ("people", "organizations", "treaties")
INCIDENT_DISTANCE = 6
ACTION_DISTANCE = 4
FALLBACK_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class RulePlan:
    """One rule of the table above, before the groups a draft has are known."""

    name: str
    event: str
    target: str
    distance: int
    near_in: str
    entities: tuple[str, ...]
    field: str
    weight: float


NAMES_AND_LAW = (*ENTITY_GROUPS, "terms-of-art")
NOT_PLACES = tuple(g for g in NAMES_AND_LAW if g != "places")
PLANS: tuple[RulePlan, ...] = (
    RulePlan("incident-in-title", "incidents", "subjects", INCIDENT_DISTANCE, "title",
             NAMES_AND_LAW, "title", 1.0),
    RulePlan("incident-in-title-named-below", "incidents", "subjects", INCIDENT_DISTANCE,
             "title", NAMES_AND_LAW, "any", 0.9),
    RulePlan("law-in-title", "incidents", "terms-of-art", INCIDENT_DISTANCE, "title",
             ENTITY_GROUPS, "any", 0.85),
    RulePlan("action-in-title", "actions", "subjects", ACTION_DISTANCE, "title",
             NOT_PLACES, "title", 0.8),
    RulePlan("incident-in-summary", "incidents", "subjects", INCIDENT_DISTANCE, "summary",
             SPECIFIC_GROUPS, "any", 0.7),
    RulePlan("law-in-summary", "incidents", "terms-of-art", INCIDENT_DISTANCE, "summary",
             SPECIFIC_GROUPS, "any", 0.6),
    RulePlan("action-in-summary", "actions", "subjects", ACTION_DISTANCE, "summary",
             SPECIFIC_GROUPS, "any", 0.55),
)  # fmt: skip


def rule_lines(present: Sequence[str]) -> list[str]:
    """The ``rules:`` entries (YAML lines, two-space indented) for a draft with ``present``."""
    has = set(present)
    any_entity = has & set(ENTITY_GROUPS + ("terms-of-art",))
    lines: list[str] = []
    for plan in PLANS:
        if plan.event not in has or plan.target not in has:
            continue
        entities = [g for g in plan.entities if g in has]
        if any_entity and not entities:
            continue  # the entity this rule wants is not in the documents
        lines += [
            f"  - name: {plan.name}",
            f"    near: {plan.event} NEAR/{plan.distance} {plan.target} in {plan.near_in}",
        ]
        if entities:
            lines.append(f"    any_of: [{', '.join(entities)}]")
        if plan.field != "any":
            lines.append(f"    field: {plan.field}")
        lines.append(f"    weight: {plan.weight}")
    if lines:
        return lines
    names = [g for g in ENTITY_GROUPS if g in has]
    return [
        "  # The documents name no event with its subject, so this draft only looks for",
        "  # names in titles. Add the words for what happened (a group 'incidents') and",
        "  # what it happened to (a group 'subjects'), then a rule that needs both.",
        f"  - name: {'names' if names else 'terms'}-in-title",
        f"    any_of: [{', '.join(names or present)}]",
        "    field: title",
        f"    weight: {FALLBACK_WEIGHT}",
    ]
