"""Alembic environment: runs migrations on the connection newswatch hands in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")

if connection is None:
    raise RuntimeError("run migrations through storage.database.migrate()")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
