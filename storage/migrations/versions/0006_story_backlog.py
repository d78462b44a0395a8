"""stories: backlog, set on items a feed's first poll found already old (never alerted)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Existing stories were all eligible for alerts, so they get ``false``: nothing changes
for them. Plain ALTER TABLE, as in 0002 (a batch operation would copy and drop
``stories`` on SQLite, and its foreign keys would take sources and matches with it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "stories",
        sa.Column("backlog", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("stories", "backlog")
