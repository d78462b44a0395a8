"""Reading and writing watchlist YAML, with errors that name the file, the line and the fix.

Pure: works on text; the caller reads files. The format is documented in FORMAT.md.
"""

from __future__ import annotations

import re
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from watchlists.errors import WatchlistError
from watchlists.model import (
    FIELD_SCOPES,
    PRIORITIES,
    TERM_KINDS,
    Group,
    Near,
    Rule,
    Term,
    Watchlist,
    watchlist_to_data,
)
from watchlists.normalize import tokenize
from watchlists.validation import (
    Context,
    check_keys,
    check_number,
    check_reference,
    closest,
    scalar,
)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NEAR_RE = re.compile(
    r"^\s*([A-Za-z0-9_-]+)\s+(NEAR|BEFORE|AFTER)(?:/(\d+))?\s+([A-Za-z0-9_-]+)"
    r"(?:\s+in\s+(title|summary|any))?\s*$"
)
WATCHLIST_KEYS = (
    "name",
    "description",
    "priority",
    "min_score",
    "groups",
    "ignore",
    "rules",
    "tags",
)
GROUP_KEYS = ("terms", "description", "kind", "case_sensitive", "fuzzy", "whole_word", "stem")
TERM_KEYS = ("text", "kind", "aliases", "case_sensitive", "fuzzy", "whole_word", "stem")
RULE_KEYS = ("name", "any_of", "all_of", "none_of", "near", "unless", "field", "weight")
MAX_FUZZY = 3
T = TypeVar("T")


def parse_watchlist(text: str, path: str | None = None) -> Watchlist:
    """Parse and validate one watchlist from YAML ``text`` (``path`` only names it in errors)."""
    ctx = Context(path)
    try:
        _refuse_aliases(text, path)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise WatchlistError(
            f"not valid YAML: {exc.problem or exc}",
            path=path,
            line=line,
            hint="check indentation, colons after keys, and quotes around text with ': ' or '#'",
        ) from exc
    except yaml.YAMLError as exc:
        raise WatchlistError(f"not valid YAML: {exc}", path=path) from exc
    if root is None:
        raise WatchlistError(
            "the file is empty", path=path, hint="start with 'name:', 'groups:' and 'rules:'"
        )
    fields = ctx.mapping(root, "the watchlist")
    check_keys(ctx, fields, WATCHLIST_KEYS, "watchlist")
    for required in ("name", "groups", "rules"):
        if required not in fields:
            raise ctx.error(
                root, f"missing required key {required!r}", f"add '{required}:' at the top level"
            )
    name = _name(ctx, fields["name"][1], "watchlist name")
    groups = _groups(ctx, fields["groups"][1])
    group_names = [group.name for group in groups]
    rules = _rules(ctx, fields["rules"][1], group_names)
    return Watchlist(
        name=name,
        description=_text(ctx, fields, "description", ""),
        groups=groups,
        rules=rules,
        ignore=_ignore(ctx, fields),
        min_score=_min_score(ctx, fields),
        priority=_choice(ctx, fields, "priority", PRIORITIES, "digest"),  # type: ignore[arg-type]
        tags=_strings(ctx, fields["tags"][1], "tags") if "tags" in fields else (),
    )


def _refuse_aliases(text: str, path: str | None) -> None:
    """YAML anchors and aliases (``&a``, ``*a``) are refused: they can expand without bound."""
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
            raise WatchlistError(
                "YAML anchors and aliases (&name, *name) are not supported",
                path=path,
                line=token.start_mark.line + 1,
                hint="write the terms out in full",
            )


def dump_watchlist(watchlist: Watchlist) -> str:
    """Render ``watchlist`` as YAML that ``parse_watchlist`` reads back to an equal value."""
    return yaml.safe_dump(
        watchlist_to_data(watchlist), sort_keys=False, allow_unicode=True, width=100
    )


def _name(ctx: Context, node: Node, what: str) -> str:
    value = scalar(ctx, node, str, what)
    if not NAME_RE.match(value):
        raise ctx.error(
            node,
            f"{what} {value!r} is not a valid name",
            "use lower-case letters, digits, '-' and '_', e.g. 'embassy-raids'",
        )
    return value


def _text(ctx: Context, fields: dict[str, tuple[Node, Node]], key: str, default: str) -> str:
    if key not in fields:
        return default
    node = fields[key][1]
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        return default
    return scalar(ctx, node, str, key)


