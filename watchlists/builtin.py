"""The built-in watchlists shipped as package data in ``watchlists/builtin/*.yaml``.

Reads package resources only (importlib.resources), never the filesystem by path.
"""

from __future__ import annotations

from importlib import resources

from watchlists.loader import parse_watchlist
from watchlists.model import Watchlist

BUILTIN_NAMES: tuple[str, ...] = (
    "embassy-raids",
    "vienna-conventions",
    "ice-consulates",
    "ecuador-mexico",
)


def builtin_watchlist_texts() -> dict[str, str]:
    """Name -> YAML text of every built-in watchlist, in a fixed order."""
    folder = resources.files("watchlists").joinpath("builtin")
    return {
        name: folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8") for name in BUILTIN_NAMES
    }


def builtin_watchlists() -> list[Watchlist]:
    """The built-in watchlists, parsed and validated."""
    return [
        parse_watchlist(text, path=f"watchlists/builtin/{name}.yaml")
        for name, text in builtin_watchlist_texts().items()
    ]
