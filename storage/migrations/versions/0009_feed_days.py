"""feed_days: how each feed's polls went each day, for the console's health chart

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

A new table only; no stored row is touched. It starts empty and fills as feeds
are polled (there is no history of earlier polls to copy). Going down drops
only this table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_days",
        sa.Column("feed_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("new_stories", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("feed_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("feed_days")
