"""The `matcher` command: import, build, match, evaluate, serve and send the weekly digest."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from matcher import __version__
from matcher.cli.context import AppContext, pass_app, store_chosen_by
from matcher.config import Settings
from matcher.errors import MatcherError


class MatcherGroup(click.Group):
    """A group that turns the library's own errors, and those of the machine (a folder that
    cannot be made or read, a database URL that names no database), into a one-line message
    and exit code 1; `-vv` logs the traceback too."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MatcherError as exc:
            _fail(f"Error: {exc}")
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            _fail(f"Error: {exc.strerror or exc}{where}")
        except ArgumentError as exc:  # e.g. NoSuchModuleError: an unknown database dialect
            _fail(f"Error: the database URL cannot be used: {exc}")
        except (OperationalError, InterfaceError) as exc:  # down, refusing, no such database
            answered, first = store_refusal(exc)
            what = "the store cannot be used" if answered else "the store does not answer"
            _fail(f"Error: {what}: {first}")


def store_refusal(exc: OperationalError | InterfaceError) -> tuple[bool, str]:
    """Whether the store's server answered and refused (the database or the role is not
    there, a wrong password), rather than not answering; and the first line of what it said."""
    said = str(exc.orig or exc).strip().splitlines()
    first = said[0] if said else str(exc)
    return "does not exist" in first or "authentication failed" in first, first


def _fail(message: str) -> None:
    logging.getLogger("matcher.cli").debug("the command failed", exc_info=True)
    click.echo(message, err=True)
    sys.exit(1)


@click.group(cls=MatcherGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="matcher")
@click.option(
    "--database-url",
    metavar="URL",
    help="SQLAlchemy URL of the store [env MATCHER_DATABASE_URL; default: sqlite in --data-dir].",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the SQLite store, demo files and outbox [env MATCHER_DATA_DIR; default: var].",
)
@click.option(
    "--models-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of model builds [env MATCHER_MODELS_DIR; default: models].",
)
@click.option(
    "--encoder",
    metavar="MODEL",
    help="sentence-transformers model path or name, or 'hashing' "
    "[env MATCHER_ENCODER; default: all-MiniLM-L6-v2, shipped offline].",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.pass_context
def main(
    ctx: click.Context,
    database_url: str | None,
    data_dir: Path | None,
    models_dir: Path | None,
    encoder: str | None,
    verbose: int,
) -> None:
    """Who could help whom: match the members of an indie music community.

    A typical week: `matcher import` the organiser's files (or `matcher demo-data`),
    `matcher build` a model, `matcher serve` the API, `matcher digest` the weekly emails.
    Settings come from MATCHER_* environment variables; the options here override them.
    """
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = Settings.from_env(
        database_url=database_url, data_dir=data_dir, models_dir=models_dir, encoder=encoder
    )
    ctx.obj = AppContext(settings, store_from=store_chosen_by(database_url, data_dir, os.environ))
    ctx.call_on_close(ctx.obj.close)


@main.command("migrate")
@pass_app
def migrate_command(app: AppContext) -> None:
    """Create the store or upgrade it to the newest schema, in place."""
    from matcher import migrate
    from matcher.db import engine_for

    engine = engine_for(app.settings)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    app.out.print(f"store {app.settings.database_shown}: schema {before or 'empty'} -> {after}")


# The commands, one module each (imported last: they use `main`'s module only through click).
from matcher.cli.data import (  # noqa: E402
    copy_store_command,
    erase_command,
    export_command,
    import_command,
    stats_command,
)
from matcher.cli.demo import demo_command  # noqa: E402
from matcher.cli.digest import digest_command  # noqa: E402
from matcher.cli.engine import build_command, builds_command, match_command  # noqa: E402
from matcher.cli.evaluate import evaluate_group  # noqa: E402
from matcher.cli.members import members_group  # noqa: E402
from matcher.cli.serve import keys_group, serve_command  # noqa: E402

for command in (
    import_command,
    export_command,
    copy_store_command,
    stats_command,
    erase_command,
    members_group,
    demo_command,
    build_command,
    builds_command,
    match_command,
    evaluate_group,
    serve_command,
    keys_group,
    digest_command,
):
    main.add_command(command)
