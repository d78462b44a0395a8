"""A JSON Schema (draft 2020-12) of the watchlist file format, for editors and validators.

Pure. The loader is the authority (it also checks group references and NEAR syntax
in depth); the schema describes the same shape for tools that speak JSON Schema.
"""

from __future__ import annotations

from typing import Any

from watchlists.model import FIELD_SCOPES, PRIORITIES, TERM_KINDS

NAME_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
NEAR_PATTERN = (
    r"^\s*[A-Za-z0-9_-]+\s+(NEAR|BEFORE|AFTER)(/[0-9]+)?\s+[A-Za-z0-9_-]+"
    r"(\s+in\s+(title|summary|any))?\s*$"
)


def _one_or_many(item: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [item, {"type": "array", "items": item}]}


def _term_schema() -> dict[str, Any]:
    options: dict[str, Any] = {
        "kind": {"enum": list(TERM_KINDS), "default": "keyword"},
        "case_sensitive": {"type": "boolean", "default": False},
        "fuzzy": {
            "description": "'auto' (by length, names only), 'off', or the most edits allowed",
            "oneOf": [
                {"enum": ["auto", "off", True, False]},
                {"type": "integer", "minimum": 0, "maximum": 3},
            ],
        },
        "whole_word": {"type": "boolean", "default": True},
        "stem": {"type": "boolean", "description": "match inflected forms (default: keywords)"},
    }
    mapping = {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "minLength": 1},
            "aliases": _one_or_many({"type": "string", "minLength": 1}),
            **options,
        },
    }
    return {
        "term": {"oneOf": [{"type": ["string", "number"], "minLength": 1}, mapping]},
        "options": options,
    }


def watchlist_json_schema() -> dict[str, Any]:
    """The JSON Schema of one watchlist file (as parsed from YAML)."""
    term = _term_schema()
    terms = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/term"}}
    group = {
        "oneOf": [
            terms,
            {
                "type": "object",
                "required": ["terms"],
                "additionalProperties": False,
                "properties": {
                    "terms": terms,
                    "description": {"type": "string"},
                    **term["options"],
                },
            },
        ]
    }
    names = _one_or_many({"type": "string", "pattern": NAME_PATTERN})
    near = _one_or_many({"type": "string", "pattern": NEAR_PATTERN})
    rule = {
        "type": "object",
        "additionalProperties": False,
        "anyOf": [{"required": ["any_of"]}, {"required": ["all_of"]}, {"required": ["near"]}],
        "properties": {
            "name": {"type": "string", "pattern": NAME_PATTERN},
            "any_of": names,
            "all_of": names,
            "none_of": names,
            "near": near,
            "unless": near,
            "field": {"enum": list(FIELD_SCOPES), "default": "any"},
            "weight": {"type": "number", "minimum": 0, "maximum": 1, "default": 1},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://newswatch.invalid/schemas/watchlist.json",
        "title": "newswatch watchlist",
        "type": "object",
        "required": ["name", "groups", "rules"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "pattern": NAME_PATTERN},
            "description": {"type": ["string", "null"]},
            "priority": {"enum": list(PRIORITIES), "default": "digest"},
            "min_score": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5},
            "tags": _one_or_many({"type": "string"}),
            "groups": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": NAME_PATTERN},
                "additionalProperties": {"$ref": "#/$defs/group"},
            },
            "ignore": {"type": "array", "items": {"$ref": "#/$defs/term"}},
            "rules": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/rule"}},
        },
        "$defs": {"term": term["term"], "group": group, "rule": rule},
    }