def _choice(
    ctx: Context,
    fields: dict[str, tuple[Node, Node]],
    key: str,
    allowed: tuple[str, ...],
    default: str,
) -> str:
    if key not in fields:
        return default
    node = fields[key][1]
    value = scalar(ctx, node, str, key)
    if value not in allowed:
        suggestion = closest(value, allowed)
        raise ctx.error(
            node,
            f"{key} {value!r} is not one of {', '.join(allowed)}",
            f"did you mean {suggestion!r}?" if suggestion else f"use one of {', '.join(allowed)}",
        )
    return value


def _min_score(ctx: Context, fields: dict[str, tuple[Node, Node]]) -> float:
    if "min_score" not in fields:
        return 0.5
    return check_number(ctx, fields["min_score"][1], "min_score", 0.0, 1.0)


def _strings(ctx: Context, node: Node, what: str) -> tuple[str, ...]:
    if isinstance(node, ScalarNode) and not node.tag.endswith(":null"):
        return (scalar(ctx, node, str, what),)
    items = ctx.sequence(node, what)
    return tuple(scalar(ctx, item, str, f"an entry of {what}") for item in items)


def _groups(ctx: Context, node: Node) -> tuple[Group, ...]:
    entries = ctx.mapping(node, "groups")
    if not entries:
        raise ctx.error(node, "'groups' is empty", "add at least one group with terms")
    groups = []
    for key, (key_node, value) in entries.items():
        _name(ctx, key_node, "group name")
        groups.append(_group(ctx, key, value))
    return tuple(groups)


def _group(ctx: Context, name: str, node: Node) -> Group:
    defaults: dict[str, tuple[Node, Node]] = {}
    description = ""
    terms_node = node
    if isinstance(node, MappingNode):
        fields = ctx.mapping(node, f"group {name!r}")
        check_keys(ctx, fields, GROUP_KEYS, f"group {name!r}")
        if "terms" not in fields:
            raise ctx.error(node, f"group {name!r} has no 'terms'", "add 'terms:' with a list")
        terms_node = fields["terms"][1]
        description = _text(ctx, fields, "description", "")
        defaults = {
            key: value for key, value in fields.items() if key not in ("terms", "description")
        }
    items = ctx.sequence(terms_node, f"the terms of group {name!r}")
    if not items:
        raise ctx.error(
            terms_node, f"group {name!r} has no terms", "list at least one term, e.g. '- embassy'"
        )
    return Group(name, tuple(_term(ctx, item, defaults, name) for item in items), description)


def _term(ctx: Context, node: Node, defaults: dict[str, tuple[Node, Node]], group: str) -> Term:
    fields: dict[str, tuple[Node, Node]] = dict(defaults)
    if isinstance(node, MappingNode):
        own = ctx.mapping(node, f"a term of group {group!r}")
        check_keys(ctx, own, TERM_KEYS, "term")
        if "text" not in own:
            raise ctx.error(node, "a term without 'text'", "add 'text: the words to find'")
        fields.update(own)
        text_node = own["text"][1]
    else:
        text_node = node
    text = _term_text(ctx, text_node, group)
    aliases = _strings(ctx, fields["aliases"][1], "aliases") if "aliases" in fields else ()
    for alias_node, alias in zip(_alias_nodes(fields), aliases, strict=False):
        if not tokenize(alias):
            raise ctx.error(alias_node, f"empty alias in term {text!r}", "remove it or add words")
    return Term(
        text=text,
        kind=_choice(ctx, fields, "kind", TERM_KINDS, "keyword"),  # type: ignore[arg-type]
        aliases=aliases,
        case_sensitive=_flag(ctx, fields, "case_sensitive", False),
        fuzzy=_fuzzy(ctx, fields),
        whole_word=_flag(ctx, fields, "whole_word", True),
        stem=_flag(ctx, fields, "stem", None),
    )


def _alias_nodes(fields: dict[str, tuple[Node, Node]]) -> list[Node]:
    node = fields["aliases"][1] if "aliases" in fields else None
    if isinstance(node, SequenceNode):
        return list(node.value)
    return [node] if node is not None else []


def _term_text(ctx: Context, node: Node, group: str) -> str:
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        raise ctx.error(
            node, f"empty term in group {group!r}", "write the words to find, or remove the line"
        )
    text = scalar(ctx, node, str, f"a term of group {group!r}").strip()
    if not tokenize(text):
        raise ctx.error(
            node,
            f"empty term {text!r} in group {group!r}",
            "a term needs at least one letter or digit",
        )
    return text


