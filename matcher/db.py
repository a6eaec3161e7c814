"""Opening and closing the store: the engine, the newest schema, and a session factory."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from matcher import migrate
from matcher.config import Settings
from matcher.store import make_engine, session_factory


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite store's URL (None: another database, one in memory, or a URL
    that cannot be read: opening the store says what is wrong with it)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    file = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or file in ("", ":memory:") or ":memory:" in file:
        return None
    return Path(file)


def engine_for(settings: Settings) -> Engine:
    """The engine of the configured store, creating the folder of a SQLite file."""
    file = sqlite_path(settings.database)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        if not file.exists():  # members' data: the owner's alone (its -wal and -shm follow)
            os.close(os.open(file, os.O_WRONLY | os.O_CREAT, 0o600))
    return make_engine(settings.database)


def open_store(settings: Settings, upgrade: bool = True) -> sessionmaker[Session]:
    """Connect to the store of `settings`, migrating it to the newest schema unless told not to."""
    engine = engine_for(settings)
    if upgrade:
        migrate.upgrade(engine)
    return session_factory(engine)


def close_store(sessions: sessionmaker[Session], *, close: bool = True) -> None:
    """Close every connection of a store opened with `open_store` (its engine's pool). With
    `close` false, let go of them without closing them: in a process forked from the one that
    opened them, they are the parent's (SQLAlchemy's advice for a pool across a fork)."""
    sessions.kw["bind"].dispose(close=close)
