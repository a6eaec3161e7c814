"""What serving asks the store, built once on plain table columns: whether anything changed
since a time (`PROBE`, one row), who is kept apart from whom (`read_separations`) and who
shares a contact (`SHARED_CONTACTS`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ScalarSelect, Subquery, bindparam, func, or_, select, true
from sqlalchemy.orm import Session

from matcher.domain import SEPARATING_KINDS
from matcher.store import Interaction, Member, Post, in_batches


def read_separations(
    session: Session, member_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """Whom each member is kept apart from by a block or a report, in either direction: of
    every member, or (`member_ids`) of those members only."""
    if member_ids is None:
        parts = [_SEPARATIONS]
    else:
        ids = sorted(set(member_ids))
        parts = [
            _SEPARATIONS.where(
                or_(_interactions.from_member_id.in_(part), _interactions.to_member_id.in_(part))
            )
            for part in in_batches(ids)
        ]
    out: dict[int, set[int]] = {}
    for query in parts:
        for a, b in session.execute(query):
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
    return out


def _window(condition, *figures) -> Subquery:
    """One row of `figures` (aggregates) over the rows that meet `condition`: one scan."""
    return select(*figures).where(condition).subquery()


# Statements built once (so are their cache keys), on plain table columns: no ORM work per call.
_members, _posts, _interactions = Member.__table__.c, Post.__table__.c, Interaction.__table__.c
_SEPARATING = _interactions.kind.in_(sorted(SEPARATING_KINDS))
# The rows changed since `since`, as (rows, newest) pairs; and of the separating interactions
# (which an import may also change in place, keeping their ids) the rows, the newest id and
# the sums of the two member ids, a checksum of who is kept apart. Three one-row subqueries,
# each one scan, side by side.
_PROBE_PARTS = (
    _window(_members.updated_at >= bindparam("since"), func.count(), func.max(_members.updated_at)),
    _window(_posts.updated_at >= bindparam("since"), func.count(), func.max(_posts.updated_at)),
    _window(
        _SEPARATING,
        func.count(),
        func.max(_interactions.id),
        func.coalesce(func.sum(_interactions.from_member_id), 0),
        func.coalesce(func.sum(_interactions.to_member_id), 0),
    ),
)


def _newest(kind: str) -> ScalarSelect[int]:
    """The id of the newest interaction of `kind`, as a scalar subquery: one lookup in the
    (kind, id) index (joined as a derived table, SQLite would scan the table instead)."""
    return select(func.max(_interactions.id)).where(_interactions.kind == kind).scalar_subquery()


# The newest request (`contacted`) and the newest decline.
PROBE = select(
    *(c for part in _PROBE_PARTS for c in part.c), _newest("contacted"), _newest("declined")
).select_from(_PROBE_PARTS[0].join(_PROBE_PARTS[1], true()).join(_PROBE_PARTS[2], true()))
_SEPARATIONS = select(_interactions.from_member_id, _interactions.to_member_id).where(_SEPARATING)
SHARED_CONTACTS = select(_members.id, _members.contact).where(_members.share_contact.is_(True))
