"""subscription quiet hours and empty digests; digest last attempt time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite 3.35+ and PostgreSQL both have ADD and DROP COLUMN). A batch
# operation would copy and drop the table on SQLite, and dropping ``subscriptions`` while
# foreign keys are on deletes every digest of every subscription with it.


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("quiet_hours", sa.String(), nullable=True))
    op.add_column(
        "subscriptions",
        sa.Column("send_empty", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("digests", sa.Column("last_attempt_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("digests", "last_attempt_at")
    op.drop_column("subscriptions", "send_empty")
    op.drop_column("subscriptions", "quiet_hours")
