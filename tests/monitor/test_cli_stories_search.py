"""``newswatch stories search``: full text over titles and summaries, filters, a visible limit."""

from __future__ import annotations

import json
from pathlib import Path

from storage.database import migrate, open_engine
from tests.storage.test_search import seeded
from tests.support.cli import newswatch


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    engine = open_engine(f"sqlite:///{data / 'newswatch.db'}")
    migrate(engine)
    seeded(engine)
    engine.dispose()
    return data


def _titles(data: Path, *args: str) -> list[str]:
    ran = newswatch(data, "stories", "search", *args, "--json")
    assert ran.code == 0, ran.text
    return [s["title"] for s in json.loads(ran.stdout)]


def test_words_match_titles_and_summaries_not_substrings(tmp_path: Path) -> None:
    data = _data(tmp_path)
    assert set(_titles(data, "embassy raid")) == {
        "Police raid the Mexican embassy in Quito",
        "Mexico breaks off relations with Ecuador",
    }
    assert _titles(data, "mbass") == []  # whole words, not pieces of them
    assert _titles(data, "embass*") != []


def test_a_capped_list_says_how_many_there_are(tmp_path: Path) -> None:
    data = _data(tmp_path)
    ran = newswatch(data, "stories", "search", "embassy", "--limit", "1")
    assert ran.code == 0
    assert "showing 1 of 3 stories" in ran.stderr and "--limit 3" in ran.stderr


def test_filters_by_watchlist_feed_and_date(tmp_path: Path) -> None:
    data = _data(tmp_path)
    assert _titles(data, "embassy", "--watchlist", "embassy-raids") == [
        "Police raid the Mexican embassy in Quito"
    ]
    assert len(_titles(data, "embassy", "--feed", "https://mx.example/rss")) == 2
    # The seeded stories were first seen in April 2026.
    assert _titles(data, "", "--since", "2026-04-07") != []
    assert _titles(data, "", "--until", "2026-04-01") == []
    assert _titles(data, "", "--since", "1d") == []  # nothing was seen in the last day


def test_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    ran = newswatch(_data(tmp_path), "stories", "search", "x", "--since", "last tuesday")
    assert ran.code == 2 and "--since" in ran.stderr
    assert "neither an age" in ran.stderr and "2026-04-05" in ran.stderr
