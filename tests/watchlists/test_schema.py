"""The JSON Schema describes every built-in watchlist and refuses obvious mistakes."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from watchlists.builtin import builtin_watchlist_texts
from watchlists.schema import watchlist_json_schema

jsonschema = pytest.importorskip("jsonschema")


def validator() -> Any:
    schema = watchlist_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", list(builtin_watchlist_texts()))
def test_builtin_valid(name: str) -> None:
    data = yaml.safe_load(builtin_watchlist_texts()[name])
    errors = [error.message for error in validator().iter_errors(data)]
    assert errors == []


BAD = [
    ("unknown-key", {"name": "x", "groups": {"g": ["a"]}, "rules": [{"any_of": ["g"]}], "z": 1}),
    ("no-rules", {"name": "x", "groups": {"g": ["a"]}}),
    ("bad-near", {"name": "x", "groups": {"g": ["a"]}, "rules": [{"near": "g NEAR/x g"}]}),
    (
        "bad-priority",
        {"name": "x", "priority": "now", "groups": {"g": ["a"]}, "rules": [{"any_of": ["g"]}]},
    ),
]


@pytest.mark.parametrize("data", [c[1] for c in BAD], ids=[c[0] for c in BAD])
def test_invalid_refused(data: dict[str, Any]) -> None:
    assert list(validator().iter_errors(data))
