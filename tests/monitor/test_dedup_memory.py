"""The deduplicator's compact memory: the packed sketch index, compressed texts, boilerplate cuts.

Pure, no I/O. These parts were rebuilt to keep 100,000 stories in about 130 MB; the tests
pin what a user relies on: copies are still found, forgotten stories never come back,
a boilerplate phrase shared by many stories does not make them all candidates, and a text
that crossed a process boundary compares exactly as it did before.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from monitor.dedup.deduplicator import Deduplicator
from monitor.dedup.features import DedupItem, dedup_features
from monitor.dedup.fingerprint import strip_boilerplate
from monitor.dedup.index import MAX_CANDIDATES, POSTING_CAP, SketchIndex
from monitor.dedup.similarity import ItemText, similar

NOW = datetime(2026, 4, 6, 12, 0, tzinfo=UTC)
WIRE = (
    "Police in Ecuador broke into the Mexican Embassy in Quito late Friday and arrested former "
    "Vice President Jorge Glas, hours after Mexico granted him political asylum."
)


def test_candidates_rank_by_shared_samples_and_stop_at_the_limit() -> None:
    index: SketchIndex[str] = SketchIndex()
    for n in range(MAX_CANDIDATES + 4):
        index.add(f"weak-{n}", (1, 2, 100 + n))  # shares two samples with the query
    index.add("strong", (1, 2, 3, 4))  # shares four
    found = index.candidates((1, 2, 3, 4))
    assert found[0] == "strong"
    assert len(found) == MAX_CANDIDATES


def test_one_shared_sample_is_chance_not_a_candidate() -> None:
    index: SketchIndex[str] = SketchIndex()
    index.add("a", (10, 20, 30))
    assert index.candidates((10, 99, 98)) == []
    assert index.candidates((10, 20, 98)) == ["a"]


def test_a_removed_item_is_never_returned_and_its_handle_serves_a_new_one() -> None:
    index: SketchIndex[str] = SketchIndex()
    old = index.add("old", (5, 6, 7))
    index.remove(old, (5, 6, 7))
    assert index.candidates((5, 6, 7)) == [] and len(index) == 0
    new = index.add("new", (8, 9))
    assert new == old  # the handle is reused ...
    assert index.candidates((5, 6, 7)) == []  # ... without the old item's postings
    assert index.candidates((8, 9)) == ["new"]


def test_hashes_in_one_bucket_are_told_apart_by_their_low_half() -> None:
    index: SketchIndex[str] = SketchIndex()
    high = 0xABCD0000  # same bucket, different low halves
    index.add("a", (high + 1, high + 2))
    index.add("b", (high + 3, high + 4))
    assert index.candidates((high + 1, high + 2)) == ["a"]
    assert index.candidates((high + 3, high + 4)) == ["b"]


def test_a_phrase_sampled_by_very_many_stories_is_skipped() -> None:
    index: SketchIndex[str] = SketchIndex()
    for n in range(POSTING_CAP + 10):
        index.add(f"s{n}", (7, 8, 1000 + n))  # "7 8": boilerplate every story shares
    assert index.candidates((7, 8)) == []  # no flood of candidates to verify
    assert index.candidates((7, 1000, 2000)) == []  # one real sample is still chance
    index.add("twin", (7, 5000, 5001))
    assert index.candidates((5000, 5001)) == ["twin"]


def test_a_text_that_crossed_a_process_boundary_compares_as_before() -> None:
    original = ItemText("Ecuador police raid Mexico's embassy in Quito", WIRE)
    shipped = pickle.loads(pickle.dumps(original))
    for field in ("title", "summary", "names", "bigrams", "vocabulary", "title_words"):
        assert getattr(shipped, field) == getattr(original, field), field
    assert (shipped.numbers, shipped.informative, shipped.title_case) == (
        original.numbers,
        original.informative,
        original.title_case,
    )
    copy = ItemText("Police raid Mexican embassy in Quito", WIRE + " The post appeared first on X.")
    assert similar(shipped, copy) and similar(original, copy)


def test_a_stored_text_compacted_and_reopened_still_finds_its_copy() -> None:
    dedup = Deduplicator()
    first = DedupItem("a", "feed-a", "g1", "https://a.example/1", "Embassy raided", WIRE, NOW)
    copy = DedupItem("b", "feed-b", "g2", "https://b.example/9", "Embassy raided", WIRE, NOW)
    features = dedup_features(copy.title, copy.summary, copy.url)
    assert dedup.decide(first, NOW).kind == "new"
    decision = dedup.decide(copy, NOW, pickle.loads(pickle.dumps(features)))
    assert (decision.kind, decision.cluster) == ("cluster", "a")


def test_stories_out_of_the_window_stop_matching_and_their_memory_is_reused() -> None:
    dedup = Deduplicator(window=timedelta(days=1), retain=timedelta(days=2))
    dedup.decide(DedupItem("a", "f1", "g1", None, "Embassy raided", WIRE, NOW), NOW)
    later = NOW + timedelta(days=3)
    other = DedupItem("b", "f2", "g2", None, "Embassy raided", WIRE, later)
    assert dedup.decide(other, later).kind == "new"  # "a" was forgotten, not merged
    again = DedupItem("c", "f3", "g3", None, "Embassy raided", WIRE, later)
    assert dedup.decide(again, later).cluster == "b"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Raid in Quito. Continue reading…", "Raid in Quito."),
        ("Raid in Quito. CLICK HERE for more", "Raid in Quito."),
        ("Raid in Quito. \u017fee more", "Raid in Quito."),  # long s: a regex ignores case
        ("Raid in Quito. L\u0130RE la suite", "Raid in Quito."),  # dotted capital I
        ("Raid in Quito. Mehr lesen", "Raid in Quito."),
        ("Raid in Quito, readers said.", "Raid in Quito, readers said."),  # no tail to cut
    ],
)
def test_boilerplate_tails_are_cut_whatever_their_case(text: str, expected: str) -> None:
    assert strip_boilerplate(text) == expected
