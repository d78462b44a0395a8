"""``newswatch feed add`` and ``feed import``: an address is fetched once and refused unless it is
a feed; errors say what, where and how to fix; --force adds unchecked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.parse.opml import default_feeds
from tests.support.cli import newswatch
from tests.support.feeds import Item, rss
from tests.support.servers import FeedServer, Route, free_port, serving

LOCAL = {"NEWSWATCH_ALLOW_PRIVATE_NETWORKS": "true", "NEWSWATCH_FETCH_TIMEOUT": "5"}
FEED = rss(
    "Andes Wire", [Item("a1", "Quito embassy raid", "Police entered.", "https://a.example/1")]
)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    feeds = FeedServer()
    feeds.routes["/rss.xml"] = Route(FEED)
    feeds.routes["/page.html"] = Route(
        b"<html><head><title>Andes</title></head><body>news</body></html>",
        headers={"Content-Type": "text/html"},
    )
    with serving(feeds) as running:
        yield running


def feeds(data: Path) -> list[dict[str, object]]:
    ran = newswatch(data, "feed", "list", "--json")
    assert ran.code == 0, ran.text
    listed: list[dict[str, object]] = json.loads(ran.stdout)
    return listed


def test_a_feed_is_added_after_one_fetch_with_its_title(tmp_path: Path, server: FeedServer) -> None:
    ran = newswatch(tmp_path, "feed", "add", server.url("/rss.xml"), env=LOCAL)
    assert ran.code == 0, ran.text
    assert server.statuses("/rss.xml") == [200]
    assert [(f["url"], f["title"]) for f in feeds(tmp_path)] == [
        (server.url("/rss.xml"), "Andes Wire")
    ]


@pytest.mark.parametrize(
    ("path", "says"),
    [("/missing.xml", "HTTP 404"), ("/page.html", "not a feed and links to none")],
    ids=["404", "html-without-feed"],
)
def test_what_is_not_a_feed_is_refused(
    tmp_path: Path, server: FeedServer, path: str, says: str
) -> None:
    ran = newswatch(tmp_path, "feed", "add", server.url(path), env=LOCAL)
    assert ran.code == 1
    assert "not added" in ran.stderr and says in ran.stderr
    assert "--force" in ran.stderr
    assert feeds(tmp_path) == []


def test_force_adds_what_does_not_answer(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/rss.xml"  # nothing listens there
    refused = newswatch(tmp_path, "feed", "add", url, env=LOCAL)
    assert refused.code == 1 and "not added" in refused.stderr
    assert feeds(tmp_path) == []
    forced = newswatch(tmp_path, "feed", "add", "--force", url, env=LOCAL)
    assert forced.code == 0 and "without checking" in forced.stderr
    assert [f["url"] for f in feeds(tmp_path)] == [url]


def test_no_discover_refuses_a_page_that_offers_a_feed(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/site.html"] = Route(
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        b"</head></html>",
        headers={"Content-Type": "text/html"},
    )
    ran = newswatch(tmp_path, "feed", "add", "--no-discover", server.url("/site.html"), env=LOCAL)
    assert ran.code == 1
    assert "is a web page, not a feed" in ran.stderr and server.url("/rss.xml") in ran.stderr
    found = newswatch(tmp_path, "feed", "add", server.url("/site.html"), env=LOCAL)
    assert found.code == 0
    assert [f["url"] for f in feeds(tmp_path)] == [server.url("/rss.xml")]


def test_loopback_refusal_names_the_setting_without_connecting(tmp_path: Path) -> None:
    # The address is refused before any connection: nothing needs to listen on it.
    ran = newswatch(tmp_path, "feed", "add", "http://127.0.0.1:9/rss.xml")
    assert ran.code == 1
    assert "loopback" in ran.stderr and "NEWSWATCH_ALLOW_PRIVATE_NETWORKS" in ran.stderr
    assert feeds(tmp_path) == []


def test_local_files_that_are_not_feeds_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    ran = newswatch(tmp_path, "feed", "add", secret.as_uri())
    assert ran.code == 1 and "not added" in ran.stderr
    missing = newswatch(tmp_path, "feed", "add", str(tmp_path / "saved" / "feed.xml"))
    assert missing.code == 1
    assert "no file at" in missing.stderr and "is not a feed address" not in missing.stderr
    bare = newswatch(tmp_path, "feed", "add", "saved-feed.xml")  # a file name, not there
    assert bare.code == 1 and "no file at saved-feed.xml" in bare.stderr
    schemeless = newswatch(tmp_path, "feed", "add", "news.example.org/rss")
    assert (
        schemeless.code == 1 and "did you mean https://news.example.org/rss?" in schemeless.stderr
    )
    saved = tmp_path / "feed.xml"
    saved.write_bytes(FEED)
    assert newswatch(tmp_path, "feed", "add", str(saved)).code == 0
    assert [f["url"] for f in feeds(tmp_path)] == [saved.resolve().as_uri()]


def test_an_upper_case_address_is_the_same_feed(tmp_path: Path, server: FeedServer) -> None:
    assert newswatch(tmp_path, "feed", "add", server.url("/rss.xml"), env=LOCAL).code == 0
    shouted = server.url("/rss.xml").replace("http://", "HTTP://")
    again = newswatch(tmp_path, "feed", "add", shouted, env=LOCAL)
    assert again.code == 0 and "already present" in again.stdout
    assert len(feeds(tmp_path)) == 1


def test_importing_a_feed_instead_of_opml_says_so(tmp_path: Path) -> None:
    feed = tmp_path / "bbc.xml"
    feed.write_bytes(FEED)
    ran = newswatch(tmp_path, "feed", "import", str(feed))
    assert ran.code == 1
    assert "is a feed, not an OPML list" in ran.stderr and "feed add" in ran.stderr
    empty = tmp_path / "empty.opml"
    empty.write_text('<opml version="2.0"><body></body></opml>', encoding="utf-8")
    none = newswatch(tmp_path, "feed", "import", str(empty))
    assert none.code == 1 and "no feeds in it" in none.stderr


def test_import_with_a_bad_entry_is_a_partial_failure(tmp_path: Path) -> None:
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="ok" xmlUrl="https://news.example.org/rss"/>'
        '<outline text="bad" xmlUrl="ftp://old.example.org/feed"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    ran = newswatch(tmp_path, "feed", "import", str(opml))
    assert ran.code == 3
    assert "1 feeds added" in ran.stdout and "ftp://old.example.org/feed" in ran.stdout


def test_the_bundled_feeds_go_when_the_first_own_feed_comes(
    tmp_path: Path, server: FeedServer
) -> None:
    assert newswatch(tmp_path, "feed", "import", "--bundled").code == 0
    assert len(feeds(tmp_path)) == len(default_feeds())
    ran = newswatch(tmp_path, "feed", "add", server.url("/rss.xml"), env=LOCAL)
    assert ran.code == 0
    assert "removed the" in ran.stderr and "bundled" in ran.stderr
    assert [f["url"] for f in feeds(tmp_path)] == [server.url("/rss.xml")]
