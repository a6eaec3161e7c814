"""Live writes to the community: members, posts (encoded on write) and interactions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matcher import revisions
from matcher.domain import (
    INTERACTION_KINDS,
    NEED,
    OFFER,
    OPENING_KINDS,
    POST_STATUSES,
    POST_STATUSES_SHOWN,
    SIDES,
    closed_problem,
    future_problem,
    place_problem,
    post_problem,
)
from matcher.embed import CachedEncoder, Encoder
from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.io.parse import Bad
from matcher.io.schema import COLUMNS
from matcher.io.validate import PARSERS
from matcher.store import (
    Interaction,
    Member,
    Post,
    mark_reopened,
    posts_read_as,
    retired_ids,
    utcnow,
)

Clock = Callable[[], datetime]
Row = TypeVar("Row", Member, Post, Interaction)
# What a member may change of themselves: the import columns but the id and bookkeeping.
BOOKKEEPING = ("id", "active", "joined_at", "last_active_at", "unsubscribed_at", "erased_at")
MEMBER_FIELDS = tuple(c for c in COLUMNS["members"] if c not in BOOKKEEPING)


UNCHANGED = object()  # a field left out of an edit: what is stored stays


def _check(entity: str, name: str, value: Any, field: str | None = None) -> Any:
    """One field (`name`, or called `field` here) checked by the same rules as an import's;
    InvalidInput names what is wrong."""
    field = field or name
    parsed = PARSERS[entity][name](value)
    if isinstance(parsed, Bad):
        raise InvalidInput(f"{field}: {parsed}", field=field)
    return parsed


def check_member_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The member fields, checked and normalised; raises InvalidInput naming a bad one."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}", field=min(unknown))
    out = {name: _check("members", name, value) for name, value in fields.items()}
    for required in ("name", "kind", "capacity", "email_consent", "share_contact"):
        if required in out and out[required] is None:
            raise InvalidInput(f"{required} cannot be empty", field=required)
    if "tags" in out:
        out["tags"] = check_tags(out["tags"])
    return out


def check_tags(tags: Iterable[str] | None) -> list[str]:
    """Tags stripped, lower-cased, de-duplicated, at most MAX_TAGS."""
    checked = _check("members", "tags", list(tags or []))
    return list(dict.fromkeys(t.lower() for t in checked or []))


def check_id(value: str, field: str = "id") -> str:
    """An id (given or referred to), stripped and checked as an import checks ids."""
    parsed = _check("members", "id", value, field)
    if not parsed:
        raise InvalidInput(f"{field} is empty", field=field)
    return str(parsed)


def check_text(text: str | None) -> str:
    """A post's text, stripped; raises when empty or too long."""
    text = _check("posts", "text", text)
    if not text:
        raise InvalidInput("text is empty", field="text")
    return text


def get_member(session: Session, external_id: str, field: str | None = None) -> Member:
    """The member with this external id, or NotFound (naming `field`, the input that gave
    the id)."""
    return _by_external_id(session, Member, "member", external_id, field)


def get_post(session: Session, external_id: str, field: str | None = None) -> Post:
    """The post with this external id, or NotFound (naming `field`)."""
    return _by_external_id(session, Post, "post", external_id, field)


def get_interaction(session: Session, external_id: str) -> Interaction:
    """The interaction with this external id, or NotFound."""
    return _by_external_id(session, Interaction, "interaction", external_id)


def _by_external_id(
    session: Session, model: type[Row], what: str, external_id: str, field: str | None = None
) -> Row:
    external_id = external_id.strip()  # as ids are stored: stripped, as imports strip them
    row = session.scalar(select(model).where(model.external_id == external_id))
    if row is None:
        raise NotFound(f"no {what} {external_id!r}", field)
    return row


def list_members(
    session: Session, limit: int, offset: int = 0, after: str | None = None
) -> tuple[list[Member], int]:
    """A page of active members in the order they were added, and how many there are in all.
    `after` (a member's id, open or closed) begins the page after them, where `offset` would
    skip a member whenever one on an earlier page closes between two requests."""
    query = select(Member).where(Member.active.is_(True))
    total = _count(session, query)
    if after is not None:
        query = query.where(Member.id > _page_mark(session, after).id)
    page = session.scalars(query.order_by(Member.id).limit(limit).offset(offset)).all()
    return list(page), total


def _count(session: Session, query: Select[Any]) -> int:
    """How many rows `query` selects (the `total` of a page of them)."""
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _page_mark(session: Session, after: str) -> Member:
    """The member a page begins after; one erased since the page before is named as such (its
    place in the order went with it: nothing ties the id to the anonymous row it left)."""
    try:
        return get_member(session, after, "after")
    except NotFound:
        if retired_ids(session, [after]):
            raise NotFound(
                f"the member {after!r} was erased at their request since: their place in the "
                "order went with them; read the page again from the `after` of the page "
                "before it",
                "after",
            ) from None
        raise


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


