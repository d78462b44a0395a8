"""Moving a test database to one migration, up or down, as ``storage.database.migrate`` would."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from storage.database import MIGRATIONS


def to_revision(engine: Engine, revision: str, down: bool = False) -> None:
    """Upgrade (or, with ``down``, downgrade) the database at ``engine`` to ``revision``."""
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
