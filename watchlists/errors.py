"""The root of newswatch's exception tree, and the watchlist branch.

Pure: no I/O. The root lives here because ``watchlists`` is the lowest layer
(``storage`` and ``monitor`` both import it, it imports neither). ``monitor.errors``
draws the whole tree.
"""

from __future__ import annotations


class NewswatchError(Exception):
    """Base of every error newswatch raises on purpose.

    ``hint`` tells a person how to fix it; the CLI prints message and hint.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class WatchlistError(NewswatchError, ValueError):
    """A watchlist file or text is invalid; names the file and line where known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = path or "<watchlist>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}", hint=hint)
        self.path = path
        self.line = line


class UnknownWatchlistError(NewswatchError, LookupError):
    """A watchlist name that is not defined."""
