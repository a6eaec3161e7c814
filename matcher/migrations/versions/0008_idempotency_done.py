"""idempotency_keys.done_at: when the first request under a key made what it asked for, so
that a repeat while it is still at work is told to wait rather than racing it

Revision ID: 0008_idempotency_done
Revises: 0007_member_closed_at
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import matcher.store

revision = "0008_idempotency_done"
down_revision = "0007_member_closed_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys") as batch_op:
        batch_op.add_column(sa.Column("done_at", matcher.store.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", recreate="never") as batch_op:
        batch_op.drop_column("done_at")
