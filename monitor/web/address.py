"""Where the console listens: ``NEWSWATCH_WEB_ADDRESS`` read, checked and bound.

Does I/O (binds a socket); imports nothing but the standard library and
newswatch's errors, so ``newswatch run`` can refuse a bad address, and say
where the console is, before the web stack is loaded.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from monitor.errors import ConfigError
from monitor.web.access import check_bind


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


def bind(address: Address, token: str) -> tuple[socket.socket, str]:
    """A listening socket on ``address`` and the URL people open (the port actually bound)."""
    check_bind(address.host, token)
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((address.host, address.port))
    except OSError as exc:
        listener.close()
        raise ConfigError(
            f"the web console cannot listen on {address.host}:{address.port} "
            f"({exc.strerror or exc})",
            hint="set NEWSWATCH_WEB_ADDRESS to a free port (e.g. 127.0.0.1:8081), or off",
        ) from exc
    listener.listen(128)
    host, port = listener.getsockname()[:2]
    return listener, url_of(host, port)
