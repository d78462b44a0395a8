"""Test-only: name resolution limited to loopback, in every process the tests start.

The tests put this folder on PYTHONPATH, so subprocesses load it too. A host
name other than localhost fails as an unknown name, without asking any DNS
server; numeric addresses resolve as usual (no traffic).
"""

from __future__ import annotations

import socket
from typing import Any

_real_getaddrinfo = socket.getaddrinfo
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _offline_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or str(name).lower().rstrip(".") in LOCAL_NAMES:
        return _real_getaddrinfo(host, port, *args, **kwargs)
    family = kwargs.pop("family", args[0] if len(args) > 0 else 0)
    type_ = kwargs.pop("type", args[1] if len(args) > 1 else 0)
    proto = kwargs.pop("proto", args[2] if len(args) > 2 else 0)
    flags = kwargs.pop("flags", args[3] if len(args) > 3 else 0)
    try:
        return _real_getaddrinfo(host, port, family, type_, proto, flags | socket.AI_NUMERICHOST)
    except socket.gaierror:
        raise socket.gaierror(
            socket.EAI_NONAME, "Name or service not known (tests resolve loopback only)"
        ) from None


socket.getaddrinfo = _offline_getaddrinfo
