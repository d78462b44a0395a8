"""stories: full-text search over titles and summaries

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

SQLite: an FTS5 table ``stories_fts`` with the stories as its external content,
kept in step by three triggers, filled from the stored stories on upgrade.
PostgreSQL: a GIN index on the ``tsvector`` of title and summary (the
expression must match ``storage.search._pg_document``). No stored row changes;
downgrade drops only what is added here.

A later migration that rebuilds ``stories`` on SQLite (batch mode copies and
drops the table, and its triggers with it) must create the triggers again.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE stories_fts USING fts5(title, summary, content='stories', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN "
    "INSERT INTO stories_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); "
    "END",
    "CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN "
    "INSERT INTO stories_fts(stories_fts, rowid, title, summary) "
    "VALUES ('delete', old.id, old.title, old.summary); END",
    "CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, summary ON stories BEGIN "
    "INSERT INTO stories_fts(stories_fts, rowid, title, summary) "
    "VALUES ('delete', old.id, old.title, old.summary); "
    "INSERT INTO stories_fts(rowid, title, summary) VALUES (new.id, new.title, new.summary); "
    "END",
    "INSERT INTO stories_fts(stories_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS stories_fts_update",
    "DROP TRIGGER IF EXISTS stories_fts_delete",
    "DROP TRIGGER IF EXISTS stories_fts_insert",
    "DROP TABLE IF EXISTS stories_fts",
]
POSTGRES_UP = [
    "CREATE INDEX stories_fts_idx ON stories USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(summary, '')))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS stories_fts_idx"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
