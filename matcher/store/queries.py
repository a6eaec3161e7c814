"""Statements over the store that many modules share: ids read in batches, posts by their
status, members reopened, rows inserted unless stored, the planner's statistics, retired ids."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from matcher.store.models import Base, ErasedId, Member, Post


def erased_id_hash(external_id: str) -> str:
    """How an erased member's id is kept: a SHA-256 of it, as stored (stripped)."""
    return hashlib.sha256(b"matcher erased id\x00" + external_id.strip().encode()).hexdigest()


def retired_ids(session: Session, external_ids: Iterable[str]) -> set[str]:
    """Those of these member ids that an erased member had: no one may be given them."""
    hashed = {erased_id_hash(i): i for i in external_ids}
    found: set[str] = set()
    for part in in_batches(sorted(hashed)):
        query = select(ErasedId.id_hash).where(ErasedId.id_hash.in_(part))
        found.update(hashed[h] for h in session.scalars(query))
    return found


# Ids per IN (...) list of a query that reads many rows by id: far below the limits of SQLite
# (32,766 variables) and PostgreSQL (65,535 parameters).
IN_BATCH = 5000


def in_batches(ids: Sequence[Any], size: int = IN_BATCH) -> Iterator[Sequence[Any]]:
    """`ids` in slices of at most `size`: one IN (...) list each."""
    for lo in range(0, len(ids), size):
        yield ids[lo : lo + size]


def posts_read_as(status: str, now: datetime) -> ColumnElement[bool]:
    """The posts whose status read at `now` is `status` (`domain.post_status`): open (and not
    past its expiry), expired (left open past it), or closed."""
    current = or_(Post.expires_at.is_(None), Post.expires_at > now)
    return {
        "open": and_(Post.status == "open", current),
        "expired": and_(Post.status == "open", ~current),
        "closed": Post.status == "closed",
    }[status]


def mark_reopened(session: Session, reopened: ColumnElement[bool], now: datetime) -> None:
    """Open the members `reopened` selects (closed, now open again): their closing time goes,
    and their open posts are stamped as changed, so serving, which reads what changed since
    the build (a build holds no closed member's posts), matches them at once."""
    members = select(Member.id).where(reopened).scalar_subquery()
    opened = (Post.member_id.in_(members)) & (Post.status == "open")
    session.execute(update(Post).where(opened).values(updated_at=now))
    session.execute(update(Member).where(reopened).values(closed_at=None, updated_at=now))


def insert_or_ignore(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, skipping any whose key is already stored (SQLite or PostgreSQL)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).on_conflict_do_nothing(), rows)


def refresh_statistics(
    factory: sessionmaker[Session],
    models: Iterable[type[Base]],
    report: Callable[[str], None] | None = None,
) -> None:
    """After a bulk write, let the database's query planner see the tables' new sizes.

    PostgreSQL plans from statistics that its autovacuum refreshes only some time after a
    commit; until then a table that grew from nothing by 100,000 rows is planned as empty
    and the next import's look-ups scan it whole, chunk after chunk. SQLite needs nothing.
    """
    if factory.kw["bind"].dialect.name != "postgresql":
        return
    if report:
        report("refreshing the planner's statistics")
    names = ", ".join(model.__table__.name for model in models)
    with factory.begin() as session:
        session.execute(text(f"ANALYZE {names}"))
