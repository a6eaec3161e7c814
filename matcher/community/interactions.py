"""What happened between two members: recorded (checked as an import checks it), listed and
withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matcher.community.checks import (
    Clock,
    check_id,
    get_interaction,
    get_member,
    get_post,
    newest_first,
)
from matcher.domain import (
    INTERACTION_KINDS,
    NEED,
    OFFER,
    OPENING_KINDS,
    closed_problem,
    future_problem,
    post_problem,
)
from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.store import Interaction, Member, utcnow


def _post_in_role(
    session: Session, kind: str, side: str, post_id: str | None, from_id: str, to_id: str
) -> int | None:
    """The store id of the need or offer an interaction is about, checked: a need must be the
    seeker's, an offer the helper's (matcher.domain.SEEKER_END)."""
    if not post_id:
        return None
    post_id = check_id(post_id, f"{side}_id")
    post = get_post(session, post_id, f"{side}_id")
    owner = post.member.external_id
    problem = post_problem(kind, side, post_id, post.side, owner, from_id, to_id)
    if problem:
        raise InvalidInput(problem, field=f"{side}_id")
    return post.id


def record_interaction(
    sessions: sessionmaker[Session],
    *,
    kind: str,
    from_member_id: str,
    to_member_id: str,
    need_id: str | None = None,
    offer_id: str | None = None,
    occurred_at: datetime | None = None,
    external_id: str | None = None,
    clock: Clock = utcnow,
) -> Interaction:
    """Record what happened between two members (a block takes effect at once). A member
    closed can no longer be shown or contacted, nor show or contact anyone, from the time they
    closed (`Conflict`); what came of earlier contact, what happened before they closed, and
    blocks and reports, are still recorded."""
    if kind not in INTERACTION_KINDS:
        raise InvalidInput(f"kind must be one of {INTERACTION_KINDS}", field="kind")
    from_member_id = check_id(from_member_id, "from_member_id")
    to_member_id = check_id(to_member_id, "to_member_id")
    if from_member_id == to_member_id:
        raise InvalidInput("an interaction needs two different members", field="to_member_id")
    external_id = check_id(external_id) if external_id else f"i-{uuid.uuid4().hex[:16]}"
    now = clock()
    problem = future_problem(occurred_at, now) if occurred_at is not None else None
    if problem is not None:
        raise InvalidInput(f"occurred_at: {problem}", field="occurred_at")
    with sessions.begin() as session:
        source = get_member(session, from_member_id, "from_member_id")
        target = get_member(session, to_member_id, "to_member_id")
        for member, field in ((source, "from_member_id"), (target, "to_member_id")):
            if member.erased_at is not None:  # matcher.erase: nothing of theirs changes
                raise Conflict(
                    f"{field}: member {member.external_id!r} was erased at their request",
                    field=field,
                )
        if kind in OPENING_KINDS:
            for member, field in ((source, "from_member_id"), (target, "to_member_id")):
                closed = closed_problem(
                    member.external_id, member.active, member.closed_at, occurred_at or now
                )
                if closed:
                    raise Conflict(closed, field=field)
        need = _post_in_role(session, kind, NEED, need_id, from_member_id, to_member_id)
        offer = _post_in_role(session, kind, OFFER, offer_id, from_member_id, to_member_id)
        row = Interaction(
            external_id=external_id,
            kind=kind,
            from_member_id=source.id,
            to_member_id=target.id,
            need_post_id=need,
            offer_post_id=offer,
            occurred_at=occurred_at or now,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict(f"interaction {row.external_id!r} already exists", field="id") from exc
    return row


def member_interactions(
    session: Session,
    member: Member,
    *,
    kind: str | None = None,
    limit: int,
    offset: int = 0,
    after: str | None = None,
) -> tuple[list[Interaction], int]:
    """A page of what a member did and what was done to them (either end), newest first, of
    one `kind` or all, and how many there are in all. `after` (the id of one of theirs, the
    last of the page before) begins the page with those older than it, where `offset` would
    show one again whenever one is recorded between two requests."""
    if kind is not None and kind not in INTERACTION_KINDS:
        raise InvalidInput(f"kind must be one of {INTERACTION_KINDS}", field="kind")
    query = select(Interaction).where(
        or_(Interaction.from_member_id == member.id, Interaction.to_member_id == member.id),
        *([] if kind is None else [Interaction.kind == kind]),
    )
    mark = None if after is None else _page_mark(session, member, after)
    return newest_first(
        session, query, Interaction.occurred_at, after=mark, limit=limit, offset=offset
    )


def _page_mark(session: Session, member: Member, after: str) -> Interaction:
    """The interaction of `member` a page of theirs begins after; one withdrawn since the
    page before is gone, and its place in the order with it."""
    gone = (
        f"member {member.external_id!r} has no interaction {after!r} (one withdrawn since the "
        "page before went with its place in the order: read that page again from the `after` "
        "of the page before it)"
    )
    try:
        row = get_interaction(session, after, "after")
    except NotFound:
        raise NotFound(gone, "after") from None
    if member.id not in (row.from_member_id, row.to_member_id):
        raise NotFound(gone, "after")
    return row


def withdraw_interaction(
    sessions: sessionmaker[Session],
    external_id: str,
    describe: Callable[[Session, Interaction], dict[str, Any]],
    field: str = "id",
) -> dict[str, Any]:
    """Delete an interaction recorded in error, or a block or report lifted (the two are no
    longer kept apart from the next request on); returns it as `describe` gave it before.
    One with a member erased at their request stays as it is (`Conflict`, naming `field`, the
    input that gave the id)."""
    with sessions.begin() as session:
        row = get_interaction(session, external_id)
        erased = session.scalar(
            select(func.count())
            .select_from(Member)
            .where(
                Member.id.in_([row.from_member_id, row.to_member_id]),
                Member.erased_at.is_not(None),
            )
        )
        if erased:
            raise Conflict(
                f"interaction {row.external_id!r} is with a member erased at their request: "
                "nothing of theirs changes",
                field=field,
            )
        out = describe(session, row)
        session.delete(row)
    return out
