"""Copying a whole store to another (SQLite to PostgreSQL, say): every table, row for row.

`matcher export` and `import` carry the community (members, posts, interactions); this
carries the rest too: what profiles and posts said before each edit (the ranker's history
reads it), API keys, the weekly email's history (who was introduced to whom, which
weeks were sent, so no one is emailed twice or suggested again), retired ids of erased
members, import runs and the cache of encoded texts.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import ConfigError
from matcher.store import Base

CHUNK = 2000  # rows per INSERT


def copy_store(
    source: sessionmaker[Session],
    target: sessionmaker[Session],
    advance: Callable[[int], None] = lambda _: None,
    chunk: int = CHUNK,
) -> dict[str, int]:
    """Copy every row of `source` into `target`, an empty store at the same schema (both
    migrated by `open_store`), in one transaction: all of it or, on any error, nothing.
    Returns the rows copied per table; `advance` is called with each chunk's size.

    Tables go in the order of their foreign keys, ids as they are, so every reference holds;
    PostgreSQL's id sequences are then moved past the copied ids (else the next member added
    would be given id 1 again)."""
    tables = Base.metadata.sorted_tables
    copied: dict[str, int] = {}
    with source() as reading, target.begin() as writing:
        _as_of_one_moment(reading)
        full = {name: n for name, n in row_counts(writing).items() if n}
        if full:
            held = ", ".join(f"{name} {n}" for name, n in full.items())
            raise ConfigError(f"the store to copy into is not empty ({held} rows): nothing copied")
        for table in tables:
            copied[table.name] = 0
            rows = reading.execute(select(table)).mappings()
            for part in rows.partitions(chunk):
                writing.execute(insert(table), [dict(row) for row in part])
                copied[table.name] += len(part)
                advance(len(part))
        if writing.get_bind().dialect.name == "postgresql":
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                        )
                    )
    return copied


def _as_of_one_moment(session: Session) -> None:
    """Have `session` read every table as the store was when its first read began, while the
    API may be writing (else a member and their posts, added between the copy's reads of two
    tables, would be copied in part: a backup taken live read each table at its own time)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif dialect == "sqlite":  # its driver opens no transaction for reads: one is begun here
        session.execute(text("BEGIN"))


def row_counts(session: Session) -> dict[str, int]:
    """How many rows each table of a store holds."""
    return {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in Base.metadata.sorted_tables
    }
