"""digest_matches.answers: which of the recipient's posts each suggestion answers, so the
weekly email can say "For your need: ..." (null in weeks recorded before)

Revision ID: 0013_digest_match_answers
Revises: 0012_revisions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_digest_match_answers"
down_revision = "0012_revisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digest_matches") as batch_op:
        batch_op.add_column(sa.Column("answers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_matches", recreate="never") as batch_op:
        batch_op.drop_column("answers")
