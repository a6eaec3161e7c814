"""Needs and offers written, edited and closed: a new text is encoded before it is stored, so
it is matchable at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matcher import revisions
from matcher.community.checks import (
    UNCHANGED,
    Clock,
    check_id,
    check_tags,
    check_text,
    get_member,
    get_post,
    newest_first,
)
from matcher.domain import POST_STATUSES, POST_STATUSES_SHOWN, SIDES
from matcher.embed import CachedEncoder, Encoder
from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.store import Member, Post, posts_read_as, utcnow


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


def member_posts(
    session: Session,
    member: Member,
    *,
    side: str | None = None,
    status: str | None = None,
    now: datetime,
    limit: int,
    offset: int = 0,
    after: str | None = None,
) -> tuple[list[Post], int]:
    """A page of a member's posts, newest first, of one side or both, of one status as read
    at `now` (open, closed, or expired: left open past its expiry) or any, and how many
    there are in all. `after` (the id of one of their posts, the last of the page before)
    begins the page with those older than it, where `offset` would show a post again
    whenever one is written between two requests."""
    if side is not None and side not in SIDES:
        raise InvalidInput(f"side must be one of {SIDES}", field="side")
    if status is not None and status not in POST_STATUSES_SHOWN:
        raise InvalidInput(f"status must be one of {POST_STATUSES_SHOWN}", field="status")
    query = select(Post).where(
        Post.member_id == member.id,
        *([] if side is None else [Post.side == side]),
        *([] if status is None else [posts_read_as(status, now)]),
    )
    mark = None if after is None else _page_mark(session, member, after)
    return newest_first(session, query, Post.created_at, after=mark, limit=limit, offset=offset)


def _page_mark(session: Session, member: Member, after: str) -> Post:
    """The post of `member` a page of theirs begins after."""
    post = get_post(session, after, "after")
    if post.member_id != member.id:
        raise NotFound(f"member {member.external_id!r} has no post {after!r}", "after")
    return post
