"""The private-network guard decides on addresses, never on URL strings; these tests check
its decisions without connecting anywhere (no traffic leaves loopback, none is sent at all)."""

from __future__ import annotations

import asyncio

import pytest

from monitor.errors import AddressRefusedError
from monitor.fetch.netguard import address_refusal, check_addresses, resolve_checked

REFUSED = [
    ("loopback", "127.0.0.1", "loopback"),
    ("loopback v6", "::1", "loopback"),
    ("ipv4-mapped loopback", "::ffff:127.0.0.1", "loopback"),
    ("ipv4-mapped private", "::ffff:10.1.2.3", "private"),
    ("nat64 of private", "64:ff9b::a00:1", "private"),
    ("6to4 of loopback", "2002:7f00:1::", "loopback"),
    ("private 10/8", "10.0.0.1", "private"),
    ("private 192.168/16", "192.168.1.1", "private"),
    ("carrier-grade nat", "100.64.0.1", "shared"),
    ("link-local", "169.254.10.10", "link-local"),
    ("cloud metadata", "169.254.169.254", "metadata"),
    ("aws v6 metadata", "fd00:ec2::254", "metadata"),
    ("unique local v6", "fd12:3456::1", "private"),
    ("link-local v6 with zone", "fe80::1%eth0", "link-local"),
    ("unspecified", "0.0.0.0", "private"),
    ("multicast", "224.0.0.1", "not a public"),
]


@pytest.mark.parametrize(("ip", "words"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_internal_addresses_are_refused(ip: str, words: str) -> None:
    reason = address_refusal(ip)
    assert reason is not None and words in reason


@pytest.mark.parametrize("ip", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_pass(ip: str) -> None:
    assert address_refusal(ip) is None


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "localhost"],
    ids=["decimal", "octal", "hex", "short", "name"],
)
def test_forms_that_string_checks_miss_resolve_to_loopback_and_are_refused(host: str) -> None:
    """The system resolver turns these into 127.0.0.1 locally; the guard sees that address."""
    with pytest.raises(AddressRefusedError, match="loopback"):
        asyncio.run(resolve_checked(host, 80, f"http://{host}/rss", allow_private=False))


def test_one_trusted_internal_address_does_not_open_the_others() -> None:
    check_addresses(["10.0.0.5"], "http://intranet/rss", 8080, allowed=("10.0.0.5:8080",))
    with pytest.raises(AddressRefusedError):
        check_addresses(["10.0.0.5"], "http://intranet/rss", 22, allowed=("10.0.0.5:8080",))
    with pytest.raises(AddressRefusedError):
        check_addresses(["10.0.0.6"], "http://intranet/rss", 8080, allowed=("10.0.0.5:8080",))


def test_any_internal_address_among_several_refuses_the_host() -> None:
    with pytest.raises(AddressRefusedError, match="private"):
        check_addresses(["93.184.216.34", "10.0.0.1"], "http://mixed.example/rss")


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("169.254.169.254", "metadata"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("[fe80::1]", "link-local"),
        ("100.64.0.1", "shared"),
        ("10.1.2.3", "private"),
    ],
)
def test_address_literals_are_judged_without_a_lookup(host: str, words: str) -> None:
    """Written addresses skip the resolver (no thread hop); the same rules refuse them."""
    with pytest.raises(AddressRefusedError, match=words):
        asyncio.run(resolve_checked(host, 80, f"http://{host}/rss", allow_private=False))
    trusted = host.strip("[]")
    allowed = asyncio.run(
        resolve_checked(host, 80, f"http://{host}/rss", allow_private=False, allowed=(trusted,))
    )
    assert allowed == [trusted]
