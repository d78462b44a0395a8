"""Politeness while fetching: a global limit, per-host limits and spacing, one fetch per URL.

Does I/O only by waiting (asyncio). ``HostLimiter.slot(url)`` is held for the
whole fetch: at most ``global_limit`` fetches run at once, at most ``per_host``
to one host (scheme, host and port), and two requests to one host start at
least ``spacing`` seconds apart. ``ClientSet`` spreads hosts over several small
httpx clients (httpcore scans its whole pool on every request).
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from monitor.fetch.http import new_client

T = TypeVar("T")


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"


class HostLimiter:
    """Global and per-host concurrency, and a minimum gap between requests to one host."""

    def __init__(self, global_limit: int, per_host: int, spacing: float) -> None:
        self.global_slots = asyncio.Semaphore(global_limit)
        self.per_host = per_host
        self.spacing = spacing
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._next_start: dict[str, float] = {}
        self.waited = 0.0  # seconds spent waiting for spacing, for the logs

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        key = host_key(url)
        host = self._hosts.setdefault(key, asyncio.Semaphore(self.per_host))
        async with host:
            # Reserve a start time first, so concurrent waiters line up spacing apart.
            now = time.monotonic()
            start = max(now, self._next_start.get(key, 0.0))
            self._next_start[key] = start + self.spacing
            if start > now:
                self.waited += start - now
                await asyncio.sleep(start - now)
            async with self.global_slots:
                yield


class OncePerUrl:
    """Runs one fetch per URL at a time: a second caller for the same URL shares the first."""

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Future[Any]] = {}

    async def run(self, url: str, make: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(url)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._running[url] = future
        try:
            result = await make()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: a lone caller must not warn
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._running[url]


class ClientSet:
    """Several small httpx clients; a host always uses the same one (its connections stay)."""

    def __init__(self, count: int, connections_each: int) -> None:
        self.clients = [new_client(connections_each) for _ in range(max(1, count))]

    def for_url(self, url: str) -> httpx.AsyncClient:
        index = zlib.crc32(host_key(url).encode()) % len(self.clients)
        return self.clients[index]

    async def aclose(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients))
