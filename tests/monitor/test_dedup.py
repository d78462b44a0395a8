"""Tests of the deduplicator: identity rules, look-alikes that must stay apart, the eval set.

Pure tests; they read the shared eval file and feed fixtures when present, nothing else.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.dedup import DedupInputError, DedupItem, Deduplicator, dedup_jsonl

NOW = datetime(2024, 4, 6, 12, 0, tzinfo=UTC)
EVAL = Path(__file__).parents[2].parent / "shared/eval/stories.jsonl"

WIRE = (
    "Police in Ecuador broke into the Mexican Embassy in Quito late Friday and arrested former "
    "Vice President Jorge Glas, hours after Mexico granted him political asylum. Mexican "
    "President Andres Manuel Lopez Obrador called the raid an authoritarian act."
)
WIRE_EDITED = (
    "Police in Ecuador broke into Mexico's embassy in Quito late Friday and arrested former "
    "Vice President Jorge Glas, just hours after Mexico had granted him political asylum. "
    "President Andres Manuel Lopez Obrador called it an authoritarian act."
)
OTHER = (
    "Freezing rain coated trees and power lines across the Portland metro area, knocking out "
    "electricity to tens of thousands of customers and closing schools for a third day."
)


def item(ident: str, **fields: object) -> DedupItem:
    base: dict[str, object] = {
        "id": ident,
        "feed": "https://apnews.com/feed",
        "guid": None,
        "url": f"https://apnews.com/article/{ident}",
        "title": "Ecuador police raid Mexican Embassy to arrest former vice president Jorge Glas",
        "summary": WIRE,
        "published": NOW - timedelta(hours=1),
        "source": "AP",
    }
    base.update(fields)
    return DedupItem(**base)  # type: ignore[arg-type]


def run(*items: DedupItem) -> list[tuple[str, str, str]]:
    dedup = Deduplicator()
    out = []
    for step, it in enumerate(items):
        decision = dedup.decide(it, NOW + timedelta(minutes=step))
        out.append((decision.kind, decision.story, decision.cluster))
    return out


# -- identity rules --------------------------------------------------------------------

IDENTITY = [
    ("same-guid-same-feed", item("a", guid="g1"), item("b", guid="g1"), ("same", "a", "a")),
    (
        "same-guid-edited-headline",
        item("a", guid="g1"),
        item("b", guid="g1", url="https://apnews.com/article/a", title="Mexico cuts ties"),
        ("update", "a", "a"),
    ),
    ("rotating-guid-same-url", item("a", guid="g1"), item("b", guid="g2"), ("same", "a", "a")),
    (
        "tracking-params-same-url",
        item("a"),
        item("b", url="https://apnews.com/article/a?utm_source=rss&utm_medium=feed"),
        ("same", "a", "a"),
    ),
    (
        "http-and-https",
        item("a"),
        item("b", url="http://www.apnews.com/article/a"),
        ("same", "a", "a"),
    ),
    (
        "amp-variant",
        item("a"),
        item("b", url="https://apnews.com/article/a/amp"),
        ("same", "a", "a"),
    ),
    (
        "same-url-updated-headline",
        item("a"),
        item("b", url="https://apnews.com/article/a", title="Mexico cuts ties"),
        ("update", "a", "a"),
    ),
    (
        "html-and-entities-only",
        item("a"),
        item("b", url=None, summary=f"<p>{WIRE}</p>"),
        ("same", "a", "a"),
    ),
    ("identical-text-same-feed-new-url", item("a"), item("b"), ("same", "a", "a")),
    (
        "identical-text-other-feed",
        item("a"),
        item("b", feed="https://abcnews.go.com/rss", url="https://abcnews.go.com/x/b"),
        ("cluster", "b", "a"),
    ),
    (
        "wire-copy-light-edit",
        item("a"),
        item(
            "b",
            feed="https://abcnews.go.com/rss",
            url="https://abcnews.go.com/x/b",
            summary=WIRE_EDITED,
        ),
        ("cluster", "b", "a"),
    ),
    (
        "other-feed-same-url",
        item("a"),
        item("b", feed="https://apnews.com/world", url="https://apnews.com/article/a"),
        ("same", "a", "a"),
    ),
    ("no-url-no-guid-identical", item("a", url=None), item("b", url=None), ("same", "a", "a")),
]


@pytest.mark.parametrize(
    ("first", "second", "expected"), [c[1:] for c in IDENTITY], ids=[c[0] for c in IDENTITY]
)
def test_identity_rules(first: DedupItem, second: DedupItem, expected: tuple[str, ...]) -> None:
    assert run(first, second)[1] == expected


def test_guid_shared_by_every_item_loses_nothing() -> None:
    a = item("a", guid="same-for-all")
    b = item(
        "b", guid="same-for-all", title="Ice storm leaves thousands without power", summary=OTHER
    )
    assert [k for k, _, _ in run(a, b)] == ["new", "new"]


def test_repeated_fetch_of_reused_guid_feed_is_same() -> None:
    a = item("a", guid="x")
    b = item("b", guid="x", title="Ice storm leaves thousands without power", summary=OTHER)
    dedup = Deduplicator()
    kinds = [dedup.decide(it, NOW).kind for it in (a, b, replace(a, id="a2"), replace(b, id="b2"))]
    assert kinds == ["new", "new", "same", "same"]


def test_remember_seeds_identity() -> None:
    dedup = Deduplicator()
    dedup.remember(item("stored", guid="g"), story="s1", cluster="c1")
    decision = dedup.decide(item("b", guid="g"), NOW)
    assert (decision.kind, decision.story, decision.cluster) == ("same", "s1", "c1")


def test_fingerprint_is_stable_hex() -> None:
    fp = Deduplicator.fingerprint(item("a"))
    assert fp == Deduplicator.fingerprint_of(item("a").title, f"<p>{WIRE}</p>")
    assert len(fp) == 32 and int(fp, 16) >= 0


# -- the eval set ------------------------------------------------------------------------


def pairwise(gold: dict[str, str], pred: dict[str, str]) -> tuple[float, float]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_gold, same_pred = gold[a] == gold[b], pred[a] == pred[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


@pytest.mark.skipif(not EVAL.exists(), reason="shared eval set not present")
def test_eval_pairwise_precision_and_recall() -> None:
    lines = EVAL.read_text(encoding="utf-8").splitlines()
    gold = {json.loads(line)["id"]: json.loads(line)["cluster"] for line in lines if line.strip()}
    pred = {row["id"]: row["cluster"] for row in dedup_jsonl(lines)}
    precision, recall = pairwise(gold, pred)
    assert precision == 1.0
    assert recall >= 0.95


# -- the JSONL driver ------------------------------------------------------------------


def test_jsonl_yields_clusters_in_order() -> None:
    rows = [
        {"id": "1", "title": "A headline", "summary": WIRE, "url": "https://x.com/a"},
        {"id": "2", "title": "A headline", "summary": WIRE, "url": "https://x.com/a?utm_source=x"},
        {"id": "3", "title": "Ice storm", "summary": OTHER, "published": "2024-01-17T15:00:00Z"},
    ]
    out = list(dedup_jsonl(json.dumps(r) for r in rows))
    assert out == [
        {"id": "1", "cluster": "1"},
        {"id": "2", "cluster": "1"},
        {"id": "3", "cluster": "3"},
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        "[1, 2]",
        '{"title": "no id"}',
        '{"id": "1", "title": "t", "published": "x"}',
        '{"id": "1", "title": "t", "url": 5}',
    ],
    ids=["not-json", "not-object", "missing-id", "bad-date", "url-not-string"],
)
def test_jsonl_bad_line_names_its_number(bad: str) -> None:
    good = json.dumps({"id": "ok", "title": "fine", "summary": ""})
    with pytest.raises(DedupInputError, match="line 3"):
        list(dedup_jsonl([good, "", bad]))
