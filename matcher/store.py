"""The community store: SQLAlchemy models of members, posts (and what they said before each
edit), interactions and the digest ledger."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
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
    and_,
    create_engine,
    event,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)

from matcher.errors import ConfigError


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


# PostgreSQL connections (libpq's parameters): give up connecting after this many seconds, and
# probe an idle connection so that one whose server vanished (a network partition) is found
# dead in about a minute, instead of each worker waiting on it for good.
PG_CONNECT_ARGS: dict[str, int] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


def make_engine(url: str) -> Engine:
    """An engine for the store; SQLite gets foreign keys, WAL and a busy timeout, PostgreSQL
    timeouts to connect and keepalives (`PG_CONNECT_ARGS`). Errors never show the values of
    a statement (members' addresses and words), even in a debug log."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        if make_url(url).get_backend_name() == "postgresql":
            return create_engine(
                url, pool_pre_ping=True, connect_args=dict(PG_CONNECT_ARGS), hide_parameters=True
            )
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except ModuleNotFoundError as exc:  # SQLAlchemy imports the URL's driver when it starts
        raise ConfigError(
            f"the database URL needs the Python driver {exc.name!r}, which is not installed; "
            "the store runs on SQLite (sqlite:///path/to/file.db) or PostgreSQL "
            "(postgresql+psycopg://user:password@host/database)"
        ) from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # What is deleted (an erased member's words) is overwritten, not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to the store's engine."""
    return sessionmaker(engine, expire_on_commit=False)


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


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on any error."""
    with factory() as session, session.begin():
        yield session
