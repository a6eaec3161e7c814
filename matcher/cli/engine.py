"""Commands of the match engine: `build`, `builds`, `match`."""

from __future__ import annotations

import json

import click
from rich.table import Column, Table

from matcher.cli.context import FOUND_FROM_HERE, AppContext, Choice, pass_app
from matcher.domain import MAX_MATCH_LIMIT, MEMBER_KINDS
from matcher.explain import counted


@click.command("build")
@click.option(
    "--if-stale",
    is_flag=True,
    help="Do nothing when the current build was made from exactly this store, with this "
    "encoder and this release's pair features, and its files are whole.",
)
@pass_app
def build_command(app: AppContext, if_stale: bool) -> None:
    """Build a model from the store and make it current.

    Encodes new or changed texts (others come from the cache), finds each open need's
    candidates, trains the ranker when there are enough labelled outcomes, and writes
    models/<build-id>/ with a manifest, then switches models/current to it atomically.
    Old builds beyond MATCHER_KEEP_BUILDS (default 10; 0 keeps all) are then deleted,
    never the current one.
    """
    from matcher.build import build_model, current_build_damage, current_build_matches
    from matcher.progress import rich_progress

    if if_stale and (current := current_build_matches(app.sessions, app.settings)):
        app.out.print(f"build {current} is up to date with the store: nothing to do")
        return
    if if_stale and (damage := current_build_damage(app.settings)):  # why it is stale
        app.out.print(f"the current build is {damage}: building anew", markup=False)
    with rich_progress(app.console) as reporter:
        result = build_model(app.sessions, app.encoder, app.settings, reporter=reporter)
    m = result.manifest
    enc = m["encoding"]
    app.out.print(f"build [bold]{result.build_id}[/bold] -> {result.folder}")
    if not result.current:
        app.out.print(
            "  [yellow]not made current[/yellow]: a build of a later snapshot, run at the same "
            "time, finished first and stays current"
        )
    app.out.print(
        f"  {m['corpus']['members']} members, {m['corpus']['needs']} open needs, "
        f"{m['corpus']['offers']} open offers, {m['corpus']['helped']} help-history texts"
    )
    rate = f" ({enc['texts_per_second']} texts/s)" if enc["texts_per_second"] else ""
    encoded = counted(enc["encoded"], "new text")
    app.out.print(f"  encoded {encoded}{rate}, {enc['from_cache']} from cache")
    app.out.print(f"  ranker: {m['ranker']['reason']}")
    app.out.print(f"  took {m['timings']['total_seconds']:.1f} s")
    from matcher.language import build_warning

    warning = build_warning(result.folder, app.settings.encoder)
    if warning:
        app.out.print(f"  [yellow]warning[/yellow]: {warning}", highlight=False)
    if app.settings.keep_builds:
        from matcher.artifacts import remove_builds

        removed = remove_builds(app.settings.models_dir, app.settings.keep_builds)
        if removed:
            app.out.print(
                f"  deleted {counted(len(removed), 'build')} (MATCHER_KEEP_BUILDS="
                f"{app.settings.keep_builds}): {', '.join(removed)}",
                markup=False,
                highlight=False,
            )


