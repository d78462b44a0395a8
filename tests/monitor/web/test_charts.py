"""The console's SVG charts: feed health over time, pure (rows in, SVG out), and on the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from sqlalchemy.engine import Engine

from monitor.clock import utcnow
from monitor.config import Settings
from monitor.web import charts
from storage.feeds import add_feed, record_feed_error
from tests.support.web import RAID, store_stories, web_server

D1, D2 = date(2024, 4, 6), date(2024, 4, 7)


@dataclass(frozen=True)
class Row:
    feed_url: str
    day: date
    polls: int
    failures: int
    state: str


ROWS = [
    Row("https://a.example/rss", D1, 96, 0, "healthy"),
    Row("https://b.example/rss", D1, 90, 3, "degraded"),
    Row("https://a.example/rss", D2, 96, 0, "healthy"),
    Row("https://b.example/rss", D2, 12, 12, "failing"),
    Row("https://<c>.example/rss", D2, 5, 1, "odd-state"),
]


def _bars(svg: str) -> list[str]:
    return re.findall(r'fill="(#[0-9a-f]{6})"><title>([^<]+)</title>', svg)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (ROWS[:2], {("#1a7f37", "healthy, 2024-04-06: 1"), ("#d4a72c", "degraded, 2024-04-06: 1")}),
        (
            ROWS[2:],
            {
                ("#1a7f37", "healthy, 2024-04-07: 1"),
                ("#d1242f", "failing, 2024-04-07: 1"),
                ("#57606a", "new, 2024-04-07: 1"),  # a state the chart does not know
            },
        ),
    ],
    ids=["one-healthy-one-degraded", "failing-and-unknown"],
)
def test_feed_states_draws_one_bar_part_per_state_and_day(
    rows: list[Row], expected: set[tuple[str, str]]
) -> None:
    svg = str(charts.feed_states(rows, [D1, D2], "Feed health"))
    assert set(_bars(svg)) == expected


def test_feed_states_says_so_when_nothing_was_polled() -> None:
    svg = str(charts.feed_states([], [D1, D2], "Feed health"))
    assert "no feed was polled in this period" in svg and _bars(svg) == []


def test_worst_feeds_ranks_by_failed_polls_and_skips_healthy_ones() -> None:
    assert charts.worst_feeds(ROWS) == [
        ("https://b.example/rss", 102, 15, 2),
        ("https://<c>.example/rss", 5, 1, 1),
    ]
    assert charts.worst_feeds(ROWS, limit=1) == [("https://b.example/rss", 102, 15, 2)]


def test_the_charts_page_shows_feed_health_from_stored_polls(
    settings: Settings, sqlite_engine: Engine
) -> None:
    now = utcnow()
    store_stories(sqlite_engine, [RAID], now)  # one good poll of wire.example
    broken, _ = add_feed(sqlite_engine, "https://broken.example/<rss>", now)
    later = now  # the same UTC day as the good poll
    for state in ("degraded", "failing"):
        record_feed_error(sqlite_engine, broken.id, "HTTP 500", later, later, state, "HTTP 500")
    with web_server(settings, sqlite_engine) as url:
        page = httpx.get(url + "charts?days=7").text
    today = now.date().isoformat()
    assert f"healthy, {today}: 1" in page and f"failing, {today}: 1" in page
    worst = page[page.index('<table class="worst">') :]
    assert "https://broken.example/&lt;rss&gt;</td><td>2</td><td>2</td><td>1</td>" in worst
    assert "wire.example" not in worst  # it never failed
