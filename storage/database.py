"""Opening the database: engine, SQLite pragmas, migrations, transactions.

Does I/O. SQLite runs in WAL mode with a busy timeout and ``BEGIN IMMEDIATE``
for writes; PostgreSQL is used as it is. The schema is only ever changed by
Alembic migrations (``storage/migrations``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, create_engine

from storage.errors import StorageError

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def open_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets its folder, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, issue BEGIN, so writes can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; stored data is kept.

    On SQLite, foreign keys are off while migrations run (a migration that rebuilds a table
    drops the old one, and with foreign keys on that deletes or unlinks the rows pointing at
    it) and checked before the migration commits.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_pragma(connection, "foreign_keys=OFF")  # only outside a transaction
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if sqlite:
                        _check_links(connection)
            finally:
                if sqlite:
                    _sqlite_pragma(connection, "foreign_keys=ON")
    except SQLAlchemyError as exc:
        raise StorageError(
            f"could not migrate the database at {engine.url.render_as_string()}: {exc}",
            hint="check that the database is reachable and that this user may create tables",
        ) from exc


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA {pragma}")


def _check_links(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, _row, parent, _key = broken[0]
        raise StorageError(
            f"a migration would leave {len(broken)} rows pointing nowhere "
            f"(e.g. in {table}, to {parent}); nothing was changed",
            hint="report this with the output of 'newswatch status'",
        )


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except IntegrityError:
        session.rollback()
        raise
    except SQLAlchemyError as exc:
        session.rollback()
        raise StorageError(
            f"the database refused a write: {getattr(exc, 'orig', None) or exc}",
            hint="another process may hold a lock for too long, or the disk is full",
        ) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
