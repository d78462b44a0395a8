"""The wall clock, in one place: every ``now`` newswatch uses comes from here.

Reads the system clock; nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
