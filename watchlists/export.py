"""Turning a ``Watchlist`` back into plain data in the file format, for YAML export.

Pure. Defaults are left out so the output reads like a hand-written file.
"""

from __future__ import annotations

from typing import Any

from watchlists.model import Group, Rule, Term, Watchlist


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
