"""Bounded decompression of one Content-Encoding layer (gzip, deflate, br).

Pure: bytes in, bytes out. Output is capped while decompressing, so a small
bomb never becomes a large buffer; stacked or unknown encodings are refused.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import brotli

from monitor.errors import FetchError

IDENTITY = {"", "identity"}
SUPPORTED = {"gzip", "x-gzip", "deflate", "br"}


class BoundedDecoder:
    """Feeds raw chunks through one decoder, refusing output beyond ``limit`` bytes."""

    def __init__(self, encoding_header: str | None, limit: int, url: str) -> None:
        layers = [p.strip().lower() for p in (encoding_header or "").split(",") if p.strip()]
        layers = [p for p in layers if p not in IDENTITY]
        if len(layers) > 1:
            raise FetchError(
                f"refused: stacked content encodings ({encoding_header})",
                url=url,
                hint="the server must send at most one Content-Encoding layer",
            )
        self.encoding = layers[0] if layers else ""
        if self.encoding and self.encoding not in SUPPORTED:
            raise FetchError(f"unsupported content encoding '{self.encoding}'", url=url)
        self.limit = limit
        self.url = url
        self.size = 0
        self._zlib: zlib._Decompress | None = None
        self._brotli: brotli.Decompressor | None = None
        self._first = True
        if self.encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "br":
            self._brotli = brotli.Decompressor()

    def feed(self, chunk: bytes) -> bytes:
        if not self.encoding:
            return self._count(chunk)
        try:
            if self.encoding == "deflate" and self._first:
                # Servers send zlib-wrapped or raw deflate under one name: try both.
                self._first = False
                self._zlib = zlib.decompressobj()
                try:
                    return self._zlib_feed(chunk)
                except zlib.error:
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.size = 0
            if self._zlib is not None:
                return self._zlib_feed(chunk)
            return self._brotli_feed(chunk)
        except (zlib.error, brotli.error) as exc:
            raise FetchError(f"the {self.encoding} body is corrupt ({exc})", url=self.url) from exc

    def _zlib_feed(self, chunk: bytes) -> bytes:
        assert self._zlib is not None
        out = []
        data = chunk
        while True:
            room = self.limit - self.size + 1
            part = self._zlib.decompress(data, room)
            out.append(self._count(part))
            data = self._zlib.unconsumed_tail
            if not data:
                return b"".join(out)

    def _brotli_feed(self, chunk: bytes) -> bytes:
        assert self._brotli is not None
        out = [self._count(self._brotli.process(chunk, output_buffer_limit=1 << 20))]
        while not self._brotli.can_accept_more_data():
            out.append(self._count(self._brotli.process(b"", output_buffer_limit=1 << 20)))
        return b"".join(out)

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(
                f"refused: body larger than {self.limit:,} bytes after decompression",
                url=self.url,
                hint="raise NEWSWATCH_MAX_FEED_BYTES if this feed is really that large",
            )
        return data


def decode_all(chunks: Iterable[bytes], encoding: str | None, limit: int, url: str) -> bytes:
    decoder = BoundedDecoder(encoding, limit, url)
    return b"".join(decoder.feed(c) for c in chunks)
