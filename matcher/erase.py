"""Erasing a member's personal data at their request (the right to erasure).

Closing a member (`community.close_member`) keeps their profile and posts as history. Erasing
takes out everything that is theirs or about them: their name and every other profile
field, the words of their posts, what their profile and posts said before each edit (kept
for the history, matcher.revisions), the cached vectors of those words, and the records of
the weekly emails sent to them or suggesting them. What stays is anonymous: a closed member
row with a new random id, their posts emptied (new random ids too: a post's id may hold the
member's), and the interactions with the others (under the ids they had), so that the
help the others gave and received still counts for them (their "helped N members", the
ranker's history). The id they had is retired (only its hash is kept, `ErasedId`): the API
and imports refuse to give it to anyone again, so nothing said to or about them by that id
(an old unsubscribe link, a file not yet mended) can reach someone else.

The model builds made before hold the old words until a new build replaces them and the old
builds are deleted (`matcher build`, then `matcher builds --keep 1`); serving stops showing
and quoting the member at once. Emails already sent are outside the store; the member's own
emails in the outbox folder go too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Text, cast, delete, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from matcher.community import get_member
from matcher.domain import ERASED
from matcher.embed import text_hash
from matcher.errors import Conflict
from matcher.revisions import forget_member
from matcher.store import (
    Digest,
    DigestMatch,
    ErasedId,
    Interaction,
    Member,
    Post,
    PostRevision,
    TextVector,
    erased_id_hash,
    in_batches,
    utcnow,
)

BATCH = 500  # post ids per statement that looks for them in the digests' reasons
ERASED_PREFIX = "erased-"  # the new id of an erased member and of their posts, and 12 hex digits


@dataclass(frozen=True)
class Erasure:
    """What erasing one member took out."""

    member_id: str  # the id they had
    posts: int  # posts emptied
    vectors: int  # cached vectors deleted: of their words, and of texts held nowhere any more
    digests: int  # records of weekly emails to them deleted
    suggestions: int  # records of their being suggested in others' emails deleted
    quotes: int  # quotes of their posts taken out of the records of others' emails
    emails: int  # their own emails deleted from the outbox folder

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def erase_member(
    sessions: sessionmaker[Session],
    external_id: str,
    data_dir: Path | None = None,
    clock: Callable[[], datetime] = utcnow,
    outboxes: Sequence[Path] = (),
) -> Erasure:
    """Erase the member with this id (NotFound: none), in one transaction; then their emails
    in `data_dir`'s outbox, where `matcher digest` writes them (None: no outbox), and in each
    of `outboxes`, folders that `matcher digest --outbox DIR` wrote to."""
    with sessions.begin() as session:
        member = member_to_erase(session, external_id, "member_id")
        if member.erased_at is not None:  # their anonymous row: nothing of theirs is left
            raise Conflict(
                f"member {member.external_id!r} was erased at their request on "
                f"{member.erased_at:%Y-%m-%d}: nothing of theirs is left to erase",
                field="member_id",
            )
        old_id, now = member.external_id, clock()
        posts = session.scalars(select(Post).where(Post.member_id == member.id)).all()
        post_ids = {p.external_id for p in posts}
        for post in posts:
            post.external_id = _new_id()
            post.text, post.tags, post.status, post.updated_at = ERASED, [], "closed", now
        # An interaction's id may hold theirs ("i-m4-helped-m3"), as a post's may.
        involved = or_(
            Interaction.from_member_id == member.id, Interaction.to_member_id == member.id
        )
        for interaction in session.scalars(select(Interaction).where(involved)):
            interaction.external_id = _new_id()
        session.flush()
        theirs = select(Digest.id).where(Digest.member_id == member.id).scalar_subquery()
        session.execute(delete(DigestMatch).where(DigestMatch.digest_id.in_(theirs)))
        digests = session.execute(delete(Digest).where(Digest.member_id == member.id)).rowcount
        suggestions = session.execute(
            delete(DigestMatch).where(DigestMatch.member_id == member.id)
        ).rowcount
        quotes = _unquote(session, post_ids)
        member.external_id = _new_id()
        member.name, member.tags = ERASED, []
        for field in ("town", "country", "latitude", "longitude", "bio", "email", "contact"):
            setattr(member, field, None)
        member.email_consent = member.share_contact = False
        member.unsubscribed_at = member.unsubscribed_at or now
        if member.active:
            member.active, member.closed_at = False, now
        member.erased_at = member.updated_at = now
        forget_member(session, member.id)  # what their profile and posts said before edits
        session.merge(ErasedId(id_hash=erased_id_hash(old_id)))  # retired: no one's again
        vectors = forget_unused_vectors(session)
    _checkpoint(sessions)
    weeks = sorted((Path(data_dir) / "outbox").glob("*")) if data_dir is not None else []
    emails = _forget_emails([*weeks, *map(Path, outboxes)], old_id)
    return Erasure(old_id, len(posts), vectors, digests, suggestions, quotes, emails)


def member_to_erase(session: Session, external_id: str, field: str | None = None) -> Member:
    """The member with this id; NotFound saying so when the id was an erased member's (asked
    twice to erase them, the organiser would read "no member" as a mistaken id)."""
    return get_member(
        session,
        external_id,
        field,
        if_erased=f"member {external_id.strip()!r} was erased at their request already: "
        "nothing of theirs is left to erase",
    )


def _checkpoint(sessions: sessionmaker[Session]) -> None:
    """On SQLite, move the write-ahead log into the database file and empty it: its pages
    held the member's rows as they were, where `secure_delete` does not reach, for as long
    as any connection (a running server's) kept the log."""
    with sessions() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _forget_emails(folders: Sequence[Path], member_id: str) -> int:
    """Delete the member's own emails from these outbox folders (`<data_dir>/outbox/<week>/`,
    where `matcher digest` writes them, or another it was given), listing each folder's
    emails again without them; how many."""
    from matcher.digest.mail import Outbox

    return sum(Outbox(folder).forget(member_id) for folder in folders if folder.is_dir())


def forget_unused_vectors(session: Session) -> int:
    """Delete the cached vectors of texts no post holds any more, now or in an earlier version
    of it kept for the history (`PostRevision`: erasure deletes an erased member's), so that
    no vector outlives the words it was made from; how many."""
    held = {text_hash(t) for t in session.scalars(select(Post.text))}
    held.update(text_hash(t) for t in session.scalars(select(PostRevision.text)))
    stale = [h for h in set(session.scalars(select(TextVector.text_hash))) if h not in held]
    return sum(
        session.execute(delete(TextVector).where(TextVector.text_hash.in_(part))).rowcount
        for part in in_batches(sorted(stale))
    )


def _unquote(session: Session, post_ids: set[str]) -> int:
    """Take the reasons that quote these posts out of the records of the weekly emails; how
    many. (The emails themselves withdraw a quote of a member who left before they are sent.)"""
    removed = 0
    for part in in_batches(sorted(post_ids), BATCH):
        # Reasons are stored as JSON: an id appears in them as json.dumps writes it.
        mentions = or_(
            *(
                cast(DigestMatch.reasons, Text).contains(json.dumps(p), autoescape=True)
                for p in part
            )
        )
        for match in session.scalars(select(DigestMatch).where(mentions)):
            kept = [r for r in match.reasons if not _quotes(r, post_ids)]
            removed += len(match.reasons) - len(kept)
            match.reasons = kept
    return removed


def _quotes(reason: dict, post_ids: set[str]) -> bool:
    return any(
        isinstance(reason.get(side), dict) and reason[side].get("id") in post_ids
        for side in ("need", "offer")
    )


def _new_id() -> str:
    return f"{ERASED_PREFIX}{uuid.uuid4().hex[:12]}"
