"""members.erased_at: when a member's personal data was erased at their request (the row
stays, anonymous, so that the help they gave and received still counts for the others)

Revision ID: 0009_member_erased_at
Revises: 0008_idempotency_done
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import matcher.store

revision = "0009_member_erased_at"
down_revision = "0008_idempotency_done"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("erased_at", matcher.store.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Not by copying the table (SQLite's batch mode): dropping the old members table would
    # delete every post and interaction through their ON DELETE CASCADE.
    with op.batch_alter_table("members", recreate="never") as batch_op:
        batch_op.drop_column("erased_at")
