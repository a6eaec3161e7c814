"""What every command is handed: settings, and the store and encoder opened on first use."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from matcher.choices import unknown_choice
from matcher.config import Settings
from matcher.embed import Encoder, configured_encoder

# Where a command looks for the store and the builds: said when it finds nothing there.
FOUND_FROM_HERE = (
    "found from the current folder (MATCHER_DATA_DIR, default var, or MATCHER_DATABASE_URL; "
    "MATCHER_MODELS_DIR, default models): run from the project's folder or set them"
)


PIPED_WIDTH = 160


def store_chosen_by(
    database_url: str | None, data_dir: Path | None, environ: Mapping[str, str]
) -> str | None:
    """Which setting chose the store (an option, else its MATCHER_* variable), or None when
    none did: the default data folder, var, found from the current folder."""
    if database_url:
        return "--database-url"
    if environ.get("MATCHER_DATABASE_URL"):
        return "MATCHER_DATABASE_URL"
    if data_dir is not None:
        return "--data-dir"
    if "MATCHER_DATA_DIR" in environ:
        return "MATCHER_DATA_DIR"
    return None


class Choice(click.Choice):
    """An option of a few values; a near miss is named, as imports and the API name it:
    "unknown value 'bnad'; did you mean 'band'? expected one of ..." (`matcher.choices`)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(unknown_choice(str(value), [str(c) for c in self.choices]), param, ctx)


class AppContext:
    """The collaborators of a CLI run, created lazily so `--help` stays instant."""

    def __init__(
        self, settings: Settings, console: Console | None = None, store_from: str | None = None
    ):
        self.settings = settings
        # The setting that chose the store (`store_chosen_by`), None: the default folder.
        self.store_from = store_from
        # Set by the commands that may begin a new SQLite store (import, demo-data, serve,
        # keys create); the others stop, saying where they looked, rather than make one.
        self.creates_store = False
        self.console = console or Console(stderr=True)
        # Piped or redirected, a table is as wide as PIPED_WIDTH (COLUMNS, when set, wins):
        # the 80 columns rich assumes then squeeze the reasons of a match into a sliver.
        piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
        self.out = Console(soft_wrap=True, width=PIPED_WIDTH if piped else None)

    @property
    def store_is_new(self) -> bool:
        """Whether the store is a SQLite file not made yet (the default one, or a URL's)."""
        file = self._sqlite_file()
        return file is not None and not file.exists()

    def _where(self) -> str:
        """Where the SQLite store is, and which setting chose it: the data folder, or the
        file a database URL names."""
        if not self.settings.database_url:
            where = f"in {self.settings.data_dir.resolve()}"
        else:
            where = f"at {self._sqlite_file()}"
        return f"{where} (set by {self.store_from})" if self.store_from else where

    def _found_from(self) -> str:
        """How the store was found, where no setting chose it: the advice to set one is for
        an organiser who set none (given to one who had, it read as if theirs was ignored)."""
        if self.store_from:
            return ""
        return (
            f" (the default, {Settings().data_dir} in the current folder: run from the project's "
            "folder, or set MATCHER_DATA_DIR or MATCHER_DATABASE_URL)"
        )

    def _sqlite_file(self) -> Path | None:
        from matcher.db import sqlite_path

        return sqlite_path(self.settings.database)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from matcher import migrate
        from matcher.db import open_store

        s = self.settings
        new = self.store_is_new
        if new and not self.creates_store:  # reading: an empty store made here would mislead
            raise click.ClickException(
                f"no store {self._where()} yet: `matcher import` or `matcher demo-data` begins one"
                f"{self._found_from()}"
            )
        sessions = open_store(s, upgrade=False)
        engine = sessions.kw["bind"]
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
        if before is not None and before != after:  # said: an older API may be reading it
            self.console.print(
                f"note: upgraded the store's schema {before} -> {after}: an API still running "
                "an older release cannot read it now (restart it with this one)",
                markup=False,
                highlight=False,
            )
        if new:  # say so: a command run from another folder would use an empty store unawares
            self.console.print(
                f"note: made a new, empty store {self._where()}{self._found_from()}",
                markup=False,
                highlight=False,
            )
        return sessions

    def close(self) -> None:
        """Close the store's connections, if the command opened it (called as it ends)."""
        if "sessions" in self.__dict__:
            from matcher.db import close_store

            close_store(self.sessions)

    @cached_property
    def encoder(self) -> Encoder:
        s = self.settings
        with self.console.status(f"loading encoder {s.encoder}"):
            return configured_encoder(s)


pass_app = click.make_pass_decorator(AppContext)
