"""Fetching feeds over HTTP: conditional GET, redirects by hand, a deadline, a size cap.

Does I/O (network). Every hop's host is resolved and checked by the
private-network guard, and the peer address actually reached is checked
again before any body byte is read. A 3xx body is never read.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import httpx

from monitor.config import Settings
from monitor.errors import FetchError
from monitor.fetch.netguard import check_addresses, resolve_checked
from monitor.parse.decode import BoundedDecoder
from monitor.schedule.polling import retry_after_seconds

MAX_REDIRECTS = 5
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    allow_private: bool = False
    deadline: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    user_agent: str = "newswatch"
    allowed_addresses: tuple[str, ...] = ()  # internal "ip" or "ip:port" allowed anyway


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # the URL that answered, after redirects
    status: int
    body: bytes
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None
    permanent_redirect: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@functools.cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context per process (loading the CA store costs ~15 ms)."""
    return ssl.create_default_context()


def new_client(concurrency: int = 16) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(
        verify=_tls(),
        follow_redirects=False,
        limits=limits,
        # Waiting for a pooled connection is bounded by the fetch's overall deadline.
        timeout=httpx.Timeout(10.0, pool=None),
        trust_env=False,
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    etag: str | None = None,
    last_modified: str | None = None,
    *,
    now: datetime,
) -> FetchResult:
    """GET ``url`` within ``policy.deadline`` seconds overall; 304 comes back as a result.

    ``now`` (the caller's clock) dates a Retry-After given as an HTTP date. A ``file://``
    URL is read from disk (for offline use); its modification time stands in for
    Last-Modified, so an unchanged file answers like a 304.
    """
    if url.startswith("file:"):
        return read_local(url, policy, last_modified)
    try:
        async with asyncio.timeout(policy.deadline):
            return await _follow(client, url, policy, etag, last_modified, now)
    except TimeoutError as exc:
        raise FetchError(
            f"no complete answer within {policy.deadline:g} s",
            url=url,
            hint="the server is too slow; it will be tried again later",
        ) from exc


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    etag: str | None,
    last_modified: str | None,
    now: datetime,
) -> FetchResult:
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": "gzip, deflate, br",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    permanent: str | None = None
    all_permanent = True
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(
                f"'{current}' is not an http(s) URL",
                url=url,
                hint="give the full address, starting with https://",
            )
        port = parts.port or (443 if parts.scheme == "https" else 80)
        await resolve_checked(
            parts.hostname, port, current, policy.allow_private, policy.allowed_addresses
        )
        response = await _send(client, current, headers)
        try:
            if not policy.allow_private:
                check_addresses([_peer(response)], current, port, policy.allowed_addresses)
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(
                        f"redirect {response.status_code} without a Location", url=current
                    )
                all_permanent = all_permanent and response.status_code in (301, 308)
                current = urljoin(current, location)
                permanent = current if all_permanent else None
                continue
            return await _read(response, current, policy, permanent, now)
        finally:
            await response.aclose()
    raise FetchError(
        f"more than {MAX_REDIRECTS} redirects",
        url=url,
        hint="the feed address loops; open it in a browser and use the final address",
    )


async def _send(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    """Send a GET; a kept-alive connection the server dropped meanwhile gets one retry."""
    for attempt in (1, 2):
        try:
            request = client.build_request("GET", url, headers=headers)
            return await client.send(request, stream=True)
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            if attempt == 2:
                raise FetchError(f"connection failed: {exc.__class__.__name__}", url=url) from exc
        except httpx.TransportError as exc:
            raise FetchError(
                f"cannot connect: {exc.__class__.__name__}: {exc}".rstrip(": "), url=url
            ) from exc
    raise AssertionError("unreachable")


def _peer(response: httpx.Response) -> str:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    return str(peer[0]) if peer else ""


async def _read(
    response: httpx.Response, url: str, policy: FetchPolicy, permanent: str | None, now: datetime
) -> FetchResult:
    status = response.status_code
    headers = {k.lower(): v for k, v in response.headers.items()}
    if status == 304:
        # A 304 has no body; reading its end lets the connection go back to the pool.
        async for _chunk in response.aiter_raw():
            break
        return FetchResult(url, status, b"", headers, None, None, permanent)
    if status >= 400 or status < 200:
        raise FetchError(
            f"HTTP {status} {response.reason_phrase}".strip(),
            url=url,
            status=status,
            retry_after=retry_after_seconds(headers.get("retry-after"), now),
        )
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(
            f"refused: body of {int(declared):,} bytes is over the {policy.max_bytes:,} limit",
            url=url,
        )
    decoder = BoundedDecoder(headers.get("content-encoding"), policy.max_bytes, url)
    raw_seen = 0
    parts: list[bytes] = []
    try:
        async for chunk in response.aiter_raw():
            raw_seen += len(chunk)
            if raw_seen > policy.max_bytes:
                raise FetchError(f"refused: body over {policy.max_bytes:,} bytes", url=url)
            parts.append(decoder.feed(chunk))
    except httpx.TransportError as exc:
        raise FetchError(f"connection broke while reading: {exc}", url=url) from exc
    return FetchResult(
        url=url,
        status=status,
        body=b"".join(parts),
        headers=headers,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        permanent_redirect=permanent,
    )


def read_local(url: str, policy: FetchPolicy, last_modified: str | None) -> FetchResult:
    """A feed kept as a local file: size-capped, never following anything it says."""
    path = Path(url2pathname(urlsplit(url).path))
    try:
        info = path.stat()
        stamp = formatdate(info.st_mtime, usegmt=True)
        if last_modified == stamp:
            return FetchResult(url, 304, b"", {}, None, stamp)
        if info.st_size > policy.max_bytes:
            raise FetchError(
                f"refused: the file has {info.st_size:,} bytes, "
                f"over the {policy.max_bytes:,} limit",
                url=url,
            )
        with path.open("rb") as handle:
            body = handle.read(policy.max_bytes + 1)
    except OSError as exc:
        raise FetchError(
            f"cannot read the file {path} ({exc.strerror})",
            url=url,
            hint="check the path, or remove the feed with `newswatch feed remove`",
        ) from exc
    if len(body) > policy.max_bytes:
        raise FetchError(f"refused: the file grew over {policy.max_bytes:,} bytes", url=url)
    return FetchResult(url, 200, body, {}, None, stamp)


def fetch_policy(settings: Settings) -> FetchPolicy:
    """The fetch policy the settings give: the network guard, deadline, size cap, user agent."""
    return FetchPolicy(
        allow_private=settings.allow_private_networks,
        deadline=settings.fetch_timeout,
        max_bytes=settings.max_feed_bytes,
        user_agent=settings.user_agent,
    )
