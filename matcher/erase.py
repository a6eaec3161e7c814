"""Erasing a member's personal data at their request (the right to erasure).

Closing a member (`community.close_member`) keeps their profile and posts as history. Erasing
takes out everything that is theirs or about them: their name and every other profile
field, the words of their posts, the cached vectors of those words, and the records of the
weekly emails sent to them or suggesting them. What stays is anonymous: a closed member row
with a new random id, their posts emptied (new random ids too: a post's id may hold the
member's), and the interactions with the others (under the ids they had), so that the
help the others gave and received still counts for them (their "helped N members", the
ranker's history). The id they had is free again: an import that names it makes a new member.

The model builds made before hold the old words until a new build replaces them and the old
builds are deleted (`matcher build`, then `matcher builds --keep 1`); serving stops showing
and quoting the member at once. Emails already sent, or written to an outbox folder, are
outside the store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from matcher.community import get_member
from matcher.embed import text_hash
from matcher.store import Digest, DigestMatch, Post, TextVector, utcnow

ERASED = "(erased)"  # the name and the text of every post of an erased member
ERASED_PREFIX = "erased-"  # the new id of an erased member and of their posts, and 12 hex digits


@dataclass(frozen=True)
class Erasure:
    """What erasing one member took out."""

    member_id: str  # the id they had
    posts: int  # posts emptied
    vectors: int  # cached vectors of their words deleted
    digests: int  # records of weekly emails to them deleted
    suggestions: int  # records of their being suggested in others' emails deleted

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def erase_member(
    sessions: sessionmaker[Session], external_id: str, clock: Callable[[], datetime] = utcnow
) -> Erasure:
    """Erase the member with this id (NotFound: none), in one transaction."""
    with sessions.begin() as session:
        member = get_member(session, external_id, "member_id")
        old_id, now = member.external_id, clock()
        posts = session.scalars(select(Post).where(Post.member_id == member.id)).all()
        words = {p.text for p in posts} - {ERASED}
        for post in posts:
            post.external_id = _new_id()
            post.text, post.tags, post.status, post.updated_at = ERASED, [], "closed", now
        session.flush()
        # A text someone else also wrote keeps its vector: it is theirs too.
        shared = set(session.scalars(select(Post.text).where(Post.text.in_(words))))
        hashes = [text_hash(t) for t in words - shared]
        vectors = session.execute(
            delete(TextVector).where(TextVector.text_hash.in_(hashes))
        ).rowcount
        theirs = select(Digest.id).where(Digest.member_id == member.id).scalar_subquery()
        session.execute(delete(DigestMatch).where(DigestMatch.digest_id.in_(theirs)))
        digests = session.execute(delete(Digest).where(Digest.member_id == member.id)).rowcount
        suggestions = session.execute(
            delete(DigestMatch).where(DigestMatch.member_id == member.id)
        ).rowcount
        member.external_id = _new_id()
        member.name, member.tags = ERASED, []
        for field in ("town", "country", "latitude", "longitude", "bio", "email", "contact"):
            setattr(member, field, None)
        member.email_consent = member.share_contact = False
        member.unsubscribed_at = member.unsubscribed_at or now
        if member.active:
            member.active, member.closed_at = False, now
        member.erased_at = member.updated_at = now
    return Erasure(old_id, len(posts), vectors, digests, suggestions)


def _new_id() -> str:
    return f"{ERASED_PREFIX}{uuid.uuid4().hex[:12]}"
