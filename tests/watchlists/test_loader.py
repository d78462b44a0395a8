"""Loading watchlist YAML: invalid cases name the line and give a hint; export round-trips."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from watchlists.builtin import BUILTIN_NAMES, builtin_watchlist_texts, builtin_watchlists
from watchlists.errors import NewswatchError, WatchlistError
from watchlists.loader import dump_watchlist, parse_watchlist
from watchlists.model import Near

VALID = """\
name: demo
groups:
  mission:
    - embassy
rules:
  - any_of: [mission]
"""

INVALID_CASES = [
    # id, text, line, message fragment, hint fragment
    ("yaml-syntax", "name: demo\ngroups: [a\nrules: []\n", 3, "not valid YAML", "indentation"),
    ("empty-file", "", None, "empty", "name:"),
    ("not-a-mapping", "- a\n- b\n", 1, "must be a mapping", None),
    (
        "missing-rules",
        "name: demo\ngroups:\n  g: [x]\n",
        1,
        "missing required key 'rules'",
        "rules:",
    ),
    ("unknown-top-key", VALID + "priorty: instant\n", 7, "unknown key 'priorty'", "'priority'"),
    (
        "unknown-term-key",
        VALID.replace("- embassy", "- text: embassy\n      alias: [x]"),
        5,
        "unknown key 'alias' in term",
        "'aliases'",
    ),
    ("unknown-rule-key", VALID.replace("any_of", "anyof"), 6, "unknown key 'anyof'", "'any_of'"),
    (
        "unknown-group-in-rule",
        VALID.replace("any_of: [mission]", "any_of: [misson]"),
        6,
        "unknown group 'misson'",
        "'mission'",
    ),
    (
        "unknown-group-in-near",
        VALID.replace("any_of: [mission]", "near: mission NEAR/3 raid"),
        6,
        "unknown group 'raid'",
        None,
    ),
    (
        "bad-near-syntax",
        VALID.replace("any_of: [mission]", "near: mission NEAR 3 mission"),
        6,
        "cannot read near",
        "NEAR/N",
    ),
    (
        "near-zero",
        VALID.replace("any_of: [mission]", "near: mission NEAR/0 mission"),
        6,
        "at least 1",
        None,
    ),
    ("empty-term", VALID.replace("- embassy", "- ''"), 4, "empty term", "letter"),
    ("null-term", VALID.replace("- embassy", "-"), 4, "empty term", None),
    ("punctuation-only-term", VALID.replace("- embassy", "- '--'"), 4, "empty term", None),
    (
        "empty-alias",
        VALID.replace("- embassy", "- text: embassy\n      aliases: ['!']"),
        5,
        "empty alias",
        None,
    ),
    ("empty-group", VALID.replace("    - embassy\n", "    []\n"), 4, "has no terms", None),
    (
        "no-groups",
        "name: demo\ngroups: {}\nrules:\n  - any_of: [x]\n",
        2,
        "'groups' is empty",
        None,
    ),
    ("no-rules", "name: demo\ngroups:\n  g: [x]\nrules: []\n", 4, "'rules' is empty", None),
    (
        "threshold-too-high",
        VALID + "min_score: 1.5\n",
        7,
        "min_score 1.5 is out of range",
        "0 to 1",
    ),
    ("threshold-not-number", VALID + "min_score: high\n", 7, "min_score must be a number", None),
    ("bad-priority", VALID + "priority: instnat\n", 7, "priority 'instnat'", "'instant'"),
    (
        "bad-kind",
        VALID.replace("- embassy", "- text: embassy\n      kind: persn"),
        5,
        "kind 'persn'",
        "'person'",
    ),
    (
        "bad-fuzzy",
        VALID.replace("- embassy", "- text: embassy\n      fuzzy: 9"),
        5,
        "fuzzy",
        "auto",
    ),
    (
        "bool-wrong-type",
        VALID.replace("- embassy", "- text: embassy\n      case_sensitive: maybe"),
        5,
        "case_sensitive must be true or false",
        None,
    ),
    ("yaml-boolean-term", VALID.replace("- embassy", "- no"), 4, "must be text", "quotes"),
    ("term-is-list", VALID.replace("- embassy", "- [a, b]"), 4, "expected a single value", None),
    (
        "bad-name",
        VALID.replace("name: demo", "name: Demo List"),
        1,
        "not a valid name",
        "lower-case",
    ),
    ("duplicate-key", VALID + "name: again\n", 7, "duplicate key 'name'", "line 1"),
    (
        "rule-without-positive",
        VALID.replace("any_of: [mission]", "none_of: [mission]"),
        6,
        "says nothing to look for",
        "any_of",
    ),
    (
        "duplicate-rule-names",
        VALID + "  - name: a\n    any_of: [mission]\n  - name: a\n    any_of: [mission]\n",
        9,
        "two rules are named 'a'",
        None,
    ),
    (
        "weight-out-of-range",
        VALID.replace("any_of: [mission]", "any_of: [mission]\n    weight: 2"),
        7,
        "weight 2 is out of range",
        None,
    ),
    (
        "group-without-terms",
        VALID.replace("    - embassy\n", "    kind: person\n"),
        4,
        "has no 'terms'",
        None,
    ),
    ("yaml-alias", VALID + "ignore: &x [a]\ntags: *x\n", 7, "anchors and aliases", "in full"),
    (
        "unknown-group-in-unless",
        VALID.replace("any_of: [mission]", "any_of: [mission]\n    unless: mission NEAR/2 nope"),
        7,
        "unknown group 'nope'",
        None,
    ),
    ("two-documents", VALID + "---\nname: other\n", 7, "not valid YAML", None),
]


@pytest.mark.parametrize(
    ("text", "line", "message", "hint"),
    [c[1:] for c in INVALID_CASES],
    ids=[c[0] for c in INVALID_CASES],
)
def test_invalid(text: str, line: int | None, message: str, hint: str | None) -> None:
    with pytest.raises(WatchlistError) as caught:
        parse_watchlist(text, path="lists/demo.yaml")
    error = caught.value
    assert isinstance(error, NewswatchError) and isinstance(error, ValueError)
    assert error.path == "lists/demo.yaml"
    assert error.line == line
    assert message in str(error)
    expected_prefix = "lists/demo.yaml" + (f":{line}" if line else "")
    assert str(error).startswith(expected_prefix + ": ")
    if hint is not None:
        assert error.hint is not None and hint in error.hint


def test_valid_minimal() -> None:
    watchlist = parse_watchlist(VALID)
    assert watchlist.name == "demo"
    assert watchlist.priority == "digest" and watchlist.min_score == 0.5
    assert watchlist.rules[0].name == "rule-1"


def test_group_defaults_apply_to_terms() -> None:
    text = """\
