"""feed health and schedule: state reason, last error time, adaptive interval, usual item gap

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0002: copying and dropping ``feeds`` on SQLite would delete the
# story sources that point at it.


def upgrade() -> None:
    op.add_column("feeds", sa.Column("state_reason", sa.String(), nullable=True))
    op.add_column("feeds", sa.Column("last_error_at", sa.DateTime(), nullable=True))
    op.add_column("feeds", sa.Column("poll_interval", sa.Integer(), nullable=True))
    op.add_column("feeds", sa.Column("item_gap", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("feeds", "item_gap")
    op.drop_column("feeds", "poll_interval")
    op.drop_column("feeds", "last_error_at")
    op.drop_column("feeds", "state_reason")
