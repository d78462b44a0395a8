"""Running the web application with uvicorn: beside the daemon (a thread) or alone.

Does I/O (listens on a socket). ``NEWSWATCH_WEB_ADDRESS`` is ``host:port``,
a bare port (on 127.0.0.1), or ``off``; port 0 picks a free port, and the
address actually bound is what is printed.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.web.access import check_bind, is_loopback
from monitor.web.app import create_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Address:
    host: str
    port: int


def parse_web_address(text: str) -> Address | None:
    """``127.0.0.1:8080``, ``[::1]:8080``, ``8080`` or ``off`` (None)."""
    raw = text.strip()
    if raw.lower() in ("off", "none", "false", "no"):
        return None
    host, port = "127.0.0.1", raw
    if ":" in raw:
        host, _, port = raw.rpartition(":")
        host = host.strip("[]")
    if not port.isdigit() or not 0 <= int(port) <= 65535 or not host:
        raise ConfigError(
            f"NEWSWATCH_WEB_ADDRESS={text!r} is not host:port",
            hint="e.g. 127.0.0.1:8080, 8080, [::1]:8080, or off",
        )
    return Address(host, int(port))


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class WebServer:
    """A bound uvicorn server; ``url`` is the address people open."""

    def __init__(
        self, settings: Settings, engine: Engine, address: Address, public: bool | None = None
    ) -> None:
        """Bind ``address``; ``public`` (default: not loopback) makes reads need the token."""
        check_bind(address.host, settings.admin_token)
        family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((address.host, address.port))
        except OSError as exc:
            self.socket.close()
            raise ConfigError(
                f"the web console cannot listen on {address.host}:{address.port} "
                f"({exc.strerror or exc})",
                hint="set NEWSWATCH_WEB_ADDRESS to a free port (e.g. 127.0.0.1:8081), or off",
            ) from exc
        self.socket.listen(128)
        host, port = self.socket.getsockname()[:2]
        self.url = url_of(host, port)
        self.port = port
        if public is None:
            public = not is_loopback(address.host)
        app = create_app(settings, engine, public=public)
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", server_header=False
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def serve_forever(self) -> None:
        """Serve until SIGINT or SIGTERM, then stop cleanly (exit status 0)."""

        def stop(_signum: int, _frame: object) -> None:
            self.server.should_exit = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            assert self._thread is not None
            while self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.socket.close()

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True, name="web"
        )
        self._thread.start()

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()


@contextmanager
def serving(settings: Settings, engine: Engine) -> Iterator[WebServer | None]:
    """The console and API in the background while the block runs (None when turned off)."""
    address = parse_web_address(settings.web_address)
    if address is None:
        yield None
        return
    server = WebServer(settings, engine, address)
    server.start()
    try:
        yield server
    finally:
        server.stop()
