"""post_revisions and member_revisions: what posts and members' profiles said before each edit,
so that the history replays them as they were when each need was posted

Revision ID: 0012_revisions
Revises: 0011_key_last_used
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import matcher.store

revision = "0012_revisions"
down_revision = "0011_key_last_used"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", matcher.store.UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("post_revisions") as batch_op:
        batch_op.create_index(batch_op.f("ix_post_revisions_post_id"), ["post_id"], unique=False)
    op.create_table(
        "member_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", matcher.store.UTCDateTime(), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("member_revisions") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_revisions_member_id"), ["member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("member_revisions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_revisions_member_id"))
    op.drop_table("member_revisions")
    with op.batch_alter_table("post_revisions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_revisions_post_id"))
    op.drop_table("post_revisions")
