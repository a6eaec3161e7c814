"""Schema migrations (Alembic): bring any store up to the newest schema in place."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from matcher.errors import ConfigError

MIGRATIONS = Path(__file__).with_name("migrations")
# The key of the PostgreSQL advisory lock a migration holds (any number no other tool uses).
MIGRATION_LOCK = 0x6D61746368  # "match"


def _config(connection: object | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision` (the newest by default). A store this release
    cannot read (a schema from a newer release, a file that is no SQLite database) is a
    `ConfigError` saying so. Commands that start at once migrate one after the other: the
    later finds the schema new (else one failed, on a table the other had just made)."""
    with _readable(engine), _one_at_a_time(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # held until the transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        command.upgrade(_config(connection), revision)


@contextmanager
def _one_at_a_time(engine: Engine) -> Iterator[None]:
    """Hold an exclusive lock (`flock`) on a SQLite store's folder while it is migrated;
    PostgreSQL's is taken in `upgrade`. The folder, not the store's file: closing any
    descriptor of that file drops every lock of SQLite's own that the process holds on it
    (POSIX locks are per process and file), those of its other connections too. Opened read
    only: `flock` needs no write access, so a store its user may only read still opens."""
    file = engine.url.database or ""
    if engine.dialect.name != "sqlite" or not file or ":memory:" in file:
        yield
        return
    descriptor = os.open(os.path.dirname(os.path.abspath(file)), os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


@contextmanager
def _readable(engine: Engine) -> Iterator[None]:
    """Turn "this release cannot read the store" into a `ConfigError` saying so."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        yield
    except CommandError as exc:
        if "Can't locate revision" not in str(exc):
            raise
        raise ConfigError(
            f"the store {where} has a schema this release does not know ({exc}): a newer "
            "release of indie-matcher made it; run that release, or restore a backup"
        ) from exc
    except DatabaseError as exc:
        if "file is not a database" not in str(exc.orig):
            raise
        raise ConfigError(f"the store {where} is not a SQLite database ({exc.orig})") from exc


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at, or None for an empty database."""
    with _readable(engine), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def revise(engine: Engine, message: str) -> None:
    """Write a new migration from the difference between the models and the store: a
    developer tool for schema changes, which no command calls.

    Change the models (`matcher/store/models.py`), then run it on a scratch store at the newest
    revision, e.g. `python -c "from matcher import migrate; from matcher.store import
    make_engine; e = make_engine('sqlite:///scratch.db'); migrate.upgrade(e);
    migrate.revise(e, 'what changed')"`. Alembic's own command line cannot write one here:
    `migrations/env.py` runs on the connection handed over by this module. Review what
    autogenerate wrote into `migrations/versions/` (and write the downgrade), then name the
    file and its revision id by the next number, as the others are (`0013_what_changed`).
    """
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
