"""Incremental parsing gives the stories a full parse gives, on every fixture feed.

Each real and ill-formed file in shared/fixtures is read twice: whole, and with
every other item already seen. The items not seen must come out exactly as the
full parse gives them (title, summary, GUID, dates, source, language, matches);
where the scan is unsure the whole document is parsed, as before. Then the same
through the ingestor against a local server: only new or edited items are parsed,
the stored stories are those a full parse stores, and a broken change is an error.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.parse.feed import ParseFailure
from monitor.parse.jsonfeed import is_json_feed
from monitor.poll.ingest import Ingestor
from monitor.prepare.body import PreparedFeed
from monitor.prepare.incremental import prepare_changed, scan_json, scan_xml
from storage.feeds import add_feed, list_feeds
from storage.stories import recent_stories
from tests.support.feeds import Item, rss
from tests.support.hostile import ScriptServer, running, static
from watchlists.builtin import builtin_watchlist_texts

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
if not FIXTURES.is_dir():  # CI lays shared/ beside the clone
    FIXTURES = Path("/work/shared/fixtures")
NOW = datetime(2026, 11, 25, tzinfo=UTC)
FILES = sorted(
    p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".xml", ".json", ".html", ".gz")
)
ILLFORMED = [p for p in FILES if "illformed" in p.parts]
SPEC = tuple((name, 1, text) for name, text in builtin_watchlist_texts().items())
HEADER_CASES = {
    "text/xml": {"content-type": "text/xml"},
    "application/xml latin-1": {"content-type": "application/xml; charset=iso-8859-1"},
}

pytestmark = pytest.mark.skipif(not FILES, reason="shared/fixtures is not present")


def _scan(body: bytes, headers: dict[str, str]) -> object:
    if is_json_feed(body[:65536], headers):
        return scan_json(body, headers)
    return scan_xml(body, headers, "f")


def _same_as_full(path: Path, headers: dict[str, str]) -> bool:
    """Every other item seen: the rest as a full parse gives it. Returns whether it was cut."""
    body = path.read_bytes()
    first = prepare_changed(body, headers, "f", NOW, 10 << 20, SPEC, None)  # a full parse
    full = first.prepared
    if isinstance(full, ParseFailure) or first.digests is None:
        assert first.digests is None
        return False
    digests = [first.digests[i : i + 8] for i in range(0, len(first.digests), 8)]
    assert len(digests) == len(full.parsed.stories)
    seen = set(digests[0::2])  # an item repeated byte for byte is seen with its twin
    fresh = [i for i, d in enumerate(digests) if d not in seen]
    later = prepare_changed(body, headers, "f", NOW, 10 << 20, SPEC, b"".join(seen))
    assert isinstance(later.prepared, PreparedFeed)
    assert later.prepared.parsed.stories == tuple(full.parsed.stories[i] for i in fresh)
    assert later.prepared.matches == tuple(full.matches[i] for i in fresh)
    assert _keys(later.prepared) == [_keys(full)[i] for i in fresh]
    assert later.prepared.parsed.title == full.parsed.title
    assert later.prepared.parsed.language == full.parsed.language
    assert later.prepared.parsed.ttl_minutes == full.parsed.ttl_minutes
    assert later.digests == first.digests
    return True


def _keys(prepared: PreparedFeed) -> list[tuple[object, ...]]:
    """What the deduplicator is given of each story."""
    return [(f.ukey, f.fp, f.hashes) for f in prepared.features]


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(FIXTURES)) for p in FILES])
def test_items_not_seen_come_out_as_a_full_parse_gives_them(path: Path) -> None:
    _same_as_full(path, {})


@pytest.mark.parametrize("case", HEADER_CASES)
def test_content_types_that_change_decoding_give_the_same_stories(case: str) -> None:
    for path in ILLFORMED:
        _same_as_full(path, HEADER_CASES[case])


def test_most_real_feeds_are_read_incrementally() -> None:
    """The scan is sure of the RSS and Atom snapshots in UTF-8 or a one-byte charset (95 of 99)."""
    real = sorted((FIXTURES / "feeds").iterdir())
    cut = sum(_scan(p.read_bytes(), {}) is not None for p in real)
    assert cut >= 0.9 * len(real)


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><rss><channel><title>t</title><item><title>a</title>'
        b"<item><title>nested</title></item></item></channel></rss>",
        b'<?xml version="1.0" encoding="shift_jis"?><rss><channel><title>\x82\xa0</title>'
        b"</channel></rss>",
        b"<rss><channel><title>t</title><item><title>a &amp b</title></item></channel></rss>",
        b"\xff\xfe<\x00r\x00s\x00s\x00>\x00",
    ],
    ids=["nested items", "Shift JIS", "not well-formed", "UTF-16"],
)
def test_the_scan_gives_up_when_unsure(body: bytes) -> None:
    assert scan_xml(body, {}, "f") is None


def test_empty_items_and_tags_in_attributes_are_cut_exactly() -> None:
    body = (
        b'<rss><channel><title>t</title><item/><item><title a="x>y">b</title></item>'
        b"<item/></channel></rss>"
    )
    scan = scan_xml(body, {}, "f")
    assert scan is not None
    assert [body[a:b] for a, b in scan.spans] == [
        b"<item/>",
        b'<item><title a="x>y">b</title></item>',
        b"<item/>",
    ]


def test_an_entity_declaration_is_refused_as_before() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>'
        b"<rss><channel><title>&a;</title><item><title>&a;</title></item></channel></rss>"
    )
    result = prepare_changed(body, {}, "f", NOW, 10 << 20, SPEC, b"12345678")
    assert isinstance(result.prepared, ParseFailure)
    assert "entities" in result.prepared.message and result.digests is None


def test_json_feed_items_not_seen_are_parsed() -> None:
    items = [{"id": f"j{i}", "title": f"Minister {i}", "content_text": "x" * i} for i in range(5)]
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    body = json.dumps(document).encode()
    first = prepare_changed(body, {}, "f", NOW, 10 << 20, SPEC, None)
    assert first.digests is not None and len(first.digests) == 40
    document["items"] = [{"id": "new", "title": "Police"}, *items[:4]]
    later = prepare_changed(
        json.dumps(document).encode(), {}, "f", NOW, 10 << 20, SPEC, first.digests
    )
    assert isinstance(later.prepared, PreparedFeed)
    assert [s.guid for s in later.prepared.parsed.stories] == ["new"]


def _items(numbers: range, edited: int | None = None) -> list[Item]:
    return [
        Item(
            f"g-{n}",
            f"Minister {n} visits the embassy" + (" again" if n == edited else ""),
            f"Story number {n} about the embassy in Quito, told at length.",
            f"https://w.example/{n}",
        )
        for n in numbers
    ]


def test_the_ingestor_parses_only_new_and_edited_items(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    settings = replace(
        Settings(), data_dir=tmp_path, allow_private_networks=True, host_spacing=0.001
    )
    with running(ScriptServer()) as server:
        url = server.url("/wire.xml")
        add_feed(sqlite_engine, url, NOW)
        server.handlers["/wire.xml"] = static(rss("Wire", _items(range(0, 20))))
        ingestor = Ingestor(sqlite_engine, settings)
        try:
            first = asyncio.run(ingestor.run_cycle(every_feed=True))
            stored = list_feeds(sqlite_engine)[0].item_digests
            assert first.new_stories == 20 and stored is not None and len(stored) == 160
            server.handlers["/wire.xml"] = static(rss("Wire", _items(range(3, 23), edited=5)))
            second = asyncio.run(ingestor.run_cycle(every_feed=True))
            assert second.new_stories == 3 and not second.errors
            server.handlers["/wire.xml"] = static(b"<html><body>Moved</body></html>")
            third = asyncio.run(ingestor.run_cycle(every_feed=True))
            assert list(third.errors) == [url]
        finally:
            ingestor.close()
    titles = {
        s.guid: s.title for s in recent_stories(sqlite_engine, datetime(2000, 1, 1, tzinfo=UTC))
    }
    assert len(titles) == 23
    assert titles["g-5"] == "Minister 5 visits the embassy again"  # the edit was parsed
    assert list_feeds(sqlite_engine)[0].item_digests != stored
