"""What one CLI invocation opens: settings and the database, each at most once.

Does I/O (opens the database on first use).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Engine

from monitor.config import Settings


@dataclass
class State:
    debug: bool = False
    config_file: Path | None = None
    _settings: Settings | None = None
    _engine: Engine | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env(os.environ, self.config_file)
        return self._settings

    def engine(self) -> Engine:
        """The database, created (with its folder) if it does not exist yet."""
        if self._engine is None:
            from monitor.service.cycle import open_database

            self._engine = open_database(self.settings())
        return self._engine

    def reader(self) -> Engine:
        """The database for a command that only reads. Before the first write there is no
        file yet: an empty database in memory answers, and nothing is created on disk."""
        if self._engine is None and not database_exists(self.settings()):
            from monitor.service.cycle import open_database

            self._engine = open_database(replace(self.settings(), database_url="sqlite://"))
        return self.engine()

    def reset(self) -> None:
        """Forget the settings and database of an earlier invocation (tests run many)."""
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._settings = None


def database_exists(settings: Settings) -> bool:
    """Whether the database is there already (a server database always counts as there)."""
    url = settings.effective_database_url
    if not url.startswith("sqlite"):
        return True
    return Path(url.split("///", 1)[-1]).is_file()


state = State()
