"""The `members` commands: the organiser finds members and reads one member's record."""

from __future__ import annotations

import json

import click
from rich.table import Table

from matcher.cli.context import AppContext, Choice, pass_app
from matcher.domain import MEMBER_KINDS, MEMBER_STATUSES
from matcher.explain import counted


@click.group("members")
def members_group() -> None:
    """Find members and read one member's record (the organiser's view: private fields too)."""


@members_group.command("list")
@click.argument("text", required=False, metavar="[TEXT]")
@click.option("--kind", type=Choice(MEMBER_KINDS), help="Only members of this kind.")
@click.option("--town", help="Only members in this town (any case).")
@click.option(
    "--status",
    type=Choice(MEMBER_STATUSES),
    default="active",
    show_default=True,
    help="Closed members closed their membership; erased ones asked to be erased.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Show at most this many members (the first added to the store).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the members as JSON.")
@pass_app
def list_members_command(
    app: AppContext,
    text: str | None,
    kind: str | None,
    town: str | None,
    status: str,
    limit: int,
    as_json: bool,
) -> None:
    """List the members whose id or name holds TEXT (any case; all when left out), in the
    order they were added: kind, town, whether the weekly email reaches them (and if not,
    why), their open needs and offers and how often they helped."""
    from matcher.roster import find_members

    with app.sessions() as session:
        roster = find_members(session, text, kind=kind, town=town, status=status, limit=limit)
    if as_json:
        click.echo(json.dumps({"members": roster.members, "total": roster.total}, indent=2))
        return
    if not roster.total:
        app.out.print("no members match", markup=False)
        return
    shown = len(roster.members)
    more = f" (the first {shown}: --limit shows more)" if shown < roster.total else ""
    table = Table(title=f"{roster.total} members{more}")
    for column in ("id", "name", "kind", "town", "status", "emails"):
        table.add_column(column)
    for column in ("needs", "offers", "helped"):
        table.add_column(column, justify="right")
    for m in roster.members:
        table.add_row(
            m["id"],
            m["name"],
            m["kind"],
            m["town"] or "",
            m["status"],
            m["emails"],
            str(m["open_needs"]),
            str(m["open_offers"]),
            str(m["helped"]),
        )
    app.out.print(table)


@members_group.command("show")
@click.argument("member_id", metavar="MEMBER_ID")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@pass_app
def show_member_command(app: AppContext, member_id: str, as_json: bool) -> None:
    """Everything the store holds about MEMBER_ID: profile with email and contact, posts
    (newest first), interactions by and to them, and their weekly emails."""
    from matcher.roster import member_record

    with app.sessions() as session:
        record = member_record(session, member_id)
    if as_json:
        click.echo(json.dumps(record, indent=2))
        return
    profile = Table(title=f"{record['id']}: {record['name']}", show_header=False)
    profile.add_column("field", style="bold")
    profile.add_column("value", overflow="fold")
    for field in (
        "kind", "status", "emails", "email", "contact", "share_contact", "town", "country",
        "tags", "bio", "capacity", "joined_at", "last_active_at", "unsubscribed_at", "closed_at",
        "erased_at",
    ):  # fmt: skip
        value = record[field]
        if isinstance(value, list):
            value = ", ".join(value)
        profile.add_row(field, "" if value is None else str(value))
    app.out.print(profile)
    posts = Table(title=f"{len(record['posts'])} posts")
    for column in ("id", "side", "status", "created", "tags", "text"):
        posts.add_column(column, overflow="fold")
    for p in record["posts"]:
        text = p["text"] if len(p["text"]) <= 120 else p["text"][:119] + "…"
        posts.add_row(
            p["id"], p["side"], p["status"], p["created_at"][:10], ", ".join(p["tags"]), text
        )
    app.out.print(posts)
    for side, title in (("by_them", "by them"), ("to_them", "to them")):
        counts = record["interactions"][side]
        said = ", ".join(f"{kind} {n}" for kind, n in counts.items()) or "none"
        app.out.print(f"interactions {title}: {said}", markup=False)
    emails = record["weekly_emails"]
    weeks = (
        ", ".join(
            f"{w['week']} {w['status']}"
            + (f" ({w['why']})" if w.get("why") else "")
            + (f": {', '.join(w['suggested'])}" if w["suggested"] else "")
            for w in emails["weeks"]
        )
        or "none"
    )
    app.out.print(
        f"weekly emails sent: {emails['sent']} (last {emails['last_sent_at'] or 'never'}); "
        f"latest weeks: {weeks}",
        markup=False,
    )
    shown = emails["suggested_to_others"]
    app.out.print(
        f"suggested in others' weekly emails: {counted(shown['times'], 'time')}"
        + (f" (last {shown['last_week']})" if shown["last_week"] else ""),
        markup=False,
    )
