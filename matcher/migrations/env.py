"""Alembic environment: runs on the connection handed over by `matcher.migrate`."""

from __future__ import annotations

from alembic import context

from matcher.store import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things in place
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
