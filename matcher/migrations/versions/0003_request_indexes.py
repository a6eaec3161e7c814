"""interactions: indexes on (kind, id) and (kind, occurred_at) for the requests serving reads,
in place of the one on kind alone (each new one serves a question by kind as well)

Revision ID: 0003_request_indexes
Revises: 0002_unsubscribed_at
"""

from __future__ import annotations

from alembic import op

revision = "0003_request_indexes"
down_revision = "0002_unsubscribed_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_interactions_kind_id", "interactions", ["kind", "id"])
    op.create_index("ix_interactions_kind_occurred_at", "interactions", ["kind", "occurred_at"])
    op.drop_index("ix_interactions_kind", table_name="interactions")


def downgrade() -> None:
    op.create_index("ix_interactions_kind", "interactions", ["kind"])
    op.drop_index("ix_interactions_kind_occurred_at", table_name="interactions")
    op.drop_index("ix_interactions_kind_id", table_name="interactions")
