"""``watchlists`` is pure: importing every module pulls in no I/O library."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import watchlists

FORBIDDEN = ("httpx", "feedparser", "sqlalchemy", "sqlmodel", "apscheduler", "smtplib")


def test_no_io_libraries_imported() -> None:
    modules = [m.name for m in pkgutil.walk_packages(watchlists.__path__, "watchlists.")]
    assert "watchlists.matcher" in modules and "watchlists.loader" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "[]"
