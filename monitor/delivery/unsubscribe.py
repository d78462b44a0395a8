"""Unsubscribing, the I/O side: the key file in the data folder, and pausing a subscription.

The tokens and links themselves are pure (``monitor.digests.unsubscribe``).
"""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from monitor.digests.unsubscribe import token
from storage.subscriptions import disable_subscription, get_subscription

KEY_FILE = "unsubscribe.key"


def load_key(data_dir: Path) -> bytes:
    """The key of the unsubscribe tokens, made on first use (readable by its owner only).

    Every process that sends or answers unsubscribes must see the same data folder.
    """
    path = data_dir / KEY_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_hex(32)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(handle, "w", encoding="ascii") as out:
        out.write(fresh + "\n")
    return bytes.fromhex(fresh)


def unsubscribe(
    engine: Engine, key: bytes, subscription_id: int, given: str, now: datetime
) -> bool:
    """Pause the subscription if ``given`` is its token; whether it was (or already is)."""
    if not hmac.compare_digest(token(key, subscription_id), given.strip().lower()):
        return False
    sub = get_subscription(engine, subscription_id)
    if sub is None:
        return False
    if not sub.paused:
        disable_subscription(
            engine, subscription_id, f"unsubscribed by a recipient at {now:%Y-%m-%d %H:%M}Z"
        )
    return True
