"""Every real and ill-formed feed in shared/fixtures parses to stories or a readable error.

No file crashes the parser; charsets come out right (mislabelled, undeclared,
UTF-16/32, byte-order marks); JSON Feed and gzip files are read; entity tricks
are refused while the standard RSS 0.91 DOCTYPE still parses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import FeedError, ParseError
from monitor.parse.feed import parse_feed

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
if not FIXTURES.is_dir():  # CI lays shared/ beside the clone
    FIXTURES = Path("/work/shared/fixtures")
NOW = datetime(2026, 11, 25, tzinfo=UTC)
FILES = sorted(
    p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".xml", ".json", ".html", ".gz")
)
_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"}

pytestmark = pytest.mark.skipif(not FILES, reason="shared/fixtures is not present")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(FIXTURES)) for p in FILES])
def test_every_fixture_gives_stories_or_a_readable_error(path: Path) -> None:
    try:
        feed = parse_feed(path.read_bytes(), {}, f"file://{path}", NOW)
    except FeedError as exc:
        assert exc.message and len(exc.message) < 400
        assert "Traceback" not in exc.message
        return
    for story in feed.stories:
        assert story.guid, path
        assert not (set(story.title + story.summary) & _CONTROL)
        assert story.published is None or story.published <= NOW


def test_real_news_feeds_all_parse() -> None:
    """The 99 publisher snapshots are feeds: none may be rejected."""
    snapshots = sorted((FIXTURES / "feeds").iterdir())
    stories = 0
    for path in snapshots:
        stories += len(parse_feed(path.read_bytes(), {}, path.name, NOW).stories)
    assert len(snapshots) >= 90 and stories > 2500


CHARSETS = [
    ("illformed/ibash-windows-1251.xml", "iBash.Org.Ru", "Цитата"),
    ("illformed/kc0011-gb2312.xml", "投资资讯网", "纪念"),
    ("illformed/miniflux-koi8r.xml", "Пример RSS ленты", "Первая новость"),
    ("illformed/latin2-example-pl.xml", "EXAMPLE.pl", "ZAŻÓŁĆ GĘSLĄ JAŹŃ"),
    ("illformed/miniflux-windows1252-euro.xml", "Euro €", None),
    ("illformed/miniflux-utf8-declared-latin1.xml", "테스트 피드", "Café"),
    ("illformed/kagi-utf8-declared-utf16.xml", "UTF-16 Encoded Feed", "UTF-16 Entry 1"),
    ("illformed/lecerclepsy-no-decl-latin1.xml", "Flux RSS du magazine", "Perturbateurs"),
    ("illformed/intranet30-iso88591-retriever.xml", "intranet30", "SVART MÅNAD"),
    ("illformed/feedparser/illformed/chardet/koi8r.xml", "", "Как пережить новогоднюю ночь"),
    ("illformed/feedparser/illformed/chardet/shiftjis.xml", "", "DrecomRSSに記事投稿"),
    ("illformed/feedparser/illformed/chardet/euckr.xml", "", "EUC-KR 에서 TypeKey"),
    ("illformed/orenru-gzip-compressed.xml.gz", "Новости Оренбурга", None),
    ("feeds/bbc-urdu-1.xml", "BBC News اردو", None),
    ("feeds/humanwhocodes-1.json", "Human Who Codes", None),
]


@pytest.mark.parametrize(("name", "title", "first"), CHARSETS, ids=[c[0] for c in CHARSETS])
def test_charsets_come_out_right(name: str, title: str, first: str | None) -> None:
    feed = parse_feed((FIXTURES / name).read_bytes(), {}, name, NOW)
    assert feed.title.startswith(title)
    if first is not None:
        assert first in feed.stories[0].title
    for story in feed.stories:
        assert "\ufffd" not in story.title and "Ã" not in story.title


def test_json_feed_items_become_stories() -> None:
    feed = parse_feed((FIXTURES / "feeds/inessential-1.json").read_bytes(), {}, "j", NOW)
    assert len(feed.stories) == 20
    first = feed.stories[0]
    assert first.url.startswith("http") and first.guid and first.published is not None


RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Wire</title><link>https://old.example/</link>
<description>d</description><language>en</language>
<item><title>Embassy raid in Quito</title><link>https://old.example/1</link></item>
</channel></rss>"""


def test_the_rss_091_doctype_still_parses() -> None:
    feed = parse_feed(RSS091, {}, "old", NOW)
    assert feed.title == "Old Wire" and feed.stories[0].title == "Embassy raid in Quito"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?>\n<!-- x -->\n<!DOCTYPE r [<!entity a "b">]><rss/>',
        ("\n" * 70_000 + '<!DOCTYPE r [<!ENTITY a "b">]><rss>&a;</rss>').encode(),
        '<?xml version="1.0" encoding="utf-32"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>'.encode(
            "utf-32"
        ),
    ],
    ids=["lower-case", "after-a-long-prolog", "utf-32"],
)
def test_entity_declarations_are_refused_wherever_they_hide(body: bytes) -> None:
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(body, {}, "x", NOW)


def test_an_article_about_entities_is_not_refused() -> None:
    body = b"""<rss version="2.0"><channel><title>XML news</title><item><title>t</title>
<description><![CDATA[Never write <!ENTITY lol "lol"> in a feed]]></description>
</item></channel></rss>"""
    assert parse_feed(body, {}, "x", NOW).stories[0].summary.startswith("Never write")


def test_syndication_hints_are_read() -> None:
    body = b"""<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel><title>t</title><ttl>45</ttl><sy:updatePeriod>hourly</sy:updatePeriod>
<sy:updateFrequency>2</sy:updateFrequency></channel></rss>"""
    feed = parse_feed(body, {}, "x", NOW)
    assert feed.ttl_minutes == 45 and feed.update_minutes == 30
