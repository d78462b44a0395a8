"""stories: drop the index on fingerprint, which no query uses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

The deduplicator compares fingerprints in memory; the database never looks a story
up by one. The index only cost a random-page write for every stored story.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stories_fingerprint", table_name="stories")


def downgrade() -> None:
    op.create_index("ix_stories_fingerprint", "stories", ["fingerprint"], unique=False)
