"""Identity keys of pruned stories: how they are written and looked up.

Does I/O (the database), through the session it is given.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.tables import Tombstone


def url_key(canonical_url: str) -> str:
    return "url:" + canonical_url


def guid_key(feed_id: int, guid: str) -> str:
    return f"guid:{feed_id}:{guid}"


def is_tombstoned(
    session: Session, canonical_url: str | None, feed_id: int | None, guid: str
) -> bool:
    """Whether an incoming item repeats a story that was pruned."""
    keys = []
    if canonical_url:
        keys.append(url_key(canonical_url))
    if feed_id is not None and guid:
        keys.append(guid_key(feed_id, guid))
    if not keys:
        return False
    found = session.exec(select(Tombstone.key).where(col(Tombstone.key).in_(keys))).first()
    return found is not None
