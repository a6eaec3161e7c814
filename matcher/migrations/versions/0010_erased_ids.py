"""erased_ids: a hash of each erased member's id, which no one may be given again

Revision ID: 0010_erased_ids
Revises: 0009_member_erased_at
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_erased_ids"
down_revision = "0009_member_erased_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erased_ids",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id_hash"),
    )


def downgrade() -> None:
    op.drop_table("erased_ids")
