"""interactions: the index on kind alone dropped where it is still there (0003 first shipped
without dropping it, so a store that reached 0003 then kept it)

Revision ID: 0004_kind_index_gone
Revises: 0003_request_indexes
"""

from __future__ import annotations

from alembic import op

revision = "0004_kind_index_gone"
down_revision = "0003_request_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_interactions_kind", table_name="interactions", if_exists=True)


def downgrade() -> None:
    pass  # 0003 as it is now has no such index either
