"""The watchlist data model: frozen dataclasses for terms, groups, rules and watchlists.

Pure values, no I/O; ``loader`` builds them from YAML (and back via ``watchlist_to_data``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TermKind = Literal[
    "person",
    "organization",
    "place",
    "treaty",
    "event",
    "keyword",
    "acronym",
    "phrase",
]
TERM_KINDS: tuple[str, ...] = (
    "person",
    "organization",
    "place",
    "treaty",
    "event",
    "keyword",
    "acronym",
    "phrase",
)
NAME_KINDS: frozenset[str] = frozenset({"person", "organization", "place", "treaty", "event"})
"""Kinds that are proper names: fuzzy by default, never stemmed."""

FieldScope = Literal["title", "summary", "any"]
FIELD_SCOPES: tuple[str, ...] = ("title", "summary", "any")
Proximity = Literal["NEAR", "BEFORE", "AFTER"]
Priority = Literal["instant", "digest"]
PRIORITIES: tuple[str, ...] = ("instant", "digest")


@dataclass(frozen=True, slots=True)
class Term:
    """One thing to look for, with its other spellings.

    ``fuzzy``: ``None`` scales the allowed edits with the length (names only),
    ``0`` means exact, ``n`` allows at most ``n`` edits. ``stem``: ``None``
    stems keywords and phrases in the story's language but not names or acronyms.
    ``whole_word=False`` also finds the term inside longer words (compounds).
    """

    text: str
    kind: TermKind = "keyword"
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False
    fuzzy: int | None = None
    whole_word: bool = True
    stem: bool | None = None

    @property
    def variants(self) -> tuple[str, ...]:
        """The text followed by every alias."""
        return (self.text, *self.aliases)

    @property
    def stems(self) -> bool:
        """Whether inflected forms match (explicit, or by kind)."""
        if self.stem is not None:
            return self.stem
        return self.kind in ("keyword", "phrase") and not self.case_sensitive


@dataclass(frozen=True, slots=True)
class Group:
    """A named set of interchangeable terms; a rule asks whether a group was found."""

    name: str
    terms: tuple[Term, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Near:
    """``left NEAR/n right [in title|summary]``: hits of both groups at most n words apart.

    Adjacent words are 1 apart; both hits must be in the same field (``scope``
    narrows it to the title or the summary). ``left BEFORE/n right`` also needs the
    left hit to come first, ``left AFTER/n right`` the right one. Without ``/n``
    (``distance`` None) both hits must be in one sentence, and the farther apart they
    are, the weaker the evidence (see ``rules.proximity_weight``).
    """

    left: str
    right: str
    distance: int | None
    scope: FieldScope = "any"
    operator: Proximity = "NEAR"

    @property
    def in_sentence(self) -> bool:
        """Whether this pair is scoped by sentence rather than by a fixed window."""
        return self.distance is None

    def __str__(self) -> str:
        where = "" if self.scope == "any" else f" in {self.scope}"
        window = "" if self.distance is None else f"/{self.distance}"
        return f"{self.left} {self.operator}{window} {self.right}{where}"


@dataclass(frozen=True, slots=True)
class Rule:
    """When a story belongs to the watchlist.

    All conditions must hold: at least one ``any_of`` group (if given), every
    ``all_of`` group, no ``none_of`` group, every ``near`` pair; hits only count
    in ``scope``. ``unless`` pairs discard hits of the left group that stand near a
    hit of the right one ("raid" just after "after"). The score is ``weight`` times
    the mean best similarity of the groups found.
    """

    name: str
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    near: tuple[Near, ...] = ()
    unless: tuple[Near, ...] = ()
    scope: FieldScope = "any"
    weight: float = 1.0

    @property
    def positive_groups(self) -> tuple[str, ...]:
        """Groups whose hits support this rule."""
        names = [*self.all_of, *self.any_of]
        for pair in self.near:
            names.extend((pair.left, pair.right))
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class Watchlist:
    """A named topic: groups of terms, the rules combining them, and alert settings.

    ``ignore`` terms mask look-alikes: a hit inside an ignored phrase (for example
    "Embassy Suites") does not count for any group.
    """

    name: str
    groups: tuple[Group, ...]
    rules: tuple[Rule, ...]
    description: str = ""
    ignore: tuple[Term, ...] = ()
    min_score: float = 0.5
    priority: Priority = "digest"
    tags: tuple[str, ...] = field(default=())

    def group(self, name: str) -> Group:
        """The group called ``name`` (``KeyError`` if there is none)."""
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)


# --- plain data in the file format (for YAML export); defaults are left out -----------


def term_to_data(term: Term) -> str | dict[str, Any]:
    """A term as a bare string when it only has defaults, else as a mapping."""
    data: dict[str, Any] = {"text": term.text}
    if term.kind != "keyword":
        data["kind"] = term.kind
    if term.aliases:
        data["aliases"] = list(term.aliases)
    if term.case_sensitive:
        data["case_sensitive"] = True
    if term.fuzzy is not None:
        data["fuzzy"] = "off" if term.fuzzy == 0 else term.fuzzy
    if not term.whole_word:
        data["whole_word"] = False
    if term.stem is not None:
        data["stem"] = term.stem
    return term.text if len(data) == 1 else data


def group_to_data(group: Group) -> list[Any] | dict[str, Any]:
    """A group as its list of terms, or a mapping when it has a description."""
    terms = [term_to_data(term) for term in group.terms]
    if group.description:
        return {"description": group.description, "terms": terms}
    return terms


def rule_to_data(rule: Rule) -> dict[str, Any]:
    """A rule as a mapping with only the keys that are set."""
    data: dict[str, Any] = {"name": rule.name}
    for key in ("any_of", "all_of", "none_of"):
        value = getattr(rule, key)
        if value:
            data[key] = list(value)
    if rule.near:
        data["near"] = [str(pair) for pair in rule.near]
    if rule.unless:
        data["unless"] = [str(pair) for pair in rule.unless]
    if rule.scope != "any":
        data["field"] = rule.scope
    if rule.weight != 1.0:
        data["weight"] = rule.weight
    return data


def watchlist_to_data(watchlist: Watchlist) -> dict[str, Any]:
    """The whole watchlist as plain data (dicts, lists, strings, numbers)."""
    data: dict[str, Any] = {"name": watchlist.name}
    if watchlist.description:
        data["description"] = watchlist.description
    data["priority"] = watchlist.priority
    data["min_score"] = watchlist.min_score
    if watchlist.tags:
        data["tags"] = list(watchlist.tags)
    data["groups"] = {group.name: group_to_data(group) for group in watchlist.groups}
    if watchlist.ignore:
        data["ignore"] = [term_to_data(term) for term in watchlist.ignore]
    data["rules"] = [rule_to_data(rule) for rule in watchlist.rules]
    return data
