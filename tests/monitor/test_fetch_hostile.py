"""Hostile feeds against a real local server: each one fails alone, with a readable reason.

Every case runs a real poll cycle with one good feed beside the hostile one:
the cycle finishes, the good feed is stored, the hostile feed's row says why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.errors import AddressRefusedError, FetchError
from monitor.fetch.http import FetchPolicy, fetch_feed, new_client
from monitor.poll.ingest import Ingestor
from storage.feeds import add_feed, list_feeds
from storage.records import FeedRecord
from tests.support.feeds import Item, rss
from tests.support.hostile import (
    ScriptServer,
    drip,
    endless,
    gzip_bomb,
    redirect,
    running,
    static,
)

GOOD = rss(
    "Good Wire", [Item("g-1", "Quito embassy raid", "Police entered.", "https://g.example/1")]
)
LIMIT = 1_000_000

LAUGHS = "\n".join(
    ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
)
BILLION_LAUGHS = (
    f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{LAUGHS}\n]>\n'
    '<rss version="2.0"><channel><title>&lol9;</title><item><title>x</title></item>'
    "</channel></rss>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title></item>'
    "</channel></rss>"
)
QUADRATIC = (
    f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "{"A" * 100_000}">]>\n'
    '<rss version="2.0"><channel><title>q</title><item><description>'
    + "&a;" * 10_000
    + "</description></item></channel></rss>"
)
WINDOWS_1252 = (
    '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel>'
    "<title>Café Crème – €5</title><item><title>Ñandú embassy</title><guid>w-1</guid></item>"
    "</channel></rss>"
).encode("cp1252")

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptServer]:
    hostile = ScriptServer()
    h = hostile.handlers
    h["/good.xml"] = static(GOOD)
    h["/billion-laughs.xml"] = static(BILLION_LAUGHS.encode())
    h["/billion-laughs-utf16.xml"] = static(BILLION_LAUGHS.encode("utf-16"))
    h["/external-entity.xml"] = static(EXTERNAL_ENTITY.encode())
    h["/quadratic.xml"] = static(QUADRATIC.encode())
    h["/one-gigabyte.xml"] = endless(declare_length=1 << 30)
    h["/endless.xml"] = endless()
    h["/gzip-bomb.xml"] = static(gzip_bomb(50 * LIMIT), Content_Encoding="gzip")
    h["/stacked.xml"] = static(gzip_bomb(1000), Content_Encoding="gzip, gzip")
    h["/unknown-encoding.xml"] = static(b"????", Content_Encoding="zstd-ish")
    h["/loop-a.xml"] = redirect("/loop-b.xml")
    h["/loop-b.xml"] = redirect("/loop-a.xml", status=302)
    h["/drip.xml"] = drip(GOOD, every=0.2)
    h["/page.html"] = static(
        b"<!DOCTYPE html><html><head><title>News</title></head><body>Hi</body></html>",
        Content_Type="text/html",
    )
    h["/empty.xml"] = static(b"")
    h["/path-body.xml"] = static(b"/etc/passwd")
    h["/url-body.xml"] = static(hostile.url("/secret").encode())
    h["/secret"] = static(GOOD)
    h["/error-500.xml"] = static(b"oops", status=500, Content_Type="text/plain")
    h["/busy-429.xml"] = static(b"slow down", status=429, Retry_After="3600")
    h["/wrong-charset.xml"] = static(
        WINDOWS_1252, Content_Type="application/rss+xml; charset=utf-8"
    )
    with running(hostile):
        yield hostile


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    """These polling tests run on SQLite only; the storage tests cover PostgreSQL."""
    return sqlite_engine


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(
        Settings(),
        data_dir=tmp_path,
        allow_private_networks=True,
        fetch_timeout=1.5,
        max_feed_bytes=LIMIT,
    )


def poll(engine: Engine, settings: Settings, urls: list[str]) -> dict[str, FeedRecord]:
    now = datetime.now(UTC)
    for url in urls:
        add_feed(engine, url, now)
    ingestor = Ingestor(engine, settings)
    try:
        asyncio.run(ingestor.run_cycle())
    finally:
        ingestor.close()
    return {f.url: f for f in list_feeds(engine)}


HOSTILE = [
    ("/billion-laughs.xml", "declares XML entities"),
    ("/billion-laughs-utf16.xml", "declares XML entities"),
    ("/external-entity.xml", "declares XML entities"),
    ("/quadratic.xml", "declares XML entities"),
    ("/one-gigabyte.xml", "over the 1,000,000 limit"),
    ("/endless.xml", "over 1,000,000 bytes"),
    ("/gzip-bomb.xml", "larger than 1,000,000 bytes after decompression"),
    ("/stacked.xml", "stacked content encodings"),
    ("/unknown-encoding.xml", "unsupported content encoding"),
    ("/loop-a.xml", "more than 5 redirects"),
    ("/drip.xml", "no complete answer within 1.5 s"),
    ("/page.html", "HTML page, not a feed"),
    ("/empty.xml", "empty body"),
    ("/path-body.xml", "not a readable feed"),
    ("/url-body.xml", "not a readable feed"),
    ("/error-500.xml", "HTTP 500"),
    ("/busy-429.xml", "HTTP 429"),
]


@pytest.mark.parametrize(("path", "reason"), HOSTILE, ids=[p.strip("/") for p, _ in HOSTILE])
def test_hostile_feed_fails_alone_with_a_readable_reason(
    server: ScriptServer, engine: Engine, settings: Settings, path: str, reason: str
) -> None:
    good, bad = server.url("/good.xml"), server.url(path)
    feeds = poll(engine, settings, [good, bad])
    assert feeds[good].state == "healthy" and feeds[good].item_count == 1
    assert feeds[bad].state == "degraded"
    assert feeds[bad].last_error is not None and reason in feeds[bad].last_error
    assert feeds[bad].next_check_at is not None


def test_a_body_that_is_a_url_is_never_fetched(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    before = server.hits("/secret")
    poll(engine, settings, [server.url("/url-body.xml")])
    assert server.hits("/secret") == before


def test_dns_failure_names_the_host(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    good, bad = server.url("/good.xml"), "http://no-such-feed.invalid/rss.xml"
    feeds = poll(engine, settings, [good, bad])
    assert feeds[good].state == "healthy"
    assert "cannot resolve host 'no-such-feed.invalid'" in (feeds[bad].last_error or "")


def test_closed_port_is_a_connection_error(engine: Engine, settings: Settings) -> None:
    closed = ScriptServer()
    url = closed.url("/rss.xml")
    closed.httpd.server_close()  # bound, then closed: nothing listens
    feeds = poll(engine, settings, [url])
    assert "cannot connect" in (feeds[url].last_error or "")


def test_mislabelled_charset_is_read_in_the_documents_own_encoding(
    server: ScriptServer, engine: Engine, settings: Settings
) -> None:
    url = server.url("/wrong-charset.xml")
    feeds = poll(engine, settings, [url])
    assert feeds[url].state == "healthy"
    assert feeds[url].title == "Café Crème – €5"


def test_redirect_to_loopback_is_refused_when_the_guard_is_on(server: ScriptServer) -> None:
    """The first hop is explicitly allowed; the redirect target is checked again, and refused."""
    target = ScriptServer()
    with running(target):
        target.handlers["/admin"] = static(GOOD)
        server.handlers["/to-loopback.xml"] = redirect(target.url("/admin"))
        policy = FetchPolicy(allow_private=False, allowed_addresses=(f"127.0.0.1:{server.port}",))

        async def go() -> None:
            async with new_client() as client:
                await fetch_feed(client, server.url("/to-loopback.xml"), policy, now=NOW)

        with pytest.raises(AddressRefusedError, match="loopback"):
            asyncio.run(go())
        assert target.hits("/admin") == 0


def test_a_redirect_body_is_never_read(server: ScriptServer) -> None:
    """A 301 carrying 200 KB, with a 100 KB cap: the final feed still arrives."""
    server.handlers["/moved.xml"] = redirect("/good.xml")

    async def go() -> bytes:
        async with new_client() as client:
            policy = FetchPolicy(allow_private=True, max_bytes=100_000)
            result = await fetch_feed(client, server.url("/moved.xml"), policy, now=NOW)
            assert result.permanent_redirect == server.url("/good.xml")
            return result.body

    assert asyncio.run(go()) == GOOD


def test_retry_after_is_reported_with_the_429(server: ScriptServer) -> None:
    async def go() -> None:
        async with new_client() as client:
            policy = FetchPolicy(allow_private=True)
            await fetch_feed(client, server.url("/busy-429.xml"), policy, now=NOW)

    with pytest.raises(FetchError) as caught:
        asyncio.run(go())
    assert caught.value.status == 429 and caught.value.retry_after == 3600


def test_a_retry_after_date_counts_from_the_callers_clock(server: ScriptServer) -> None:
    """Retry-After as an HTTP date: the wait is that date minus the ``now`` the poller gave."""
    server.handlers["/maintenance.xml"] = static(
        b"down for maintenance", status=503, Retry_After="Wed, 25 Nov 2026 14:00:00 GMT"
    )
    now = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)

    async def go() -> None:
        async with new_client() as client:
            policy = FetchPolicy(allow_private=True)
            await fetch_feed(client, server.url("/maintenance.xml"), policy, now=now)

    with pytest.raises(FetchError) as caught:
        asyncio.run(go())
    assert caught.value.status == 503 and caught.value.retry_after == 5400
