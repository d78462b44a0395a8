"""The private-network guard: which addresses newswatch may connect to.

``address_refusal`` is pure; ``resolve_checked`` does DNS. The decision is made
on resolved IP addresses, never on the URL string, and again on the peer
address a connection actually reached (see ``monitor.fetch.http``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from monitor.errors import AddressRefusedError, FetchError

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not is_private
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(ip: str) -> str | None:
    """Why ``ip`` may not be contacted (a short reason), or None when it is public."""
    try:
        address: IPAddress = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"'{ip}' is not an IP address"
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            address = mapped
        elif address in ipaddress.ip_network("64:ff9b::/96"):
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _METADATA:
        return f"{address} is a cloud metadata address"
    if address.is_loopback:
        return f"{address} is a loopback address"
    if address.is_link_local:
        return f"{address} is a link-local address"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return f"{address} is a shared (carrier-grade NAT) address"
    if address.is_private:
        return f"{address} is a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return f"{address} is not a public unicast address"
    return None


async def resolve_checked(
    host: str, port: int, url: str, allow_private: bool, allowed: tuple[str, ...] = ()
) -> list[str]:
    """Resolve ``host``; refuse if ANY address is internal (unless allowed).

    ``allowed`` names exceptions, as ``ip`` or ``ip:port``: one internal feed
    server the operator trusts, while every other internal address stays refused.
    """
    literal = _ip_literal(host)
    if literal is not None:  # nothing to look up (and no thread hop for it)
        if not allow_private:
            check_addresses([literal], url, port, allowed)
        return [literal]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(
            f"cannot resolve host '{host}' ({exc.strerror})",
            url=url,
            hint="check the spelling of the URL and that DNS works on this machine",
        ) from exc
    addresses = sorted({str(info[4][0]) for info in infos})
    if not allow_private:
        check_addresses(addresses, url, port, allowed)
    return addresses


def _ip_literal(host: str) -> str | None:
    """``host`` as an address if it is written as a standard one, else None.

    Only the strict forms ``ipaddress`` accepts count; the others a resolver also takes
    (``2130706433``, ``0177.0.0.1``, ``127.1``) go through ``getaddrinfo`` and are
    checked on the address it returns, as names are.
    """
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):  # written as the resolver writes it
        return socket.inet_ntop(socket.AF_INET6, address.packed)
    return str(address)


def check_addresses(
    addresses: list[str], url: str, port: int = 0, allowed: tuple[str, ...] = ()
) -> None:
    """Raise ``AddressRefusedError`` if any address is internal and not explicitly allowed."""
    for ip in addresses:
        if ip in allowed or f"{ip}:{port}" in allowed:
            continue
        reason = address_refusal(ip)
        if reason is not None:
            raise AddressRefusedError(
                f"refused: {url} resolves to {reason}",
                url=url,
                hint="set NEWSWATCH_ALLOW_PRIVATE_NETWORKS=true to allow internal addresses",
            )
