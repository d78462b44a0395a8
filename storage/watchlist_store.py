"""Stored watchlists: the YAML text of each, its version history, enabled or not.

Does I/O (the database). Validation happens before anything reaches here; every
save of a changed text makes a new version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage.database import transaction
from storage.records import WatchlistRecord
from storage.tables import Watchlist, WatchlistVersion


def _record(row: Watchlist) -> WatchlistRecord:
    return WatchlistRecord(
        row.name, row.version, row.text, row.enabled, row.builtin, row.updated_at
    )


def list_watchlists(engine: Engine) -> list[WatchlistRecord]:
    with transaction(engine) as session:
        return [_record(r) for r in session.exec(select(Watchlist).order_by(col(Watchlist.name)))]


def get_watchlist(engine: Engine, name: str) -> WatchlistRecord | None:
    with transaction(engine) as session:
        row = session.exec(select(Watchlist).where(Watchlist.name == name)).first()
        return _record(row) if row else None


def save_watchlist(
    engine: Engine, name: str, text: str, now: datetime, *, builtin: bool = False
) -> WatchlistRecord:
    """Create or update a watchlist; a changed text becomes a new version.

    A name that was removed continues its numbering: the old versions stay in the
    history, and the new text becomes the next version after them.
    """
    with transaction(engine) as session:
        row = session.exec(select(Watchlist).where(Watchlist.name == name)).first()
        if row is None:
            last = session.exec(
                select(func.max(WatchlistVersion.version)).where(WatchlistVersion.name == name)
            ).one()
            version = (last or 0) + 1
            row = Watchlist(name=name, version=version, text=text, builtin=builtin, updated_at=now)
        elif row.text != text:
            row.version += 1
            row.text = text
            row.updated_at = now
        else:
            return _record(row)
        session.add(row)
        session.add(WatchlistVersion(name=name, version=row.version, text=text, created_at=now))
        session.flush()
        return _record(row)


def set_enabled(engine: Engine, name: str, enabled: bool) -> bool:
    with transaction(engine) as session:
        row = session.exec(select(Watchlist).where(Watchlist.name == name)).first()
        if row is None:
            return False
        row.enabled = enabled
        session.add(row)
        return True


def delete_watchlist(engine: Engine, name: str) -> bool:
    with transaction(engine) as session:
        row = session.exec(select(Watchlist).where(Watchlist.name == name)).first()
        if row is None:
            return False
        session.delete(row)
        return True


def watchlists_signature(engine: Engine) -> tuple[tuple[str, int, bool], ...]:
    """Names, versions and enabled flags: a cheap check whether anything changed."""
    with transaction(engine) as session:
        rows = session.exec(
            select(Watchlist.name, Watchlist.version, Watchlist.enabled).order_by(
                col(Watchlist.name)
            )
        )
        return tuple((n, v, e) for n, v, e in rows)
