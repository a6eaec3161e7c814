"""API keys: stored only as SHA-256 hashes, each with its scopes (read, write)."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, bindparam, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import InvalidInput, NotFound
from matcher.store import ApiKey, utcnow

SCOPES: tuple[str, ...] = ("read", "write")
PREFIX = "mk_"
MAX_KEY_LENGTH = 200
MAX_KEY_NAME_LENGTH = 100
DEMO_KEY_NAME = "demo"
# A key's use is written down at most this often (a write per request would double the
# store's load): `last_used_at` is when it was first used in its latest such stretch.
USE_RECORDED_EVERY = timedelta(hours=1)
# How long a request waits for the store's write lock to write that down: a store busy with a
# long write (an import, the weekly email's run) would otherwise hold the request up for the
# whole of SQLite's busy timeout (30 s); the write is left to a later request.
USE_WRITE_WAIT = timedelta(milliseconds=100)
_USE_WRITE_WAIT_MS = int(USE_WRITE_WAIT.total_seconds() * 1000)  # as the stores take it

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown of a key: never the key itself, nor its hash."""

    id: int
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = None  # to within USE_RECORDED_EVERY; None: never

    @property
    def active(self) -> bool:
        """Whether the key is still accepted."""
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        """Whether the key holds `scope`."""
        return scope in self.scopes


def hash_key(plaintext: str) -> str:
    """The stored form of a key: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Scopes de-duplicated in their canonical order; raises InvalidInput on an unknown one."""
    wanted = {s.strip().lower() for s in scopes if s and s.strip()}
    unknown = wanted - set(SCOPES)
    if unknown:
        raise InvalidInput(
            f"unknown scope(s) {', '.join(sorted(unknown))}: use {', '.join(SCOPES)}",
            field="scopes",
        )
    if not wanted:
        raise InvalidInput("a key needs at least one scope", field="scopes")
    return tuple(s for s in SCOPES if s in wanted)


def create_key(
    sessions: sessionmaker[Session],
    name: str,
    scopes: Iterable[str] = ("read",),
    *,
    clock: Clock = utcnow,
) -> tuple[KeyInfo, str]:
    """A new key and its plaintext, which is returned this once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > MAX_KEY_NAME_LENGTH:
        raise InvalidInput(f"a key's name must be 1-{MAX_KEY_NAME_LENGTH} characters", "name")
    wanted = check_scopes(scopes)
    plaintext = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name, key_hash=hash_key(plaintext), scopes=",".join(wanted), created_at=clock()
    )
    with sessions.begin() as session:
        session.add(row)
        session.flush()
        info = _info(row)
    return info, plaintext


_BY_HASH = select(ApiKey).where(ApiKey.key_hash == bindparam("key_hash"))  # built once


def verify_key(
    sessions: sessionmaker[Session],
    plaintext: str | None,
    *,
    clock: Clock = utcnow,
    used: bool = True,
) -> KeyInfo | None:
    """The active key with this plaintext, or None when it is unknown or revoked. When it is
    `used` (a request sent it), that is written down (`last_used_at`) if the last use written
    is older than USE_RECORDED_EVERY."""
    if not plaintext or len(plaintext) > MAX_KEY_LENGTH:
        return None
    with sessions() as session:
        row = session.scalar(_BY_HASH, {"key_hash": hash_key(plaintext)})
        if row is None or row.revoked_at is not None:
            return None
        info = _info(row)
    now = clock()
    if used and (info.last_used_at is None or now - info.last_used_at >= USE_RECORDED_EVERY):
        _record_use(sessions, info.id, now)
    return info


def _record_use(sessions: sessionmaker[Session], key_id: int, now: datetime) -> None:
    """Write down a key's use, unless another request did within USE_RECORDED_EVERY. Best
    effort: a store that refuses the write (read-only, busy) does not refuse the request, nor
    holds it up for longer than USE_WRITE_WAIT waiting for its write lock (a later request
    writes it down)."""
    try:
        with sessions.kw["bind"].connect() as connection:
            before = _wait_briefly(connection)
            try:
                with connection.begin():
                    if connection.dialect.name == "postgresql":
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {_USE_WRITE_WAIT_MS}")
                    connection.execute(
                        update(ApiKey)
                        .where(
                            ApiKey.id == key_id,
                            or_(
                                ApiKey.last_used_at.is_(None),
                                ApiKey.last_used_at <= now - USE_RECORDED_EVERY,
                            ),
                        )
                        .values(last_used_at=now)
                    )
            finally:
                if before is not None:  # the pooled connection waits as long as before
                    try:
                        connection.exec_driver_sql(f"PRAGMA busy_timeout = {before}")
                    except SQLAlchemyError:
                        connection.invalidate()
                        raise
    except SQLAlchemyError:
        pass


def _wait_briefly(connection: Connection) -> int | None:
    """On SQLite, wait at most USE_WRITE_WAIT for the write lock on this connection (its
    pragma, which outlives the transaction); returns the wait it had, to set back."""
    if connection.dialect.name != "sqlite":
        return None
    before = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {_USE_WRITE_WAIT_MS}")
    connection.rollback()  # the pragmas' autobegun transaction: the write begins its own
    return before


def list_keys(sessions: sessionmaker[Session], include_revoked: bool = True) -> list[KeyInfo]:
    """Every key (or only the active ones), oldest first."""
    query = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    with sessions() as session:
        return [_info(row) for row in session.scalars(query)]


def revoke_key(sessions: sessionmaker[Session], key_id: int, *, clock: Clock = utcnow) -> KeyInfo:
    """Stop accepting a key from now on (revoking twice keeps the first time)."""
    with sessions.begin() as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            raise NotFound(f"no API key with id {key_id}")
        if row.revoked_at is None:
            row.revoked_at = clock()
        session.flush()
        return _info(row)


def ensure_demo_key(
    sessions: sessionmaker[Session], path: Path, *, clock: Clock = utcnow
) -> tuple[KeyInfo, str, bool]:
    """The demo key kept in `path` (read and write), created when missing; True if new."""
    if path.is_file():
        plaintext = path.read_text().strip()
        info = verify_key(sessions, plaintext, used=False)  # only looked at
        if info is not None and set(info.scopes) == set(SCOPES):
            return info, plaintext, False
    info, plaintext = create_key(sessions, DEMO_KEY_NAME, SCOPES, clock=clock)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(plaintext + "\n")
    return info, plaintext, True


def _info(row: ApiKey) -> KeyInfo:
    scopes = tuple(s for s in (row.scopes or "").split(",") if s)
    return KeyInfo(row.id, row.name, scopes, row.created_at, row.revoked_at, row.last_used_at)
