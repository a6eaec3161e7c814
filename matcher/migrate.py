"""Schema migrations (Alembic): bring any store up to the newest schema in place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from matcher.errors import ConfigError

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: object | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision` (the newest by default). A store this release
    cannot read (a schema from a newer release, a file that is no SQLite database) is a
    `ConfigError` saying so."""
    with _readable(engine), engine.begin() as connection:
        command.upgrade(_config(connection), revision)


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
    """Write a new migration from the difference between the models and the store (developers)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