@click.command("builds")
@click.option(
    "--use",
    "use",
    metavar="BUILD_ID",
    help="Make this build current (e.g. go back to an earlier one); a running server switches "
    "to it without dropping requests.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    metavar="N",
    help="Delete every build but the newest N and the current one (each build holds all the "
    "vectors: they add up).",
)
@pass_app
def builds_command(app: AppContext, use: str | None, keep: int | None) -> None:
    """List the model builds in the models folder, newest first; switch to one (--use); or
    delete old ones (--keep).

    A build that cannot be read, or whose files are missing or not the size they were
    written with, is listed as such, so that it can be found and removed.
    """
    from matcher.artifacts import list_builds, remove_builds, switch_current
    from matcher.index import BuildIndex

    if use is not None and keep is not None:
        raise click.UsageError("give either --use or --keep, not both")
    if keep is not None:
        removed = remove_builds(app.settings.models_dir, keep)
        app.out.print(f"deleted {counted(len(removed), 'build')}: {', '.join(removed) or 'none'}")
        return
    if use is not None:
        BuildIndex.load(app.settings.models_dir, use)  # refuses a damaged or foreign build
        switch_current(app.settings.models_dir, use)
        app.out.print(f"current build: {use}", markup=False, highlight=False)
        return
    found = list_builds(app.settings.models_dir)
    if not found:
        app.console.print(
            f"no builds in {app.settings.models_dir.resolve()}: `matcher build` makes one "
            f"(builds are {FOUND_FROM_HERE})",
            markup=False,
            highlight=False,
        )
        return
    width = max((len(b["build_id"]) for b in found), default=5)
    # The id is what --build takes: never cut short, whatever the terminal's width.
    build = Column("build", no_wrap=True, min_width=width)
    # No borders: the seven columns fit a terminal of 80 (a bordered table cut them short).
    table = Table(
        build,
        "current",
        "members",
        "needs",
        "offers",
        "encoder",
        "ranker",
        box=None,
        header_style="bold underline",
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    unreadable = [b for b in found if "unreadable" in b]
    for b in found:
        if b in unreadable:
            continue
        table.add_row(
            b["build_id"],
            "yes" if b["current"] else "",
            str(b["corpus"]["members"]),
            str(b["corpus"]["needs"]),
            str(b["corpus"]["offers"]),
            b["encoder"]["name"],
            "learned" if b["ranker"]["used"] else "content",
        )
    app.out.print(table)
    for b in unreadable:
        current = " (current)" if b["current"] else ""
        app.out.print(f"{b['build_id']}{current}: {b['unreadable']}", markup=False)


@click.command("match")
@click.argument("member_id", required=False)
@click.option("--text", help="Match a need typed in words instead of a member's needs.")
@click.option("--tag", "tags", multiple=True, help="Tag of the typed need (repeatable).")
@click.option(
    "--near",
    "near",
    help='Town of the typed need ("Leeds"; "London, Canada" or "London, ON" with its country '
    "or province).",
)
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_MATCH_LIMIT),
    default=10,
    show_default=True,
    help="How many matches.",
)
@click.option(
    "--direction",
    type=Choice(["helps_you", "you_help", "both"]),
    default="helps_you",
    show_default=True,
    help="Who could help the member, whom the member could help, or both.",
)
@click.option("--kind", type=Choice(MEMBER_KINDS), help="Only members of this kind.")
@click.option(
    "--town",
    help='Only members in this town; "London, GB" also names the country, "London, ON" the '
    "state or province (members who gave no country pass).",
)
@click.option(
    "--only-tag",
    help="Only members with this tag: of what they can do in who could help (a search too), "
    "of what they need with --direction you_help, either with both.",
)
@click.option(
    "--mutual/--one-way",
    "mutual",
    default=None,
    help="Only mutual matches, or only one-way ones (default: both).",
)
@click.option(
    "--as",
    "searcher",
    metavar="MEMBER_ID",
    help="With --text: the member who searches; they are not listed, nor whom they are kept "
    "apart from by a block or report.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--build", "build", default="current", show_default=True, help="Build to use.")
