"""feed health alerts: a subscription option (off for existing ones) and what each was told

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch "move and copy": on SQLite that drops the old
# subscriptions table, and with foreign keys on, dropping it deletes every digest of
# every subscription (ON DELETE CASCADE). SQLite adds and (since 3.35) drops a
# column in place.


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column("feed_alerts", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "feed_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("broken", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.String(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["digest_id"], ["digests.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "feed_id", name="uq_feed_alerts_sub_feed"),
    )
    op.create_index("ix_feed_alerts_feed_id", "feed_alerts", ["feed_id"])


def downgrade() -> None:
    op.drop_index("ix_feed_alerts_feed_id", table_name="feed_alerts")
    op.drop_table("feed_alerts")
    op.drop_column("subscriptions", "feed_alerts")
