"""What members' profiles and posts said before each edit: recorded by every writer that edits
them, so that the history (matcher.features.replay) reads each as it was when a need was
posted, and not as an edit made since left it (the future would leak into training).

A writer reads the tracked fields of the rows it will change (`tracked`), changes them, and,
in the same transaction, hands what it read to `record`, which keeps a revision of each row
whose tracked fields the change left otherwise than they were. An edit of anything else (a
bio, an email, a post closed) or a write of the same values again records nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from matcher.store import IN_BATCH, Member, MemberRevision, Post, PostRevision, in_batches

# The fields the ranker's features read: only their edits are kept.
POST_FIELDS: tuple[str, ...] = ("text", "tags")
MEMBER_FIELDS: tuple[str, ...] = ("town", "country", "latitude", "longitude", "tags", "capacity")

Model = type[Post] | type[Member]
Values = dict[str, Any]

# Per edited model: its revisions' model, the column naming the edited row, the fields kept.
KEPT: dict[Any, tuple[Any, str, tuple[str, ...]]] = {
    Post: (PostRevision, "post_id", POST_FIELDS),
    Member: (MemberRevision, "member_id", MEMBER_FIELDS),
}


def tracked(
    session: Session, model: Model, ids: Sequence[int], size: int = IN_BATCH
) -> dict[int, Values]:
    """The tracked fields of these rows (store ids) as the store holds them now, read `size`
    ids at a time; rows not stored are left out."""
    _, _, fields = KEPT[model]
    columns = [getattr(model, name) for name in fields]
    out: dict[int, Values] = {}
    for part in in_batches(sorted(set(ids)), size):
        query = select(model.id, *columns).where(model.id.in_(part))
        for pk, *values in session.execute(query):
            out[pk] = dict(zip(fields, values, strict=True))
    return out


def record(
    session: Session,
    model: Model,
    before: Mapping[int, Values],
    at: datetime,
    size: int = IN_BATCH,
) -> int:
    """Keep a revision, replaced `at` the time of the change, of each row of `before` (what
    `tracked` read before the change) whose tracked fields the store now holds otherwise;
    how many. Call it after the change, in its transaction (the session's pending changes are
    flushed as it reads)."""
    revision, owner, _ = KEPT[model]
    now = tracked(session, model, list(before), size)
    rows = [
        {owner: pk, "replaced_at": at, **values}
        for pk, values in sorted(before.items())
        if pk in now and now[pk] != values
    ]
    if rows:
        session.execute(insert(revision), rows)
    return len(rows)


def forget_member(session: Session, member_id: int) -> int:
    """Delete every revision of this member's profile and of their posts (their past words and
    places are theirs: `matcher erase` leaves none); how many."""
    posts = select(Post.id).where(Post.member_id == member_id).scalar_subquery()
    of_posts = session.execute(delete(PostRevision).where(PostRevision.post_id.in_(posts)))
    of_member = session.execute(delete(MemberRevision).where(MemberRevision.member_id == member_id))
    return of_posts.rowcount + of_member.rowcount
