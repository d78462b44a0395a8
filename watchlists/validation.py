"""Checks used by the loader on the YAML node tree, each raising a ``WatchlistError`` with a line.

Pure. Nodes come from ``yaml.compose`` so every value knows where it was written.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, TypeVar

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from watchlists.errors import WatchlistError

T = TypeVar("T")
_TYPE_NAMES = {str: "text", bool: "true or false", int: "a whole number", float: "a number"}


class Context:
    """Where we are: the file name, and helpers turning nodes into Python values."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._constructor = SafeConstructor()

    def error(self, node: Node | None, message: str, hint: str | None = None) -> WatchlistError:
        """A ``WatchlistError`` at ``node``'s line."""
        line = node.start_mark.line + 1 if node is not None else None
        return WatchlistError(message, path=self.path, line=line, hint=hint)

    def construct(self, node: Node) -> Any:
        """The plain Python value of a scalar node."""
        if not isinstance(node, ScalarNode):
            raise self.error(node, "expected a single value here, not a list or mapping")
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            raise self.error(node, f"cannot read value: {exc.problem}") from exc

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
        """Key text -> (key node, value node), refusing duplicates and non-text keys."""
        if not isinstance(node, MappingNode):
            raise self.error(node, f"{what} must be a mapping of 'key: value' lines")
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self.construct(key_node)
            if not isinstance(key, str):
                raise self.error(key_node, f"key {key!r} in {what} is not text")
            if key in result:
                raise self.error(
                    key_node,
                    f"duplicate key {key!r} in {what}",
                    f"keep one '{key}:' (the first is on line {_line(result[key][0])})",
                )
            result[key] = (key_node, value_node)
        return result

    def sequence(self, node: Node, what: str) -> list[Node]:
        """The items of a list node."""
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, SequenceNode):
            raise self.error(
                node, f"{what} must be a list", "write one item per line, each starting with '- '"
            )
        return list(node.value)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The most similar of ``choices`` (difflib), or None when nothing is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def check_keys(
    ctx: Context, fields: dict[str, tuple[Node, Node]], allowed: tuple[str, ...], what: str
) -> None:
    """Refuse keys that are not in ``allowed``, suggesting the nearest one."""
    for key, (key_node, _value) in fields.items():
        if key in allowed:
            continue
        suggestion = closest(key, allowed)
        hint = f"did you mean {suggestion!r}?" if suggestion else f"allowed: {', '.join(allowed)}"
        raise ctx.error(key_node, f"unknown key {key!r} in {what}", hint)


def check_reference(ctx: Context, node: Node, name: str, groups: list[str]) -> None:
    """Refuse a rule naming a group that does not exist."""
    if name in groups:
        return
    suggestion = closest(name, groups)
    hint = f"did you mean {suggestion!r}?" if suggestion else f"groups: {', '.join(groups)}"
    raise ctx.error(node, f"rule names unknown group {name!r}", hint)


def check_number(ctx: Context, node: Node, what: str, low: float, high: float) -> float:
    """A number in ``(low, high]`` (``low`` itself allowed when it is 0 for thresholds)."""
    value = ctx.construct(node)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ctx.error(node, f"{what} must be a number, not {value!r}", f"e.g. '{what}: 0.5'")
    if not low <= value <= high:
        raise ctx.error(
            node, f"{what} {value} is out of range", f"use a number from {low:g} to {high:g}"
        )
    return float(value)


def scalar(ctx: Context, node: Node, kind: type[T], what: str) -> T:
    """A scalar of type ``kind``; numbers are accepted as text where text is expected."""
    value = ctx.construct(node)
    if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        value = node.value
    if kind is not bool and isinstance(value, bool) and kind is str:
        raise ctx.error(
            node,
            f"{what} must be {_TYPE_NAMES[str]}, got {value!r}",
            f"YAML reads {node.value!r} as true/false; put it in quotes: '{node.value}'",
        )
    if not isinstance(value, kind):
        expected = _TYPE_NAMES.get(kind, kind.__name__)
        shown = value if value is not None else "nothing"
        raise ctx.error(node, f"{what} must be {expected}, got {shown!r}", None)
    return value


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1
