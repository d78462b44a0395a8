"""Incremental parsing: scan a changed feed's items cheaply, parse only those not seen before.

Pure CPU (no I/O); runs in the parser processes. An item is "seen" when the exact
bytes of its element (or its JSON object) were in an earlier response whose
stories were stored: the feed row keeps an 8-byte digest of each item of the last
response (``item_digests``), saved in the same transaction as those stories. An
edited item has other bytes, so it is parsed again and the deduplicator sees the
update.

The scan reads the document with expat (no entity is expanded; ``screen_entities``
runs first, as before a full parse), notes where each ``item`` (RSS 0.9x, 1.0, 2.0)
or ``entry`` (Atom) element starts and ends, and digests its bytes. The items not
seen are parsed by the normal path (``prepare_feed``) from the document with the
seen items cut out, so the channel, namespaces and encoding declaration are the
same as in a full parse. The scan gives up, and the whole document is parsed as
before, whenever it is unsure: a body that feedparser would not decode with the
first charset it tries, or in a charset other than UTF-8 or one byte a character
(see ``_first_encoding``), is compressed, not well-formed, with item elements nested or
in another namespace, or when the cut document does not give
one story per item kept. Measured on the fixture feeds: see ``bench/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.parsers import expat

from monitor.errors import FeedError
from monitor.parse.feed import GZIP_MAGIC, ParseFailure, _charset_fixed, screen_entities
from monitor.parse.jsonfeed import is_json_feed
from monitor.prepare.body import PreparedFeed, WatchlistSpec, prepare_feed

log = logging.getLogger(__name__)

DIGEST_SIZE = 8
ITEM_ELEMENTS = frozenset(
    {
        "item",  # RSS 0.9x and 2.0
        "http://purl.org/rss/1.0/ item",
        "http://my.netscape.com/rdf/simple/0.9/ item",
        "http://www.w3.org/2005/Atom entry",
        "http://purl.org/atom/ns# entry",  # Atom 0.3
    }
)
_UTF8_NAMES = {"utf-8", "utf8", "utf_8"}
_ASCII_SAFE = _UTF8_NAMES | {
    "us-ascii",
    "ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "iso-8859-15",
    "windows-1252",
    "cp1252",
}
_ONE_BYTE = {  # charsets of one byte per character that expat reads through Python's codecs
    *(f"iso-8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)),
    *(f"windows-{n}" for n in range(1250, 1259)),
    *(f"cp{n}" for n in range(1250, 1259)),
    "koi8-r",
    "koi8-u",
    "latin-1",
    "latin1",
}
_XML_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)")
_XML_TYPES = ("application/xml", "application/xml-dtd", "application/xml-external-parsed-entity")


@dataclass(frozen=True, slots=True)
class ItemScan:
    """Where each item of a document is, and the digest of its bytes."""

    spans: tuple[tuple[int, int], ...]  # byte offsets [start, end) of each item, in order
    digests: tuple[bytes, ...]
    headers: dict[str, str]  # the response headers a full parse would use

    @property
    def packed(self) -> bytes:
        return b"".join(self.digests)


@dataclass(frozen=True, slots=True)
class ChangedFeed:
    """What a parser process made of a changed body: the stories not seen before."""

    prepared: PreparedFeed | ParseFailure
    digests: bytes | None  # every item's digest, to store; None: the scan was unsure
    items: int  # items in the document (0 when the scan was unsure)


def unpack(digests: bytes | None) -> frozenset[bytes]:
    if not digests:
        return frozenset()
    return frozenset(digests[i : i + DIGEST_SIZE] for i in range(0, len(digests), DIGEST_SIZE))


def prepare_changed(
    body: bytes,
    headers: dict[str, str],
    feed_url: str,
    now: datetime,
    max_bytes: int,
    watchlists: WatchlistSpec,
    known: bytes | None,
) -> ChangedFeed:
    """``prepare_feed`` of the items of ``body`` whose digests are not in ``known``."""
    json_feed = is_json_feed(body[:65536], headers)
    try:
        scan = scan_json(body, headers) if json_feed else scan_xml(body, headers, feed_url)
    except Exception:  # a fault of the scan must not cost the feed its poll
        log.exception("the item scan failed on %s; parsing it whole", feed_url)
        scan = None
    if scan is None:
        return ChangedFeed(
            prepare_feed(body, headers, feed_url, now, max_bytes, watchlists), None, 0
        )
    seen = unpack(known)
    fresh = [i for i, d in enumerate(scan.digests) if d not in seen]
    if seen and len(fresh) < len(scan.digests):
        cut = _without_json(body, fresh) if json_feed else _without(body, scan.spans, fresh)
        # A one-byte body whose cut happens to be valid UTF-8 would be read as UTF-8.
        if json_feed or _charset_fixed(cut, scan.headers) is scan.headers:
            prepared = prepare_feed(cut, scan.headers, feed_url, now, max_bytes, watchlists)
            if isinstance(prepared, PreparedFeed) and len(prepared.parsed.stories) == len(fresh):
                return ChangedFeed(prepared, scan.packed, len(scan.digests))
    prepared = prepare_feed(body, headers, feed_url, now, max_bytes, watchlists)
    agrees = isinstance(prepared, PreparedFeed) and len(prepared.parsed.stories) == len(
        scan.digests
    )
    return ChangedFeed(prepared, scan.packed if agrees else None, len(scan.digests))


def scan_xml(body: bytes, headers: dict[str, str], feed_url: str) -> ItemScan | None:
    """The items of an RSS or Atom document, or None when the scan is unsure."""
    if body[:2] == GZIP_MAGIC or not body.strip():
        return None
    try:
        screen_entities(body, feed_url)
    except FeedError:
        return None  # the full parse gives the error
    fixed = _charset_fixed(body, headers)
    encoding = _first_encoding(body, fixed)
    if encoding is None:
        return None
    spans = _item_spans(body, encoding)
    if spans is None:
        return None
    digests = tuple(hashlib.blake2b(body[a:b], digest_size=DIGEST_SIZE).digest() for a, b in spans)
    return ItemScan(spans, digests, fixed)


def _first_encoding(body: bytes, headers: dict[str, str]) -> str | None:
    """The encoding feedparser decodes this body with, if it decodes every cut of it alike.

    feedparser tries the encoding RFC 3023 gives for the content type first. When that
    one decodes the whole body, it decodes any part of it cut at tags too, and the
    same way: UTF-8 (any cut at a tag is valid), a one-byte charset (each byte is one
    character), or any ASCII-compatible one for an ASCII body. Anything else (UTF-16,
    UTF-32, multi-byte charsets, a first guess that fails): None, the scan is unsure.
    """
    text = body[3:] if body.startswith(b"\xef\xbb\xbf") else body
    if not text.lstrip()[:1] == b"<":
        return None  # UTF-16, UTF-32, EBCDIC or junk before the root
    found = _XML_ENCODING.match(text)
    declared = found.group(1).decode().lower() if found else ""
    content_type, _, params = headers.get("content-type", "").partition(";")
    content_type = content_type.strip().lower()
    charset = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", params, re.IGNORECASE)
    http = charset.group(1).lower() if charset else ""
    if content_type in _XML_TYPES or (
        content_type.startswith("application/") and content_type.endswith("+xml")
    ):
        first = http or declared or "utf-8"
    elif content_type.startswith("text/"):
        first = http or "us-ascii"
    elif headers and "content-type" not in headers:
        first = declared or "iso-8859-1"
    else:
        first = declared or "utf-8"
    if text.isascii():
        return "utf-8" if first in _ASCII_SAFE | _ONE_BYTE else None
    if first not in _UTF8_NAMES | _ONE_BYTE:
        return None
    try:
        text.decode(first)
    except (UnicodeDecodeError, LookupError):
        return None
    return "utf-8" if first in _UTF8_NAMES else first


class _Spans:
    """Expat handlers that note the byte span of every item element."""

    def __init__(self, body: bytes, parser: Any) -> None:
        self.body = body
        self.parser = parser
        self.spans: list[tuple[int, int]] = []
        self.start: int | None = None
        self.unsure = False

    def on_start(self, name: str, attributes: Any) -> None:
        if name.rpartition(" ")[2] not in ("item", "entry"):
            return
        if name not in ITEM_ELEMENTS or self.start is not None:
            self.unsure = True  # an item in another namespace, or one inside another
        else:
            self.start = self.parser.CurrentByteIndex

    def on_end(self, name: str) -> None:
        if self.start is None or name not in ITEM_ELEMENTS:
            return
        # Expat is at the end tag, or just after an empty element's "/>".
        at, body = self.parser.CurrentByteIndex, self.body
        qname = re.match(rb"<([^\s/>]+)", body[self.start : self.start + 200])
        if qname and re.match(rb"</" + re.escape(qname.group(1)) + rb"\s*>", body[at : at + 210]):
            self.spans.append((self.start, body.index(b">", at) + 1))
        elif body[at - 2 : at] == b"/>":
            self.spans.append((self.start, at))
        else:
            self.unsure = True
        self.start = None


def _item_spans(body: bytes, encoding: str) -> tuple[tuple[int, int], ...] | None:
    parser = expat.ParserCreate(encoding=encoding, namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    spans = _Spans(body, parser)
    parser.StartElementHandler = spans.on_start
    parser.EndElementHandler = spans.on_end
    try:
        parser.Parse(body, True)
    except (expat.ExpatError, ValueError):
        return None  # not well-formed: feedparser's forgiving parser reads it whole
    if spans.unsure or spans.start is not None:
        return None
    return tuple(spans.spans)


def _without(body: bytes, spans: tuple[tuple[int, int], ...], keep: list[int]) -> bytes:
    """``body`` with every item cut out except those at the indexes in ``keep``."""
    kept = set(keep)
    parts = []
    at = 0
    for index, (start, end) in enumerate(spans):
        if index not in kept:
            parts.append(body[at:start])
            at = end
    parts.append(body[at:])
    return b"".join(parts)


def scan_json(body: bytes, headers: dict[str, str]) -> ItemScan | None:
    """The items of a JSON Feed, each digested in a canonical form; None when unsure."""
    document = _json_document(body)
    if document is None:
        return None
    items = document["items"]
    digests = tuple(
        hashlib.blake2b(_canonical(item), digest_size=DIGEST_SIZE).digest() for item in items
    )
    return ItemScan(tuple((i, i + 1) for i in range(len(items))), digests, headers)


def _json_document(body: bytes) -> dict[str, Any] | None:
    if body[:2] == GZIP_MAGIC:
        return None
    try:  # decoded as monitor.parse.jsonfeed decodes it
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return None
    if not all(isinstance(item, dict) for item in document["items"]):
        return None
    return document


def _canonical(item: dict[str, Any]) -> bytes:
    return json.dumps(item, sort_keys=True, ensure_ascii=False).encode()


def _without_json(body: bytes, keep: list[int]) -> bytes:
    document = _json_document(body)
    assert document is not None
    items = document["items"]
    cut = {**document, "items": [items[i] for i in keep]}
    return json.dumps(cut, ensure_ascii=False).encode()
