"""feeds: item_digests, the digest of each item of the last stored response

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Incremental parsing (``monitor.prepare.incremental``) parses only the items of a changed
feed whose digests are not here. The column starts empty: the next poll of each
feed parses it whole, as before, and fills it. Plain ALTER TABLE, as in 0002 and
0003: copying and dropping ``feeds`` on SQLite would delete the rows that point at it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("item_digests", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("feeds", "item_digests")
