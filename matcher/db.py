"""Opening and closing the store: the engine, the newest schema, and a session factory."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from matcher import migrate
from matcher.config import Settings
from matcher.store import make_engine, session_factory


def engine_for(settings: Settings) -> Engine:
    """The engine of the configured store, creating the folder of a SQLite file."""
    url = make_url(settings.database)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database)


def open_store(settings: Settings, upgrade: bool = True) -> sessionmaker[Session]:
    """Connect to the store of `settings`, migrating it to the newest schema unless told not to."""
    engine = engine_for(settings)
    if upgrade:
        migrate.upgrade(engine)
    return session_factory(engine)


def close_store(sessions: sessionmaker[Session]) -> None:
    """Close every connection of a store opened with `open_store` (its engine's pool)."""
    sessions.kw["bind"].dispose()
