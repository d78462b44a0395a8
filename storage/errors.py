"""Errors raised by the storage layer. Pure: no I/O."""

from __future__ import annotations

from watchlists.errors import NewswatchError


class StorageError(NewswatchError):
    """The database could not be opened, migrated or written."""
