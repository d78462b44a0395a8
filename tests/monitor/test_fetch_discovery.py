"""Feed discovery and local files: `feed add https://site/` finds the page's feed link;
a feed kept as a file is polled offline."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.clock import utcnow
from monitor.errors import ParseError
from monitor.fetch.discovery import discover, feed_links
from monitor.fetch.http import FetchPolicy, new_client
from tests.support.feeds import Item, rss
from tests.support.hostile import ScriptServer, running, static

FEED = rss("Andes Wire", [Item("a-1", "Embassy raid in Quito", "Police.", "https://a.example/1")])
PAGE = b"""<!DOCTYPE html><html><head><title>Andes Wire</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="Top stories" href="/rss.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="atom.xml">
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
</head><body>news</body></html>"""


@pytest.fixture
def site() -> Iterator[ScriptServer]:
    server = ScriptServer()
    server.handlers["/"] = static(PAGE, Content_Type="text/html; charset=utf-8")
    server.handlers["/rss.xml"] = static(FEED)
    server.handlers["/bare"] = static(b"<html><body>none</body></html>", Content_Type="text/html")
    with running(server):
        yield server


def test_links_are_read_absolute_in_order_without_repeats() -> None:
    links = feed_links(PAGE.decode(), "https://andes.example/news/")
    assert [(link.url, link.kind) for link in links] == [
        ("https://andes.example/rss.xml", "RSS"),
        ("https://andes.example/news/atom.xml", "Atom"),
    ]
    assert links[0].title == "Top stories"


def test_a_base_element_moves_relative_links() -> None:
    html = (
        '<head><base href="https://cdn.example/feeds/"><link rel="alternate" '
        'type="application/feed+json" href="all.json"></head>'
    )
    assert [link.url for link in feed_links(html, "https://site.example/")] == [
        "https://cdn.example/feeds/all.json"
    ]


def _discover(url: str) -> object:
    async def run() -> object:
        async with new_client() as client:
            return await discover(url, FetchPolicy(allow_private=True), client, utcnow())

    return asyncio.run(run())


def test_a_page_leads_to_its_feed_and_a_feed_stays_itself(site: ScriptServer) -> None:
    page = _discover(site.url("/"))
    assert not page.is_feed and page.links[0].url == site.url("/rss.xml")  # type: ignore[attr-defined]
    feed = _discover(site.url("/rss.xml"))
    assert feed.is_feed and feed.title == "Andes Wire"  # type: ignore[attr-defined]


def test_a_page_without_feed_links_is_a_clear_error(site: ScriptServer) -> None:
    with pytest.raises(ParseError, match="links to none"):
        _discover(site.url("/bare"))


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEWSWATCH_DATA_DIR": str(tmp_path / "data"),
        "NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true",
        "NO_COLOR": "1",
        "COLUMNS": "250",
    }
    env.pop("NEWSWATCH_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_feed_add_of_a_site_stores_its_feed_and_a_local_file_polls_offline(
    site: ScriptServer, tmp_path: Path
) -> None:
    added = _cli(tmp_path, "feed", "add", site.url("/"))
    assert added.returncode == 0, added.stderr
    assert site.url("/rss.xml") in added.stdout
    saved = tmp_path / "saved.xml"
    saved.write_bytes(rss("Saved Wire", [Item("s-1", "Consulate visit", "ICE.", "https://s/1")]))
    local = _cli(tmp_path, "feed", "add", str(saved))
    assert local.returncode == 0 and saved.resolve().as_uri() in local.stdout
    run = _cli(tmp_path, "run", "--once")
    assert run.returncode == 0, run.stderr
    listing = _cli(tmp_path, "feed", "list").stdout
    assert "Andes Wire" in listing and "Saved Wire" in listing
    assert listing.count("healthy") == 2
    again = _cli(tmp_path, "run", "--once")  # the file did not change: it counts as unchanged
    numbers = [line for line in again.stdout.splitlines() if re.search(r"\d", line)][0]
    feeds, ok, unchanged = (int(n) for n in re.findall(r"\d+", numbers)[:3])
    assert (feeds, ok, unchanged) == (2, 2, 1)  # (this test site sends no validators)


def test_a_missing_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    result = _cli(tmp_path, "feed", "add", "file:///no/such/feed.xml")
    assert result.returncode == 1 and "no file at /no/such/feed.xml" in result.stderr


def test_a_page_without_feeds_is_refused_unless_forced(site: ScriptServer, tmp_path: Path) -> None:
    refused = _cli(tmp_path, "feed", "add", site.url("/bare"))
    assert refused.returncode == 1
    assert "not added" in refused.stderr and "links to none" in refused.stderr
    assert "--force" in refused.stderr
    added = _cli(tmp_path, "feed", "add", "--force", site.url("/bare"))
    assert added.returncode == 0 and "without checking" in added.stderr
