"""The exception tree of newswatch. Pure: no I/O.

    NewswatchError                      (watchlists.errors)
    ├── ConfigError (ValueError)        a setting or config file is wrong
    │   └── MisappliedOptionError       an option that does not apply (email + format)
    ├── WatchlistError (ValueError)     a watchlist file is invalid (watchlists.errors)
    ├── UnknownWatchlistError (LookupError)
    ├── NotFoundError (LookupError)     a feed, subscription or digest that does not exist
    ├── FeedError                       one feed could not be polled
    │   ├── FetchError                  network, HTTP status, size, time, refused address
    │   │   └── AddressRefusedError     private or loopback address not allowed
    │   └── ParseError                  the body is not a feed
    ├── DeliveryError                   a digest could not be delivered
    │   ├── EmailError
    │   └── WebhookError
    └── StorageError                    the database refused (storage.errors)

Third-party exceptions are mapped to the most specific class with ``raise … from``.
"""

from __future__ import annotations

from storage.errors import StorageError
from watchlists.errors import NewswatchError, UnknownWatchlistError, WatchlistError

__all__ = [
    "AddressRefusedError",
    "ConfigError",
    "DeliveryError",
    "EmailError",
    "FeedError",
    "FetchError",
    "MisappliedOptionError",
    "NewswatchError",
    "NotFoundError",
    "ParseError",
    "StorageError",
    "UnknownWatchlistError",
    "WatchlistError",
    "WebhookError",
]


class ConfigError(NewswatchError, ValueError):
    """A setting has a value newswatch cannot use."""


class MisappliedOptionError(ConfigError):
    """A value was given that does not apply (a webhook format for an email subscription).

    The command line reports it as a usage error (exit 2): the options do not go together.
    """


class NotFoundError(NewswatchError, LookupError):
    """A feed, subscription or digest named by the user does not exist."""


class FeedError(NewswatchError):
    """One feed could not be polled; the reason is stored on the feed row."""

    reason = "error"

    def __init__(self, message: str, *, url: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.url = url


class FetchError(FeedError):
    """The feed could not be fetched (network, status, size, deadline)."""

    reason = "fetch"

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, url=url, hint=hint)
        self.status = status
        self.retry_after = retry_after


class AddressRefusedError(FetchError):
    """The URL resolves to a private, loopback or otherwise internal address."""

    reason = "refused"


class ParseError(FeedError):
    """The body could not be read as a feed."""

    reason = "parse"


class DeliveryError(NewswatchError):
    """A digest could not be delivered; it stays pending and is retried."""

    def __init__(
        self,
        message: str,
        *,
        target: str,
        permanent: bool = False,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.target = target
        self.permanent = permanent
        self.retry_after = retry_after


class EmailError(DeliveryError):
    """The SMTP server refused or could not be reached."""


class WebhookError(DeliveryError):
    """The webhook receiver did not answer 2xx (``status`` is its answer, if any)."""

    def __init__(
        self,
        message: str,
        *,
        target: str,
        status: int | None = None,
        permanent: bool = False,
        retry_after: float | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(
            message, target=target, permanent=permanent, retry_after=retry_after, hint=hint
        )
        self.status = status
