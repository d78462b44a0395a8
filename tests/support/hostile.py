"""A scriptable HTTP server on 127.0.0.1 for hostile-input tests: each path runs a handler.

Handlers get the request handler object and write whatever they like: endless
bodies, one byte a second, redirect loops, bombs. Every request is recorded.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler], None]


class ScriptServer:
    """Serves ``handlers`` (path → function); unknown paths get 404."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
                handler = server.handlers.get(path)
                try:
                    if handler is None:
                        send(self, 404, b"not found", {"Content-Type": "text/plain"})
                    else:
                        handler(self)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def headers_of(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [h for p, h in self.requests if p == path]


@contextmanager
def running(server: ScriptServer) -> Iterator[ScriptServer]:
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def send(
    request: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    """A complete response with a Content-Length."""
    request.send_response(status)
    merged = {"Content-Type": "application/rss+xml; charset=utf-8", **(headers or {})}
    for key, value in merged.items():
        request.send_header(key, value)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


def static(body: bytes, status: int = 200, **headers: str) -> Handler:
    """Always the same answer; header names use underscores for dashes."""
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return lambda request: send(request, status, body, named)


def redirect(location: str, status: int = 301) -> Handler:
    def handler(request: BaseHTTPRequestHandler) -> None:
        # A large 3xx body that must never be read.
        send(request, status, b"x" * 200_000, {"Location": location, "Content-Type": "text/plain"})

    return handler


def endless(chunk: bytes = b"<item>" * 10_000, declare_length: int | None = None) -> Handler:
    """Sends ``chunk`` for ever (until the client hangs up), optionally declaring a length."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        if declare_length is not None:
            request.send_header("Content-Length", str(declare_length))
        request.send_header("Connection", "close")
        request.end_headers()
        request.close_connection = True
        sent = 0
        while declare_length is None or sent < declare_length:
            request.wfile.write(chunk)
            sent += len(chunk)

    return handler


def drip(body: bytes, every: float = 0.2) -> Handler:
    """One byte every ``every`` seconds: each read is quick, the whole is very slow."""

    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        for byte in body:
            request.wfile.write(bytes([byte]))
            request.wfile.flush()
            time.sleep(every)

    return handler


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (about 1,000× smaller)."""
    return gzip.compress(b"\0" * size, compresslevel=9)
