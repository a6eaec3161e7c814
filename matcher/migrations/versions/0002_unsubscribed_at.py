"""members.unsubscribed_at: remember who unsubscribed themselves

Revision ID: 0002_unsubscribed_at
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import matcher.store

revision = "0002_unsubscribed_at"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(
            sa.Column("unsubscribed_at", matcher.store.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    # Not by copying the table (see 0007): that would cascade to every post and interaction.
    with op.batch_alter_table("members", recreate="never") as batch_op:
        batch_op.drop_column("unsubscribed_at")
