"""Who may do what through the web: the admin token, console sessions and CSRF tokens.

Pure apart from reading the clock for session expiry (``now`` is passed in).
The rules, in one place:

- Any change needs ``NEWSWATCH_ADMIN_TOKEN``: a bearer token for the API, a
  login (and then a session cookie and a CSRF token on every form) for the console.
- Without a token the web is read-only, and only on a loopback address.
- On an address that is not loopback, reading needs the token as well.

Tokens are compared in constant time; sessions and CSRF tokens are HMACs keyed
by the admin token, so changing the token logs everybody out.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from monitor.errors import ConfigError

SESSION_COOKIE = "newswatch_session"
SESSION_SECONDS = 12 * 3600
TOKEN_HINT = (
    "set NEWSWATCH_ADMIN_TOKEN (or NEWSWATCH_ADMIN_TOKEN_FILE) and send it as a bearer token"
)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``; false for every other name or address."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def check_bind(host: str, token: str) -> None:
    """Refuse to listen on an address other people can reach without an admin token."""
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"the web console would listen on {host}, which is not a loopback address, "
            "and no admin token is set",
            hint="set NEWSWATCH_ADMIN_TOKEN (or NEWSWATCH_ADMIN_TOKEN_FILE), "
            "or keep NEWSWATCH_WEB_ADDRESS on 127.0.0.1",
        )


@dataclass(frozen=True)
class Access:
    """The access rules of one running server."""

    token: str  # "" when no admin token is set: read-only
    public: bool  # listening on an address that is not loopback

    @property
    def read_only(self) -> bool:
        return not self.token

    def token_matches(self, given: str | None) -> bool:
        """Constant-time comparison of a presented token with the admin token."""
        if not self.token or not given:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def bearer_matches(self, authorization: str | None) -> bool:
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(value.strip())

    def _key(self) -> bytes:
        return hashlib.sha256(b"newswatch-console-session\0" + self.token.encode("utf-8")).digest()

    def _sign(self, text: str) -> str:
        return hmac.new(self._key(), text.encode("ascii"), hashlib.sha256).hexdigest()

    def new_session(self, now: float) -> str:
        """A session cookie value: expiry, a random nonce, and their signature."""
        body = f"{int(now) + SESSION_SECONDS}.{secrets.token_urlsafe(18)}"
        return f"{body}.{self._sign(body)}"

    def session_valid(self, cookie: str | None, now: float) -> bool:
        if not self.token or not cookie or cookie.count(".") != 2:
            return False
        body, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return False
        expires = body.split(".", 1)[0]
        return expires.isdigit() and int(expires) > now

    def csrf_token(self, cookie: str) -> str:
        """The CSRF token of one session: forms carry it, and it is checked on every POST."""
        return self._sign("csrf:" + cookie)

    def csrf_valid(self, cookie: str | None, given: str | None) -> bool:
        if not cookie or not given:
            return False
        return hmac.compare_digest(given, self.csrf_token(cookie))