name: demo
groups:
  people:
    kind: person
    fuzzy: off
    terms:
      - Jorge Glas
      - text: AMLO
        kind: acronym
        case_sensitive: true
rules:
  - near: people NEAR/2 people in title
"""
    watchlist = parse_watchlist(text)
    glas, amlo = watchlist.group("people").terms
    assert (glas.kind, glas.fuzzy) == ("person", 0)
    assert (amlo.kind, amlo.case_sensitive, amlo.fuzzy) == ("acronym", True, 0)
    assert watchlist.rules[0].near == (Near("people", "people", 2, "title"),)


def test_numbers_are_text_terms() -> None:
    watchlist = parse_watchlist(VALID.replace("- embassy", "- 1961"))
    assert watchlist.groups[0].terms[0].text == "1961"


@pytest.mark.parametrize("name", BUILTIN_NAMES, ids=BUILTIN_NAMES)
def test_dump_round_trips(name: str) -> None:
    (watchlist,) = [w for w in builtin_watchlists() if w.name == name]
    assert parse_watchlist(dump_watchlist(watchlist)) == watchlist


def test_builtins_are_exactly_four() -> None:
    assert list(builtin_watchlist_texts()) == [
        "embassy-raids",
        "vienna-conventions",
        "ice-consulates",
        "ecuador-mexico",
    ]
    assert [w.name for w in builtin_watchlists()] == list(BUILTIN_NAMES)


def test_format_doc_example_parses() -> None:
    doc = (Path(__file__).parents[2] / "watchlists" / "FORMAT.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"## A complete example\n\n```yaml\n(.*?)```", doc, re.S)
    watchlist = parse_watchlist(example, path="FORMAT.md")
    assert watchlist.name == "embassy-raids"
    assert {r.name for r in watchlist.rules} == {"headline", "named-person", "story"}
