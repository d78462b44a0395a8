"""What one CLI invocation opens: settings and the database, each at most once.

Does I/O (opens the database on first use).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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
        if self._engine is None:
            from monitor.service import open_database

            self._engine = open_database(self.settings())
        return self._engine


state = State()
