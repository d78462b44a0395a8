"""``newswatch web``: the console and REST API alone, without polling; and the console of ``run``.

Does I/O (a listening socket, the terminal).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from monitor.cli.console import err
from monitor.cli.context import state
from monitor.config import Settings


def _announce(url: str, settings: Settings) -> None:
    mode = "" if settings.admin_token else " (read-only: no NEWSWATCH_ADMIN_TOKEN)"
    err.print(
        f"web console on {url}{mode}; API on {url}api/v1/",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def web() -> None:
    """Serve the web console and REST API on NEWSWATCH_WEB_ADDRESS, without polling feeds."""
    from monitor.errors import ConfigError
    from monitor.web.server import WebServer, parse_web_address

    settings = state.settings()
    address = parse_web_address(settings.web_address)
    if address is None:
        raise ConfigError(
            "NEWSWATCH_WEB_ADDRESS is off", hint="set it to an address, e.g. 127.0.0.1:8080"
        )
    server = WebServer(settings, state.engine(), address)
    _announce(server.url, settings)
    server.serve_forever()


@contextmanager
def console(settings: Settings, engine: Engine) -> Iterator[None]:
    """The console beside the daemon (``run``), unless NEWSWATCH_WEB_ADDRESS is off.

    The address is checked, bound and announced before the web stack loads; the server
    then answers from a thread while the block runs. (Loading the web stack in that thread
    instead made the daemon's first cycle, and its stop, share the interpreter with the
    imports: measured slower to stop on a loaded machine.)
    """
    from monitor.web.access import is_loopback
    from monitor.web.address import bind, parse_web_address

    address = parse_web_address(settings.web_address)
    if address is None:
        yield
        return
    listener = bind(address, settings.admin_token)
    _announce(listener[1], settings)
    from monitor.web.server import WebServer

    server = WebServer(
        settings, engine, address, public=not is_loopback(address.host), listener=listener
    )
    server.start()
    try:
        yield
    finally:
        server.server.should_exit = True
        server.join(timeout=1)  # a request cut short rolls back; nothing half-written
        listener[0].close()
