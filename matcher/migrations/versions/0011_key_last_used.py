"""api_keys.last_used_at: when a key was last used (to the hour), so that an operator rotating
keys can tell whether the old one is still in use before revoking it

Revision ID: 0011_key_last_used
Revises: 0010_erased_ids
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import matcher.store

revision = "0011_key_last_used"
down_revision = "0010_erased_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch_op:
        batch_op.add_column(sa.Column("last_used_at", matcher.store.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", recreate="never") as batch_op:
        batch_op.drop_column("last_used_at")