@pass_app
def match_command(
    app: AppContext,
    member_id: str | None,
    text: str | None,
    tags: tuple[str, ...],
    near: str | None,
    limit: int,
    direction: str,
    kind: str | None,
    town: str | None,
    only_tag: str | None,
    mutual: bool | None,
    searcher: str | None,
    as_json: bool,
    build: str,
) -> None:
    """Print the members who could help MEMBER_ID (or with --text, a typed need), with reasons.

    A member's needs take turns (the `for` column says which post a match is for): each need
    gets its best match before any gets its second, so the scores do not fall in one order.
    A score of 0.5 is a typical candidate's: those below are listed after, and the weekly
    email leaves them out (MATCHER_DIGEST_MIN_SCORE).

    \b
    Examples:
      matcher match m000042
      matcher match m000042 --direction both --mutual
      matcher match --text "our band needs a drummer" --near Leeds
      matcher match --text "a J-card designer" --as m000042
    """
    from matcher.embed import LazyEncoder
    from matcher.engine import Matcher
    from matcher.filters import Filters, anyone_in
    from matcher.geo import place_label, reads_miles
    from matcher.index import BuildIndex
    from matcher.wording import describe, worth_saying

    if text is not None and not text.strip():
        raise click.UsageError("--text is empty: type the need in words")
    for option, value in (("--near", near), ("--town", town), ("--only-tag", only_tag)):
        if value is not None and not value.strip():  # as the API refuses it, not ignored
            raise click.UsageError(f"{option} is empty: leave it out, or name one")
    if bool(member_id) == bool(text):
        raise click.UsageError("give either a MEMBER_ID or --text")
    if searcher and not text:
        raise click.UsageError("--as names who searches with --text")
    # Options of the other kind of list are refused, as the API refuses them, not ignored
    # (`match m1 --near Boston` printed m1's own list; `--text ... --direction you_help`
    # printed who could help with the text).
    if member_id and (tags or near is not None):
        raise click.UsageError(
            "--tag and --near describe a typed need (--text); a member's matches read their "
            "own tags and town (--only-tag and --town filter whom they list)"
        )
    if text and (direction != "helps_you" or mutual is not None):
        raise click.UsageError(
            "--direction and --mutual/--one-way are for a MEMBER_ID's matches: a typed need "
            "lists who could help with it, one way"
        )
    index = BuildIndex.load(app.settings.models_dir, build)
    # Loaded only if a text must be encoded (--text, a post not yet in the cache): a member's
    # matches are read from the build, and loading the model would take most of the time.
    # The build's own encoder, as the API serves it (`serving.CurrentMatcher`): texts are
    # compared only with vectors of the same encoder, whatever MATCHER_ENCODER says here.
    built_with = index.manifest["encoder"]
    encoder = LazyEncoder(built_with["name"], int(built_with["dim"]), app.settings)
    matcher = Matcher(index, app.sessions, app.settings, encoder=encoder)
    filters = Filters(kind=kind, tag=only_tag, town=town, mutual=mutual)
    if member_id:
        matches = matcher.for_member(member_id, limit=limit, direction=direction, filters=filters)
        with app.sessions() as session:  # the table names a country only if not theirs
            seeker = matcher.view.member_by_external_id(session, member_id)
            home, miles = seeker.country, reads_miles(seeker.country, seeker.town)
    else:
        matches = matcher.for_text(
            text, tags=tags, town=near, limit=limit, filters=filters, searcher=searcher
        )
        home = matcher.view.typed_place(near)[1]
        miles = reads_miles(home, near)
        if near and not matcher.view.knows_place(near):
            app.console.print(
                f"warning: no member is in {near!r} and it is no town the gazetteer knows"
                " (of 5,000 people or more): the need is matched as if it had no town",
                style="yellow",
                markup=False,
            )
    if as_json:
        payload = {"build": index.build_id, "matches": [m.as_dict() for m in matches]}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not matches:
        app.out.print(_no_matches(bool(member_id), direction, filters))
        if filters.town and not anyone_in(matcher.view, filters.town):
            app.out.print(f"(no member is in {filters.town!r}: is it spelt as they write it?)")
        return
    # A member's posts take turns in the list, so its scores are not in order: `for` says
    # which of their posts each row answers (a typed need has one: nothing to say).
    answering = bool(member_id)
    table = Table("#", "member", "kind", "town", "score", "why", show_lines=True)
    if answering:
        table.add_column("for", no_wrap=True)
    for rank, m in enumerate(matches, 1):
        why = "\n".join(describe(r, miles=miles) for r in worth_saying(m.reasons))
        flag = " [green](mutual)[/green]" if m.mutual else ""
        cells = [
            str(rank),
            f"{m.name}{flag}\n[dim]{m.member_id}[/dim]",
            m.kind,
            place_label(m.town, m.country, home) or "",
            f"{m.score:.3f}",
            why,
        ]
        table.add_row(*cells, *([post_label(m.answers)] if answering else []))
    app.out.print(table)


def post_label(answers: dict | None) -> str:
    """The seeker's post a match answers, as `members show` lists posts: its side and id."""
    if not answers:
        return ""
    side, post = next(iter(answers.items()))
    return f"{side} {post['id']}" if post.get("id") else side


def _no_matches(for_member: bool, direction: str, filters) -> str:
    """What an empty list of matches means, and what else to try."""
    if any(v is not None for v in (filters.kind, filters.tag, filters.town, filters.mutual)):
        return "no matches with these filters"
    said = "no matches"
    other = {"helps_you": "you_help", "you_help": "helps_you"}.get(direction)
    if not for_member or other is None:
        return said
    whom = "who could help them" if direction == "helps_you" else "whom they could help"
    lacking = "need" if direction == "helps_you" else "offer"
    return f"{said} {whom} (no open {lacking}?); try --direction {other} or both"
