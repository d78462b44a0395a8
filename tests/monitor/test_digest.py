"""Digest content: one item per story cluster, grouped by watchlist, capped, explained."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.digests.compose import DigestContent, build_digest
from monitor.digests.render import render_text
from tests.monitor.digest_samples import (
    BARCENA,
    ICJ,
    NOW,
    RAID,
    match,
    sample_content,
    story,
    subscription,
)


def test_a_story_matching_two_watchlists_appears_once_under_its_best() -> None:
    content = sample_content()
    titles = [e.title for s in content.sections for e in s.entries]
    assert titles.count(RAID.title) == 1
    sections = {s.watchlist: [e.title for e in s.entries] for s in content.sections}
    assert sections == {
        "embassy-raids": [RAID.title, BARCENA.title],  # best score first
        "vienna-conventions": [ICJ.title],
    }
    raid = content.sections[0].entries[0]
    assert raid.watchlists == ("embassy-raids", "vienna-conventions")
    assert "Vienna Convention on Diplomatic Relations" in raid.terms  # why, from both lists


def test_syndicated_copies_fold_into_one_item_with_its_other_sources() -> None:
    copy = story(9, RAID.title, RAID.summary, cluster=RAID.cluster_key, source="World Wire")
    content = build_digest(
        "nwd_x",
        subscription(),
        [match(RAID, "embassy-raids", 0.9, "Jorge Glas"), match(copy, "embassy-raids", 0.9)],
        NOW,
    )
    [entry] = [e for s in content.sections for e in s.entries]
    assert entry.source == "Andes Wire"
    assert entry.also_reported_by == ("World Wire",)


def test_absurd_or_missing_dates_fall_back_to_the_first_seen_time() -> None:
    content = sample_content()
    by_title = {e.title: e for s in content.sections for e in s.entries}
    assert by_title[RAID.title].published == "2024-04-06T03:05:00+00:00"
    assert not by_title[RAID.title].first_seen
    for absurd in (ICJ, BARCENA):  # the year 1716; no date at all
        assert by_title[absurd.title].first_seen
        assert by_title[absurd.title].published == absurd.first_seen_at.isoformat()
    future = story(5, "From the future", "x", published=NOW + timedelta(days=30))
    entry = build_digest("d", subscription(), [match(future, "w", 1.0)], NOW).sections[0]
    assert entry.entries[0].first_seen


def test_times_read_in_the_subscribers_zone() -> None:
    text = render_text(sample_content())
    assert "2024-04-06 05:05 CEST" in text  # 03:05 UTC in Madrid
    assert "first seen 2024-04-06 06:30 CEST" in text


def test_matched_terms_are_highlighted_inside_the_snippet() -> None:
    entry = sample_content().sections[0].entries[0]
    marked = [entry.snippet[h.start : h.end] for h in entry.highlights]
    assert marked == ["Mexican embassy", "Jorge Glas", "Vienna Convention on Diplomatic Relations"]


def test_a_long_summary_is_cut_around_the_first_hit_and_keeps_its_highlight() -> None:
    summary = "Filler sentence about the weather. " * 20 + "Jorge Glas was arrested. " + "x " * 200
    long = story(6, "Long", summary)
    entry = build_digest("d", subscription(), [match(long, "w", 1.0, "Jorge Glas")], NOW)
    [item] = entry.sections[0].entries
    assert item.snippet.startswith("… ") and item.snippet.endswith(" …")
    assert len(item.snippet) < 340
    assert [item.snippet[h.start : h.end] for h in item.highlights] == ["Jorge Glas"]


def test_a_cap_counts_the_rest_as_more_and_still_records_them_as_delivered() -> None:
    stories = [story(100 + i, f"Story {i}", "Jorge Glas", published=NOW) for i in range(5)]
    candidates = [
        match(s, "embassy-raids", 0.5 + i / 100, "Jorge Glas") for i, s in enumerate(stories)
    ]
    content = build_digest("d", subscription(), candidates, NOW, cap=2)
    [section] = content.sections
    assert [e.title for e in section.entries] == ["Story 4", "Story 3"]
    assert section.more == 3 and content.total == 5
    assert len(content.clusters) == 5  # the outbox records all five: none comes back later
    text = render_text(content)
    assert "… +3 more in embassy-raids" in text
    assert "== embassy-raids (5) ==" in text


def test_content_survives_the_outbox_round_trip_unchanged() -> None:
    content = sample_content(cap=1)
    assert DigestContent.from_json(content.to_json()) == content


def test_an_empty_digest_says_nothing_is_new() -> None:
    content = build_digest("d", subscription(), [], NOW)
    assert content.total == 0
    assert "nothing new" in render_text(content)


def test_the_footer_says_how_to_manage_the_subscription() -> None:
    text = render_text(sample_content())
    assert "newswatch subscription show 7" in text and "pause 7" in text and "remove 7" in text


def test_created_time_is_stored_in_utc() -> None:
    madrid_now = NOW.astimezone(UTC)
    content = build_digest("d", subscription(), [], madrid_now)
    assert datetime.fromisoformat(content.created_at).utcoffset() == timedelta(0)