def _flag(ctx: Context, fields: dict[str, tuple[Node, Node]], key: str, default: T) -> bool | T:
    if key not in fields:
        return default
    return scalar(ctx, fields[key][1], bool, key)


def _fuzzy(ctx: Context, fields: dict[str, tuple[Node, Node]]) -> int | None:
    if "fuzzy" not in fields:
        return None
    node = fields["fuzzy"][1]
    value = ctx.construct(node)
    if value is False or value == "off":
        return 0
    if value is True or value == "auto":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_FUZZY:
        return value
    raise ctx.error(
        node,
        f"fuzzy must be 'auto', 'off' or a number of edits 0-{MAX_FUZZY}, not {value!r}",
        "use 'fuzzy: auto' (scaled by length), 'fuzzy: off', or e.g. 'fuzzy: 1'",
    )


def _ignore(ctx: Context, fields: dict[str, tuple[Node, Node]]) -> tuple[Term, ...]:
    if "ignore" not in fields:
        return ()
    items = ctx.sequence(fields["ignore"][1], "ignore")
    return tuple(_term(ctx, item, {}, "ignore") for item in items)


def _rules(ctx: Context, node: Node, groups: list[str]) -> tuple[Rule, ...]:
    items = ctx.sequence(node, "rules")
    if not items:
        raise ctx.error(node, "'rules' is empty", "add a rule such as '- any_of: [my-group]'")
    rules = []
    names: set[str] = set()
    for number, item in enumerate(items, start=1):
        rule = _rule(ctx, item, groups, number)
        if rule.name in names:
            raise ctx.error(
                item, f"two rules are named {rule.name!r}", "give each rule its own name"
            )
        names.add(rule.name)
        rules.append(rule)
    return tuple(rules)


def _rule(ctx: Context, node: Node, groups: list[str], number: int) -> Rule:
    fields = ctx.mapping(node, f"rule {number}")
    check_keys(ctx, fields, RULE_KEYS, "rule")

    def names(key: str) -> tuple[str, ...]:
        if key not in fields:
            return ()
        values = _strings(ctx, fields[key][1], key)
        for value_node, value in zip(_value_nodes(fields[key][1]), values, strict=False):
            check_reference(ctx, value_node, value, groups)
        return values

    def pairs(key: str) -> tuple[Near, ...]:
        if key not in fields:
            return ()
        return tuple(_near(ctx, item, groups) for item in _value_nodes(fields[key][1]))

    rule = Rule(
        name=_name(ctx, fields["name"][1], "rule name") if "name" in fields else f"rule-{number}",
        any_of=names("any_of"),
        all_of=names("all_of"),
        none_of=names("none_of"),
        near=pairs("near"),
        unless=pairs("unless"),
        scope=_choice(ctx, fields, "field", FIELD_SCOPES, "any"),  # type: ignore[arg-type]
        weight=check_number(ctx, fields["weight"][1], "weight", 0.0, 1.0)
        if "weight" in fields
        else 1.0,
    )
    if not rule.positive_groups:
        raise ctx.error(
            node,
            f"rule {rule.name!r} says nothing to look for",
            "give it 'any_of', 'all_of' or 'near' (a rule with only 'none_of' matches nothing)",
        )
    return rule


def _weight(ctx: Context, fields: dict[str, tuple[Node, Node]]) -> float:
    if "weight" not in fields:
        return 1.0
    return check_number(ctx, fields["weight"][1], "weight", 0.0, 1.0)


def _value_nodes(node: Node) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else [node]


def _near(ctx: Context, node: Node, groups: list[str]) -> Near:
    value = scalar(ctx, node, str, "near")
    found = NEAR_RE.match(value)
    if not found:
        raise ctx.error(
            node,
            f"cannot read near condition {value!r}",
            "write it as 'GROUP NEAR GROUP' (one sentence) or 'GROUP NEAR/N GROUP' (at most N"
            " words apart), or BEFORE, AFTER for an order, optionally followed by 'in title' or"
            " 'in summary', e.g. 'mission NEAR intrusion in title'",
        )
    left, operator, distance, right = found.group(1, 2, 3, 4)
    for name in (left, right):
        check_reference(ctx, node, name, groups)
    if distance is not None and int(distance) < 1:
        raise ctx.error(
            node, f"{operator} distance must be at least 1", f"{operator}/1 means adjacent words"
        )
    scope = found.group(5) or "any"
    window = None if distance is None else int(distance)
    return Near(left, right, window, scope, operator)  # type: ignore[arg-type]
