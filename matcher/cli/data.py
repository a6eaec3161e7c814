"""The `import`, `export`, `stats` and `erase` commands."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from matcher.cli.context import FOUND_FROM_HERE, AppContext, Choice, pass_app
from matcher.errors import ImportRejected

if TYPE_CHECKING:
    from matcher.io.formats import Frames
    from matcher.io.importer import ImportResult

# The library (and pandas) is imported inside each command so that `--help` stays instant.
FORMATS = ("csv", "json", "jsonl")


@click.command("import")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="PATH...",
)
@click.option("--dry-run", is_flag=True, help="Check every row and count, but write nothing.")
@pass_app
def import_command(app: AppContext, paths: tuple[Path, ...], dry_run: bool) -> None:
    """Import members, posts and interactions from CSV, JSON or JSONL files or folders.

    A file's name says what it holds: members*.csv|json|jsonl, posts*..., interactions*...;
    a folder means every such file in it. Rows are upserted by their id, so importing the
    same files twice changes nothing. Every row is checked first: if any is bad, each
    problem is printed as `file:row: field: reason` (and then the files' warnings, such as
    an unknown town), nothing is written, and the exit code is 1.

    Required columns: members id, name, kind; posts id, member_id, side (need or offer),
    text; interactions id, kind, from_member_id, to_member_id, occurred_at. Every column,
    its rules and examples: docs/formats.md.
    """
    from matcher.io import read_files

    app.creates_store = not dry_run
    try:
        with app.console.status("importing") as status:
            status.update("reading files")
            frames = read_files(paths)
            if app.store_is_new and not dry_run:  # files refused leave no new store behind
                _import(app, _empty_store(app), frames, True, status.update)
            result = _import(app, _store_to_check(app, dry_run), frames, dry_run, status.update)
    except ImportRejected as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        if exc.warnings:  # now, not after the problems are fixed and the files sent again
            app.console.print(
                f"and {len(exc.warnings)} warning(s) of the same files, to read before sending "
                "them again:",
                style="yellow",
                markup=False,
            )
        _print_warnings(app, exc.warnings)
        raise
    _print_warnings(app, result.warnings)
    table = Table(title="would import (dry run)" if dry_run else "imported")
    table.add_column("")
    for column in ("inserted", "updated", "unchanged"):
        table.add_column(column, justify="right")
    for entity, counts in result.counts.items():
        table.add_row(entity, *(str(counts[c]) for c in ("inserted", "updated", "unchanged")))
    app.out.print(table)


def _import(
    app: AppContext,
    store: AbstractContextManager[sessionmaker[Session]],
    frames: Frames,
    dry_run: bool,
    step: Callable[[str], None],
) -> ImportResult:
    """Import the files read into the store opened by `store` (or check them, for a dry run)."""
    from matcher.io import import_frames

    with store as sessions:
        return import_frames(
            sessions,
            frames,
            source=", ".join(frames.sources),
            default_capacity=app.settings.default_capacity,
            dry_run=dry_run,
            step=step,
        )


def _print_warnings(app: AppContext, warnings: list[str]) -> None:
    """An import's warnings, a line each: what it took, or would take, but the organiser should
    look at."""
    for warning in warnings:
        app.console.print(f"warning: {warning}", style="yellow", markup=False)


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), metavar="DIR")
@click.option(
    "--format",
    "fmt",
    type=Choice(FORMATS),
    default="csv",
    show_default=True,
    help="File format to write.",
)
@pass_app
def export_command(app: AppContext, folder: Path, fmt: str) -> None:
    """Write the store to DIR as members, posts and interactions files (importable again).

    DIR is made when missing; the three files of the format (members.csv, posts.csv,
    interactions.csv with --format csv) are replaced, each written whole or not at all. A
    folder that holds such files of another format is refused (an import of the folder
    would read both). Members' e-mail addresses are in the files: keep them private.
    """
    from matcher.io import export_frames, write_files

    with app.console.status("exporting"):
        frames = export_frames(app.sessions)
        paths = write_files(frames, folder, fmt)
    for path, (entity, n) in zip(paths, frames.counts().items(), strict=True):
        app.out.print(f"{path}: {n} {entity}", markup=False)


@click.command("copy-store")
@click.argument("target", metavar="DATABASE_URL")
@pass_app
def copy_store_command(app: AppContext, target: str) -> None:
    """Copy the whole store into another, empty one at DATABASE_URL (to move, or as a backup).

    Every table, row for row, in one transaction (all or nothing): the community, and what
    `export` does not carry: API keys, the weekly email's history (so nobody is emailed twice
    in a week or suggested again), retired ids of erased members, import runs and encoded
    texts. The target is created or upgraded to the newest schema first and must hold no
    rows. Ids are kept, so the builds in the models folder serve the copy as they are. The
    store copied from is only read. Example:

      matcher copy-store postgresql+psycopg://matcher@localhost/matcher
    """
    from sqlalchemy.engine import make_url

    from matcher.copy import copy_store, row_counts
    from matcher.db import close_store, open_store
    from matcher.errors import ConfigError
    from matcher.progress import rich_progress

    settings = app.settings.replace(database_url=target)
    shown = settings.database_shown
    if make_url(settings.database) == make_url(app.settings.database):
        raise ConfigError(f"{shown} is the store to copy from: name another")
    into = open_store(settings)
    try:
        with app.sessions() as session:
            total = sum(row_counts(session).values())
        with rich_progress(app.console) as reporter:
            copied = copy_store(app.sessions, into, reporter.task(f"copying to {shown}", total))
    finally:
        close_store(into)
    app.out.print(f"copied {app.settings.database_shown} -> {shown}", markup=False)
    for table, n in copied.items():
        app.out.print(f"  {table}: {n}", markup=False)
    password = " (the password as you gave it)" if make_url(target).password else ""
    # The command cannot tell a move from a backup: say what the copy is good for in both.
    app.out.print(
        f"  a move: serve it with MATCHER_DATABASE_URL={shown}{password} wherever matcher and "
        "the API run",
        markup=False,
    )
    app.out.print(
        f"  a backup: keep it; to restore it, run `matcher copy-store` with "
        f"MATCHER_DATABASE_URL={shown}{password} into an empty store (docs/operations.md)",
        markup=False,
    )


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@pass_app
def stats_command(app: AppContext, as_json: bool) -> None:
    """Summarise the store: members by kind, open needs and offers, interactions, last import."""
    from matcher.io import community_stats

    with app.sessions() as session:
        stats = community_stats(session)
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    members, posts, interactions = stats["members"], stats["open_posts"], stats["interactions"]
    app.out.print(f"store: {app.settings.database_shown}", markup=False)
    if not members["total"]:
        app.out.print(
            "the store is empty: `matcher import FILES` or `matcher demo-data` fill it (stores "
            f"are {FOUND_FROM_HERE})",
            markup=False,
        )
    erased = f", {members['erased']} erased" if members["erased"] else ""
    table = Table(title=f"{members['total']} members ({members['active']} active{erased})")
    table.add_column("kind")
    table.add_column("members", justify="right")
    for kind, n in members["by_kind"].items():
        table.add_row(kind, str(n))
    if members["erased"]:
        table.add_row("(erased)", str(members["erased"]))
    app.out.print(table)
    app.out.print(f"open needs: {posts['needs']}   open offers: {posts['offers']}")
    table = Table(title=f"{interactions['total']} interactions")
    table.add_column("kind")
    table.add_column("interactions", justify="right")
    for kind, n in interactions["by_kind"].items():
        table.add_row(kind, str(n))
    app.out.print(table)
    last = stats["last_import"]
    if last is None:
        app.out.print("last import: never")
    else:
        counts = "; ".join(
            f"{entity}: {c['inserted']} new, {c['updated']} updated, {c['unchanged']} unchanged"
            for entity, c in last["counts"].items()
        )
        app.out.print(f"last import: {last['at']} from {last['source']} ({counts})", markup=False)


@click.command("erase")
@click.argument("member_ids", nargs=-1, required=True, metavar="MEMBER_ID...")
@click.option("--yes", is_flag=True, help="Erase without asking first.")
@click.option(
    "--outbox",
    "outboxes",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also delete their emails from DIR, a folder given to `matcher digest --outbox` "
    "(repeat for each).",
)
@pass_app
def erase_command(
    app: AppContext, member_ids: tuple[str, ...], yes: bool, outboxes: tuple[Path, ...]
) -> None:
    """Erase members' personal data at their request, for good (the right to erasure).

    Their profile, the words of their posts, the cached vectors of those words and the
    records of their weekly emails go, and they leave matching at once. What stays is
    anonymous: the help between them and the others, so that it still counts for the others.
    Their emails in the outbox (`<data-dir>/outbox/<week>/`, and each --outbox DIR) are
    deleted; other members' emails there, like emails sent, keep what they said. Every id
    is checked before anything is erased. The builds made before still hold their words:
    run `matcher build`, then `matcher builds --keep 1`. Their id is retired: the API and
    imports give it to no one again, so take them out of the files you import (an import
    naming them is refused).
    """
    from matcher.erase import erase_member, member_to_erase

    with app.sessions() as session:
        names = {
            m: member_to_erase(session, m, "MEMBER_ID").name for m in dict.fromkeys(member_ids)
        }
    if not yes:
        who = ", ".join(f"{m} ({name})" for m, name in names.items())
        click.confirm(f"Erase {who} for good? This cannot be undone", abort=True)
    for member_id in names:
        erased = erase_member(app.sessions, member_id, app.settings.data_dir, outboxes=outboxes)
        app.out.print(
            f"erased {erased.member_id}: posts emptied {erased.posts}; records forgotten of "
            f"weekly emails to them {erased.digests}, of suggestions of them to others "
            f"{erased.suggestions}, of quotes of their posts in others' {erased.quotes}; "
            f"cached vectors deleted {erased.vectors} (of their words and of texts no post "
            f"holds any more); their emails deleted from the outbox {erased.emails}",
            markup=False,
        )
    app.out.print(
        "builds made before still hold their words: `matcher build`, then "
        "`matcher builds --keep 1`",
        markup=False,
    )


@contextmanager
def _store_to_check(app: AppContext, dry_run: bool) -> Iterator[sessionmaker[Session]]:
    """The store an import writes to, or a dry run checks against: for a dry run before the
    first import, an empty one in a temporary folder (a dry run makes no store here)."""
    if not (dry_run and app.store_is_new):
        yield app.sessions
        return
    with _empty_store(app) as sessions:
        yield sessions


@contextmanager
def _empty_store(app: AppContext) -> Iterator[sessionmaker[Session]]:
    """An empty store in a temporary folder, to check files against before the first import
    (one refused, or a dry run, then makes no store where the organiser's would be)."""
    from matcher.db import close_store, open_store

    with tempfile.TemporaryDirectory(prefix="matcher-dry-run-") as folder:
        sessions = open_store(app.settings.replace(data_dir=folder, database_url=""))
        try:
            yield sessions
        finally:
            close_store(sessions)
