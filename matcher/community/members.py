"""Members joining, editing their profile, closing, opening again and unsubscribing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matcher import revisions
from matcher.community.checks import Clock, check_id, check_member_fields, count_rows, get_member
from matcher.domain import place_problem
from matcher.errors import Conflict, InvalidInput
from matcher.store import Member, mark_reopened, retired_ids, utcnow


def list_members(
    session: Session, limit: int, offset: int = 0, after: str | None = None
) -> tuple[list[Member], int]:
    """A page of active members in the order they were added, and how many there are in all.
    `after` (a member's id, open or closed) begins the page after them, where `offset` would
    skip a member whenever one on an earlier page closes between two requests."""
    query = select(Member).where(Member.active.is_(True))
    total = count_rows(session, query)
    if after is not None:
        query = query.where(Member.id > _page_mark(session, after).id)
    page = session.scalars(query.order_by(Member.id).limit(limit).offset(offset)).all()
    return list(page), total


def _page_mark(session: Session, after: str) -> Member:
    """The member a page begins after; one erased since the page before is named as such (its
    place in the order went with it: nothing ties the id to the anonymous row it left)."""
    return get_member(
        session,
        after,
        "after",
        if_erased=f"the member {after!r} was erased at their request since: their place in the "
        "order went with them; read the page again from the `after` of the page before it",
    )


def add_member(
    sessions: sessionmaker[Session],
    fields: dict[str, Any],
    *,
    external_id: str | None = None,
    default_capacity: int = 3,
    clock: Clock = utcnow,
) -> Member:
    """A new member; raises Conflict when the id is taken."""
    fields = check_member_fields(dict(fields))
    for required in ("name", "kind"):
        if not fields.get(required):
            raise InvalidInput(f"{required} is required", field=required)
    _check_place(fields.get("latitude"), fields.get("longitude"))
    now = clock()
    fields.setdefault("capacity", default_capacity)
    member = Member(
        external_id=check_id(external_id) if external_id else f"m-{uuid.uuid4().hex[:12]}",
        joined_at=now,
        last_active_at=now,
        updated_at=now,
        **fields,
    )
    try:
        with sessions.begin() as session:
            if retired_ids(session, [member.external_id]):
                raise Conflict(
                    f"the id {member.external_id!r} was a member's who was erased at their "
                    "request: it is given to no one again",
                    field="id",
                )
            session.add(member)
    except IntegrityError as exc:
        raise Conflict(f"member {member.external_id!r} already exists", field="id") from exc
    return member


def update_member(
    sessions: sessionmaker[Session],
    external_id: str,
    changes: dict[str, Any],
    clock: Clock = utcnow,
) -> Member:
    """Change some fields of a member; `active` closes them (False) or opens them again."""
    changes = dict(changes)
    active = changes.pop("active", None)
    changes = check_member_fields(changes)
    with sessions.begin() as session:
        member = get_member(session, external_id)
        if member.erased_at is not None:  # matcher.erase
            raise Conflict(f"member {member.external_id!r} was erased at their request")
        before = revisions.tracked(session, Member, [member.id])
        for name, value in changes.items():
            setattr(member, name, value)
        _check_place(member.latitude, member.longitude)  # as the changes leave it
        now = clock()
        member.updated_at = now
        revisions.record(session, Member, before, now)  # what the profile said until now
        if active is not None:
            _set_active(session, member, bool(active), now)
    return member


def _check_place(latitude: float | None, longitude: float | None) -> None:
    """A place is a latitude and a longitude, or neither (as an import checks it)."""
    problem = place_problem(latitude, longitude)
    if problem is not None:
        field, reason = problem
        raise InvalidInput(f"{field}: {reason}", field)


def close_member(
    sessions: sessionmaker[Session], external_id: str, clock: Clock = utcnow
) -> Member:
    """Take a member out of matching (their history stays). Closing a closed member again
    keeps the time they closed."""
    return update_member(sessions, external_id, {"active": False}, clock)


def _set_active(session: Session, member: Member, active: bool, now: datetime) -> None:
    """Close a member from `now`, or open a closed one again (matchable at once, with the
    posts they left open)."""
    if member.active and not active:
        member.active, member.closed_at = False, now
    elif active and not member.active:
        member.active = True
        session.flush()
        mark_reopened(session, Member.id == member.id, now)
        session.refresh(member)


def unsubscribe(sessions: sessionmaker[Session], external_id: str, clock: Clock = utcnow) -> Member:
    """The member asked for no more weekly emails; an import cannot sign them up again."""
    with sessions.begin() as session:
        member = get_member(session, external_id)
        member.email_consent = False
        member.unsubscribed_at = member.unsubscribed_at or clock()
        member.updated_at = clock()
    return member
