"""OPML feed lists: reading (nested, repeated, hostile, broken), writing, and the
`feed import` / `feed export` commands round-tripping a list through the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.parse.opml import Outline, default_feeds, read_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="World">
    <outline type="rss" text="Andes Wire" xmlUrl="https://andes.example/rss.xml"/>
    <outline type="rss" title="Wire &amp; Co" text="ignored" xmlUrl="https://wire.example/feed"/>
  </outline>
  <outline text="Again" xmlUrl="https://andes.example/rss.xml"/>
  <outline text="A folder without a feed"/>
</body></opml>"""


def test_outlines_are_read_from_folders_in_order_without_repeats() -> None:
    assert read_opml(NESTED) == [
        Outline("https://andes.example/rss.xml", "Andes Wire"),
        Outline("https://wire.example/feed", "Wire & Co"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<!DOCTYPE opml [<!ENTITY a "b">]><opml/>', "declares XML entities"),
        (b"<opml><body><outline xmlUrl='x'></body></opml>", "feeds.opml:1: not valid OPML/XML"),
    ],
    ids=["entities", "broken-xml"],
)
def test_hostile_or_broken_lists_are_refused_with_the_place(data: bytes, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_opml(data, "feeds.opml")


def test_written_lists_read_back_the_same() -> None:
    outlines = [
        Outline("https://a.example/rss?x=1&y=2", 'Quotes "and" <angles>'),
        Outline("https://b.example/atom.xml", ""),
    ]
    again = read_opml(write_opml(outlines).encode())
    assert again == [
        outlines[0],
        Outline("https://b.example/atom.xml", "https://b.example/atom.xml"),
    ]


def test_the_bundled_world_news_list_is_usable() -> None:
    feeds = default_feeds()
    assert len(feeds) >= 10
    assert all(f.url.startswith("https://") and f.title for f in feeds)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSWATCH_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1"}
    env.pop("NEWSWATCH_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_then_export_round_trips_and_skips_what_cannot_be_polled(tmp_path: Path) -> None:
    source = tmp_path / "reader.opml"
    source.write_bytes(
        NESTED.replace(
            b"</body>",
            b'<outline text="Local" xmlUrl="file:///etc/passwd"/>'
            b'<outline text="Bad" xmlUrl="javascript:alert(1)"/></body>',
        )
    )
    imported = _cli(tmp_path, "feed", "import", str(source))
    assert imported.returncode == 3, imported.stderr  # partial: two entries skipped
    assert "2 feeds added" in imported.stdout
    assert "file:///etc/passwd" in imported.stdout and "javascript:alert(1)" in imported.stdout
    again = _cli(tmp_path, "feed", "import", str(source))
    assert "0 feeds added, 2 already present" in again.stdout
    exported = _cli(tmp_path, "feed", "export")
    assert exported.returncode == 0
    assert read_opml(exported.stdout.encode()) == read_opml(NESTED)


def test_import_of_a_missing_file_says_so(tmp_path: Path) -> None:
    result = _cli(tmp_path, "feed", "import", str(tmp_path / "nope.opml"))
    assert result.returncode == 1 and "cannot read" in result.stderr
