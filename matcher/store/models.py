"""The store's tables: SQLAlchemy models of members, posts (and what they said before each
edit), interactions, the digest ledger, API and idempotency keys, erased ids and imports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and always read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Member(Base):
    """A person, band or organisation of the community."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    town: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    tags: Mapped[list[str]] = mapped_column(default=list)
    bio: Mapped[str | None] = mapped_column(Text)
    # Private: never shown to other members.
    email: Mapped[str | None] = mapped_column(String(254))
    # Consents.
    email_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the member unsubscribed themselves; an import cannot sign them up again.
    unsubscribed_at: Mapped[datetime | None]
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    contact: Mapped[str | None] = mapped_column(String(300))
    # Introductions a week the member can take.
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_at: Mapped[datetime | None]  # when `active` last became false
    erased_at: Mapped[datetime | None]  # when their personal data was erased (community.erase)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_active_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    posts: Mapped[list[Post]] = relationship(back_populates="member")


class Post(Base):
    """A member's need or offer, in their own words."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    member: Mapped[Member] = relationship(back_populates="posts")


class PostRevision(Base):
    """What a post said before an edit: it read `text` with `tags` until `replaced_at`. Kept
    so that the history (matcher.features.replay) reads each post as it was when a need was
    posted, not as it was edited since (matcher.revisions writes these)."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    replaced_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(default=list)


class MemberRevision(Base):
    """What a member's profile said before an edit, of the fields the ranker reads: these
    values held until `replaced_at` (see PostRevision)."""

    __tablename__ = "member_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    replaced_at: Mapped[datetime]
    town: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    tags: Mapped[list[str]] = mapped_column(default=list)
    capacity: Mapped[int] = mapped_column(Integer)


class Interaction(Base):
    """Something `from_member` did to `to_member`, optionally about a need and an offer."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_pair", "from_member_id", "to_member_id"),
        # Serving asks on every request for the newest request (`contacted`), and now and
        # then for the requests of the last days: each one index lookup or range. Every other
        # question by kind reads these too (a kind is each one's first column).
        Index("ix_interactions_kind_id", "kind", "id"),
        Index("ix_interactions_kind_occurred_at", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    to_member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    need_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    offer_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Digest(Base):
    """The ledger of the weekly email: one row per member and ISO week."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("member_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(8), index=True)
    # chosen -> sending -> sent | failed; skipped when there was nothing to send.
    status: Mapped[str] = mapped_column(String(8), default="chosen")
    message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    matches: Mapped[list[DigestMatch]] = relationship(
        back_populates="digest", cascade="all, delete-orphan", order_by="DigestMatch.rank"
    )


class DigestMatch(Base):
    """One person suggested in a digest."""

    __tablename__ = "digest_matches"
    __table_args__ = (UniqueConstraint("digest_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(16))  # helps_you | you_help
    score: Mapped[float] = mapped_column(Float)
    mutual: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The recipient's own post it answers (`explain.answers_post`): null in weeks recorded
    # before it was kept, and where there is none to name.
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    digest: Mapped[Digest] = relationship(back_populates="matches")


class TextVector(Base):
    """The encoder's vector of one text, so each text is encoded once per model."""

    __tablename__ = "text_vectors"

    model: Mapped[str] = mapped_column(String(200), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class ErasedId(Base):
    """The id of a member erased at their request (matcher.erase), retired: only its hash,
    with nothing to tie it to the anonymous row they left."""

    __tablename__ = "erased_ids"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiKey(Base):
    """An API key, stored only as a hash, with its scopes."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(50), default="read")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]  # to within `keys.USE_RECORDED_EVERY`


class IdempotencyKey(Base):
    """A write sent with an `Idempotency-Key`: which request it was (a hash of the body), so
    that a repeat of it creates nothing new and another request under the same key is
    refused. The key is stored only as a hash, with the client's API key and the endpoint."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    endpoint: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # kept a while
    done_at: Mapped[datetime | None]  # when the first request under the key made its row


class ImportRun(Base):
    """One successful import: when, from which files, how many rows of each."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(Text)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
