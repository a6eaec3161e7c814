"""The `demo-data` command: a realistic demo community, written as import files and imported."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table

from matcher.cli.context import AppContext, Choice, pass_app
from matcher.domain import INTERACTION_KINDS
from matcher.errors import ImportRejected

FORMATS = ("csv", "json", "jsonl")


@click.command("demo-data")
@click.option(
    "--members",
    "n_members",
    type=click.IntRange(1, 1_000_000),
    default=2000,
    show_default=True,
    help="How many members the community has.",
)
@click.option(
    "--seed",
    type=int,
    default=7,
    show_default=True,
    help="Random seed: the same seed and day give the same community.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the import files and truth.json [default: <data-dir>/demo].",
)
@click.option(
    "--format",
    "fmt",
    type=Choice(FORMATS),
    default="csv",
    show_default=True,
    help="Format of the import files.",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing (and say so) when the store already has members.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write the demo into a store that already has members (those with the demo's ids, "
    "m000001 on, are overwritten).",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The demo's 'now': midnight UTC of this day [default: today].",
)
@pass_app
def demo_command(
    app: AppContext,
    n_members: int,
    seed: int,
    out: Path | None,
    fmt: str,
    if_empty: bool,
    force: bool,
    as_of: datetime | None,
) -> None:
    """Create a realistic indie music community and import it into the store.

    Members of every kind (bands, artists, session players, studios, venues, promoters,
    engineers, photographers, fans, ...) in towns of the UK, Ireland and North America,
    their needs and offers in their own words, and six months of interactions drawn from
    a hidden compatibility. The community is written to the --out folder as members, posts
    and interactions files, with truth.json beside them (each post's real intent and each
    member's hidden traits: load it with matcher.demo.DemoTruth.load to score matches), then
    imported like an organiser's files, with the same validation. Ids run m000001, p000001,
    i0000001. A store that already has members is left alone: with --force a second run
    upserts the same ids (the same seed on the same day changes nothing).
    """
    from matcher.demo import STEPS, generate, today
    from matcher.io import import_frames
    from matcher.progress import rich_progress

    app.creates_store = True
    stored = _member_count(app)
    if if_empty and stored > 0:
        app.out.print("the store already has members: no demo data created (--if-empty)")
        return
    if stored > 0 and not force:
        raise click.ClickException(
            f"the store already has {stored} members: the demo would overwrite those with its "
            "ids (m000001 on) and mix made-up people into a real community. Use an empty store "
            "(another --data-dir or MATCHER_DATABASE_URL), --if-empty to do nothing, or --force"
        )
    now = as_of.replace(tzinfo=UTC) if as_of else today()
    folder = out or app.settings.data_dir / "demo"
    # A bar on a terminal, plain lines in a log (matcher.progress.rich_progress).
    with rich_progress(app.console) as reporter:
        advance = reporter.task("demo community", len(STEPS) + 2)  # its steps, files, import
        community = generate(n_members, seed, now=now, progress=lambda _: advance(1))
        paths = community.write(folder, fmt)
        advance(1)
        try:
            result = import_frames(
                app.sessions,
                community.frames(),
                source=f"demo-data --members {n_members} --seed {seed} ({folder})",
                default_capacity=app.settings.default_capacity,
            )
        except ImportRejected as exc:  # e.g. --force over a demo member erased since
            for problem in exc.problems:
                click.echo(str(problem))
            raise
        advance(1)
    _summary(app, community, paths, result)


def _member_count(app: AppContext) -> int:
    from sqlalchemy import func, select

    from matcher.store import Member

    with app.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Member)) or 0)


def _summary(app: AppContext, community, paths: list[Path], result) -> None:
    counts = community.counts()
    kinds = community.members["kind"].value_counts()
    table = Table(title=f"demo community: {counts['members']} members (seed {community.seed})")
    table.add_column("kind")
    table.add_column("members", justify="right")
    for kind, n in kinds.items():
        table.add_row(str(kind), str(n))
    app.out.print(table)
    interactions = ", ".join(f"{k} {counts[k]}" for k in INTERACTION_KINDS if counts.get(k))
    app.out.print(f"needs: {counts['needs']}   offers: {counts['offers']}")
    detail = f" ({interactions})" if interactions else ""
    app.out.print(f"interactions: {counts['interactions']}{detail}")
    for path in paths:
        app.out.print(f"wrote {path}", markup=False)
    imported = "; ".join(
        f"{entity}: {c['inserted']} new, {c['updated']} updated, {c['unchanged']} unchanged"
        for entity, c in result.counts.items()
    )
    app.out.print(f"imported into {app.settings.database_shown}: {imported}", markup=False)
