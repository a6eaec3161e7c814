"""tags: a stored tag holding ',' (a spreadsheet's "rock, folk", stored as one tag before tags
were refused for it) is split into its tags, so that an export imports again

Revision ID: 0005_comma_tags
Revises: 0004_kind_index_gone
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_comma_tags"
down_revision = "0004_kind_index_gone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for name in ("members", "posts"):
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("tags", sa.JSON))
        rows = bind.execute(sa.select(table.c.id, table.c.tags)).all()
        for row_id, tags in rows:
            if not tags or not any("," in str(tag) for tag in tags):
                continue
            split = [part.strip() for tag in tags for part in str(tag).split(",")]
            kept = list(dict.fromkeys(part for part in split if part))
            bind.execute(sa.update(table).where(table.c.id == row_id).values(tags=kept))


def downgrade() -> None:
    pass  # the tags as they were cannot be told apart again
