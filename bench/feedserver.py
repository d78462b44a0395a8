"""The benchmarks' feed server: N generated RSS 2.0 feeds on 20 local ports, 304 on a match.

Does I/O: a child process serving 127.0.0.1 only. Each port stands for one
publisher's host. A feed is built like a real news feed: 50 items with title,
link, GUID, date, author, categories, thumbnail, a description and two
paragraphs of ``content:encoded`` (about 88 KB of pseudo-words; feedparser takes
~18 ms per feed with its sanitizer, as it does on real 50-item feeds). The text
comes from ``bench.newstext``: pseudo-words, or real news text with a share of
wire copies. ``If-None-Match`` with the current ETag gets 304.

Version 0 of feed ``n`` holds items 0-49; version ``v`` drops the ``3 v`` oldest and
adds as many new ones on top (the "3 new items per feed" pass); the parent switches
versions through a shared value.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import multiprocessing.sharedctypes
import multiprocessing.synchronize
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

HOSTS = 20
ITEMS = 50
NEW_PER_VERSION = 3


def text_source(kind: str, share: float, feeds: int) -> Any:
    from bench.newstext import NewsText, PseudoText

    return PseudoText() if kind == "pseudo" else NewsText(share, feeds, ITEMS)


def feed_body(n: int, text: Any, version: int = 0) -> bytes:
    """Feed ``n`` at ``version``: 50 items, newest first."""
    start = datetime(2026, 11, 24, tzinfo=UTC)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel>',
        f"<title>Bench Wire {n}</title><link>https://wire{n}.example/</link>",
        "<description>generated</description><language>en</language>",
    ]
    first = NEW_PER_VERSION * version
    for i in reversed(range(first, first + ITEMS)):
        item = text.item(n, i)
        place = item.place
        when = format_datetime(start + timedelta(minutes=17 * i + n % 13))
        body = "".join(f"<p>{escape(p)}</p>" for p in item.paragraphs)
        parts.append(
            f"<item><title>{escape(item.title)}</title>"
            f"<link>https://wire{n}.example/{i}/{escape(place.lower())}</link>"
            f'<guid isPermaLink="false">wire{n}-{i}</guid><pubDate>{when}</pubDate>'
            f"<dc:creator>{escape(place)} Desk</dc:creator>"
            f"<category>{escape(place)}</category><category>world</category>"
            f'<media:thumbnail url="https://img.wire{n}.example/{i}.jpg" width="240"/>'
            f"<description>{escape(item.description)} &lt;b&gt;{escape(place)}&lt;/b&gt;"
            f"</description><content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


@dataclass
class ServerControl:
    """Shared with the server process: its ports, and the version it serves."""

    ports: Any  # multiprocessing Array of HOSTS ints
    wanted: Any  # Value: the version to serve
    serving: Any  # Value: the version being served (-1 while building)
    ready: multiprocessing.synchronize.Event


def start_server(
    feeds: int, kind: str = "pseudo", share: float = 0.0
) -> tuple[multiprocessing.process.BaseProcess, ServerControl]:
    ctx = multiprocessing.get_context("spawn")
    control = ServerControl(
        ctx.Array("i", HOSTS), ctx.Value("i", 0), ctx.Value("i", -1), ctx.Event()
    )
    process = ctx.Process(target=_serve, args=(feeds, kind, share, control), daemon=True)
    process.start()
    return process, control


def urls(control: ServerControl, feeds: int) -> list[str]:
    return [f"http://127.0.0.1:{control.ports[n % HOSTS]}/feeds/{n}.xml" for n in range(feeds)]


def serve_version(control: ServerControl, version: int, timeout: float = 600.0) -> None:
    """Switch the server to ``version`` and wait until it serves it."""
    import time

    control.wanted.value = version
    deadline = time.monotonic() + timeout
    while control.serving.value != version:
        if time.monotonic() > deadline:
            raise SystemExit(f"the feed server did not switch to version {version}")
        time.sleep(0.1)


def _responses(feeds: int, text: Any, version: int) -> tuple[list[bytes], list[bytes], list[bytes]]:
    bodies = [feed_body(n, text, version) for n in range(feeds)]
    tags = [b'"' + hashlib.sha1(b).hexdigest()[:16].encode() + b'"' for b in bodies]
    full = [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
        b"ETag: " + t + b"\r\nContent-Length: " + str(len(b)).encode() + b"\r\n\r\n" + b
        for b, t in zip(bodies, tags, strict=True)
    ]
    unchanged = [b"HTTP/1.1 304 Not Modified\r\nETag: " + t + b"\r\n\r\n" for t in tags]
    return tags, full, unchanged


def _serve(feeds: int, kind: str, share: float, control: ServerControl) -> None:
    text = text_source(kind, share, feeds)
    state: dict[str, list[bytes]] = {}

    def build(version: int) -> None:
        control.serving.value = -1
        state["tags"], state["full"], state["unchanged"] = _responses(feeds, text, version)
        control.serving.value = version

    build(control.wanted.value)

    class Feed(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: asyncio.Transport = transport  # type: ignore[assignment]
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1]
                n = int(path.rsplit(b"/", 1)[1].split(b".")[0])
                lower = head.lower()
                match = b"if-none-match: " + state["tags"][n].lower() in lower
                self.transport.write(state["unchanged"][n] if match else state["full"][n])
                if b"connection: close" in lower or b"http/1.0" in lines[0].lower():
                    self.transport.close()
                    return

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for index in range(HOSTS):
            server = await loop.create_server(Feed, "127.0.0.1", 0, backlog=1024)
            control.ports[index] = server.sockets[0].getsockname()[1]
        control.ready.set()
        while True:
            await asyncio.sleep(0.1)
            if control.wanted.value != control.serving.value:
                build(control.wanted.value)

    asyncio.run(main())