def add_post(
    sessions: sessionmaker[Session],
    encoder: Encoder,
    *,
    member_id: str,
    side: str,
    text: str,
    tags: Iterable[str] = (),
    expires_at: datetime | None = None,
    external_id: str | None = None,
    clock: Clock = utcnow,
) -> Post:
    """A new need or offer, encoded before it is stored so it is matchable at once."""
    if side not in SIDES:
        raise InvalidInput(f"side must be one of {SIDES}", field="side")
    text = check_text(text)
    tags = check_tags(tags)
    member_id = check_id(member_id, "member_id")
    _check_expiry(expires_at, clock)
    with sessions() as session:
        member = get_member(session, member_id, "member_id")
        if not member.active:
            raise Conflict(f"member {member_id!r} is closed", field="member_id")
    _encode_to_cache(sessions, encoder, text)
    now = clock()
    post = Post(
        external_id=check_id(external_id) if external_id else f"p-{uuid.uuid4().hex[:12]}",
        member_id=member.id,
        side=side,
        text=text,
        tags=tags,
        status="open",
        created_at=now,
        expires_at=expires_at,
        updated_at=now,
    )
    try:
        with sessions.begin() as session:
            session.add(post)
    except IntegrityError as exc:
        raise Conflict(f"post {post.external_id!r} already exists", field="id") from exc
    return post


def _encode_to_cache(sessions: sessionmaker[Session], encoder: Encoder, text: str) -> None:
    """Put the vector of a post's new text in the store's cache, where the matcher's next
    refresh finds it rather than encoding the text itself."""
    CachedEncoder(encoder, sessions).encode([text])


def _check_expiry(expires_at: datetime | None, clock: Clock) -> None:
    if expires_at is not None and expires_at <= clock():
        raise InvalidInput(
            "expires_at is in the past: the post would never match (to end it, close it)",
            "expires_at",
        )


def update_post(
    sessions: sessionmaker[Session],
    encoder: Encoder | None,
    external_id: str,
    *,
    text: str | None = None,
    tags: Iterable[str] | None = None,
    status: str | None = None,
    expires_at: datetime | object | None = UNCHANGED,
    clock: Clock = utcnow,
) -> Post:
    """Edit a post; a new text is encoded before it is stored (`encoder` is only read then,
    and may be None without one). `expires_at=None` clears the expiry (the post no longer
    expires); left out, the expiry stays; a time already past is refused, as for a new post
    (to end a post, close it). A closed member's post can only be closed (`Conflict`), as no
    new one can be written for them."""
    if expires_at is not UNCHANGED:
        _check_expiry(expires_at, clock)  # type: ignore[arg-type]
    if text is not None:
        text = check_text(text)
        _encode_to_cache(sessions, encoder, text)
    if status is not None and status not in POST_STATUSES:
        raise InvalidInput(f"status must be one of {POST_STATUSES}", field="status")
    with sessions.begin() as session:
        post = get_post(session, external_id)
        closing = status == "closed" and text is None and tags is None and expires_at is UNCHANGED
        if not post.member.active and not closing:
            raise Conflict(
                f"post {external_id!r} is of member {post.member.external_id!r}, who is closed: "
                "it can only be closed"
            )
        before = revisions.tracked(session, Post, [post.id])
        if text is not None:
            post.text = text
        if tags is not None:
            post.tags = check_tags(tags)
        if status is not None:
            post.status = status
        if expires_at is not UNCHANGED:
            post.expires_at = expires_at
        if status == "open" and post.expires_at is not None and post.expires_at <= clock():
            raise InvalidInput(
                f"post {external_id!r} expired at {post.expires_at:%Y-%m-%d %H:%M} UTC: give a "
                "later expires_at (or null) to open it again",
                field="expires_at",
            )
        post.updated_at = clock()
        revisions.record(session, Post, before, post.updated_at)  # what the post said until now
    return post


def close_post(sessions: sessionmaker[Session], external_id: str, clock: Clock = utcnow) -> Post:
    """Close a need that was met or an offer no longer on."""
    with sessions.begin() as session:
        post = get_post(session, external_id)
        post.status = "closed"
        post.updated_at = clock()
    return post


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
) -> tuple[list[Interaction], int]:
    """A page of what a member did and what was done to them (either end), newest first, of
    one `kind` or all, and how many there are in all."""
    if kind is not None and kind not in INTERACTION_KINDS:
        raise InvalidInput(f"kind must be one of {INTERACTION_KINDS}", field="kind")
    query = select(Interaction).where(
        or_(Interaction.from_member_id == member.id, Interaction.to_member_id == member.id),
        *([] if kind is None else [Interaction.kind == kind]),
    )
    total = _count(session, query)
    newest = query.order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
    return list(session.scalars(newest.limit(limit).offset(offset))), total


def member_posts(
    session: Session,
    member: Member,
    *,
    side: str | None = None,
    status: str | None = None,
    now: datetime,
    limit: int,
    offset: int = 0,
) -> tuple[list[Post], int]:
    """A page of a member's posts, newest first, of one side or both, of one status as read
    at `now` (open, closed, or expired: left open past its expiry) or any, and how many
    there are in all."""
    if side is not None and side not in SIDES:
        raise InvalidInput(f"side must be one of {SIDES}", field="side")
    if status is not None and status not in POST_STATUSES_SHOWN:
        raise InvalidInput(f"status must be one of {POST_STATUSES_SHOWN}", field="status")
    query = select(Post).where(
        Post.member_id == member.id,
        *([] if side is None else [Post.side == side]),
        *([] if status is None else [posts_read_as(status, now)]),
    )
    total = _count(session, query)
    newest = query.order_by(Post.created_at.desc(), Post.id.desc())
    return list(session.scalars(newest.limit(limit).offset(offset))), total


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
