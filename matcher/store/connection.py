"""Connecting to the store: the engine (SQLite or PostgreSQL), its sessions and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import ConfigError

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


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on any error."""
    with factory() as session, session.begin():
        yield session
