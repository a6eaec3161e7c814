"""members.closed_at: when a member closed, so that what happened before can still be
recorded (a `shown` or `contacted` dated earlier) and nothing after

Revision ID: 0007_member_closed_at
Revises: 0006_idempotency_keys

Members closed before this revision are taken as closed since their last update.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import matcher.store

revision = "0007_member_closed_at"
down_revision = "0006_idempotency_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("closed_at", matcher.store.UTCDateTime(), nullable=True))
    members = sa.table(
        "members",
        sa.column("active", sa.Boolean),
        sa.column("updated_at", matcher.store.UTCDateTime()),
        sa.column("closed_at", matcher.store.UTCDateTime()),
    )
    op.execute(
        members.update().where(members.c.active.is_(False)).values(closed_at=members.c.updated_at)
    )


def downgrade() -> None:
    # Not by copying the table (SQLite's batch mode): dropping the old members table would
    # delete every post and interaction through their ON DELETE CASCADE.
    with op.batch_alter_table("members", recreate="never") as batch_op:
        batch_op.drop_column("closed_at")
