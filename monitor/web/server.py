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

import uvicorn
from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.web.access import is_loopback
from monitor.web.address import Address, bind, parse_web_address
from monitor.web.app import create_app

__all__ = ["Address", "WebServer", "parse_web_address"]

log = logging.getLogger(__name__)


class WebServer:
    """A bound uvicorn server; ``url`` is the address people open."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        address: Address,
        public: bool | None = None,
        listener: tuple[socket.socket, str] | None = None,
    ) -> None:
        """Bind ``address`` (or take ``listener``, already bound to it); ``public`` (default:
        not loopback) makes reads need the token."""
        self.socket, self.url = listener or bind(address, settings.admin_token)
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

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()
