"""Warnings of an import: what is not a problem but likely a mistake (a misspelt country, a
member signed up twice, help dated before the need it met), each kind said in few lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import geo
from matcher.io.queries import by_external_ids, stored_places
from matcher.io.rows import Rows
from matcher.place_warnings import unknown_country, unplaced_town
from matcher.store import Member, Post

# At most this many warnings of one kind name their groups; a count says how many more.
MAX_GROUP_WARNINGS = 20


def consent_without_address(rows: Rows) -> list[str]:
    """Warnings for members who want the weekly email but whose row gives no address (not a
    problem: the address may come later; until then the digest skips them)."""
    rows_of: dict[str, list[int]] = {}
    for record, absent, (file, row) in zip(rows.records, rows.absent, rows.origins, strict=True):
        wants = record.get("email_consent") is True
        if wants and record.get("email") is None and "email" not in absent:
            rows_of.setdefault(file, []).append(row)
    return [
        f"{file}: {len(found)} member(s) want the weekly email but have no address (row "
        f"{_rows(found)}); the digest skips them until they have one"
        for file, found in rows_of.items()
    ]


def unknown_countries(rows: Rows) -> list[str]:
    """Warnings for countries that neither ISO 3166 nor the usual names know ("Englan"): not
    a problem (a member may write a place their way), but members of one town whose
    countries differ are not in the same town, so a misspelt one cuts them off."""
    rows_of: dict[tuple[str, str], list[int]] = {}
    for record, (file, row) in zip(rows.records, rows.origins, strict=True):
        country = record.get("country")
        if country and not geo.known_country(country):
            rows_of.setdefault((file, country), []).append(row)
    warnings = [
        f"{file}: {unknown_country(country, f' (row {_rows(found)})')}"
        for (file, country), found in list(rows_of.items())[:MAX_GROUP_WARNINGS]
    ]
    return _bounded(warnings, len(rows_of), "countries like them")


def unknown_towns(rows: Rows, session: Session) -> list[str]:
    """Warnings for towns that no town of 5,000 people or more is called, by any of its
    names, for members with no coordinates (none in the row, nor stored where the file has no
    such columns): not a problem (a village is no listed town), but such a member is placed
    nowhere, so nobody counts as near them but members who wrote the same town."""
    unplaced = []  # (id when the file keeps the stored place, file, row, town, country)
    for record, absent, (file, row) in zip(rows.records, rows.absent, rows.origins, strict=True):
        if record.get("latitude") is None:
            unlisted = geo.unlisted_town(record.get("town"), record.get("country"))
            if unlisted:
                keeps_stored = {"latitude", "longitude"} <= absent
                unplaced.append((record["id"] if keeps_stored else None, file, row, *unlisted))
    stored = stored_places(session, {u[0] for u in unplaced if u[0] is not None})
    rows_of: dict[tuple[str, str, str], list[int]] = {}
    for member_id, file, row, town, country in unplaced:
        if stored.get(member_id, (None, None))[0] is None:
            rows_of.setdefault((file, town, country), []).append(row)
    warnings = [
        f"{file}: {unplaced_town(town, country, f' (row {_rows(found)})')}"
        for (file, town, country), found in list(rows_of.items())[:MAX_GROUP_WARNINGS]
    ]
    return _bounded(warnings, len(rows_of), "towns like them")


def likely_duplicates(rows: Rows, session: Session) -> list[str]:
    """Warnings for members who look like one person signed up twice (a web form's double
    submission): other ids with the same address, or with the same name in any case and
    spacing, among the open members of the files and the store (closing one of the two, as
    docs/formats.md advises, ends the warning). Not a problem: a couple may share an
    address, two people a name; but a duplicate takes the real member's place in others'
    lists. The store's open members are read once (not a query per name)."""
    groups: dict[tuple[str, str], dict[str, str]] = {}  # (what, key) -> id -> where
    first_file: dict[tuple[str, str], str] = {}
    in_files: set[str] = set()
    for record, (file, row) in zip(rows.records, rows.origins, strict=True):
        if record["id"] is None:
            continue
        in_files.add(record["id"])
        if record.get("active") is False:
            continue
        for what, value in (("address", record.get("email")), ("name", record.get("name"))):
            if value:
                key = (what, _same(value))
                groups.setdefault(key, {})[record["id"]] = f"{record['id']} (row {row})"
                first_file.setdefault(key, file)
    if groups:
        stored = session.execute(
            select(Member.external_id, Member.email, Member.name).where(Member.active.is_(True))
        )
        for external_id, email, name in stored:
            if external_id in in_files:  # the file's row says what they are now
                continue
            for what, value in (("address", email), ("name", name)):
                key = (what, _same(value or ""))
                if key in groups:
                    groups[key].setdefault(external_id, f"{external_id} (stored)")
    warnings = []
    for (what, key), ids in groups.items():
        if len(ids) > 1:
            shown = ", ".join(sorted(ids.values()))
            warnings.append(
                f"{first_file[(what, key)]}: members {shown} have the same {what}, {key!r}: "
                "one person signed up twice? (imported all the same)"
            )
    return _bounded(warnings, len(warnings), "such groups")


def dated_before_their_posts(
    rows: dict[str, Rows], about: list[dict[str, str | None]], session: Session, now: datetime
) -> list[str]:
    """A warning for each file of interactions dated before the need or offer they name was
    posted: the features of an event read only what was known before it, so such help teaches
    the ranker nothing. Usually the posts' created_at was left out, and they are dated at
    their import. `about`: the need and offer of each interaction (`references.posts_about`)."""
    interactions = rows["interactions"]
    wanted = {post for posts in about for post in posts.values()} - {None}
    if not wanted:
        return []
    query = select(Post.external_id, Post.created_at)
    posted = dict(by_external_ids(session, query, wanted))
    for record in rows["posts"].records:
        if record["id"] in wanted and (record["created_at"] or record["id"] not in posted):
            posted[record["id"]] = record["created_at"] or now  # as the import dates it
    early: dict[str, list[str]] = {}
    records = zip(interactions.records, interactions.origins, about, strict=True)
    for record, (file, row), posts in records:
        when = record["occurred_at"]
        late = [(c, p) for c, p in posts.items() if p in posted and when and when < posted[p]]
        if late:
            column, post = late[0]
            early.setdefault(file, []).append(
                f"row {row}: {record['id']!r} at {when.isoformat()}, {column} {post!r} posted "
                f"{posted[post].isoformat()}"
            )
    return [
        f"{file}: {len(found)} interaction(s) dated before the need or offer they name was "
        f"posted (the first, {found[0]}): the ranker cannot learn from them, so `matcher "
        "build` does not count them among the labelled outcomes it trains on, accepted or "
        "helped as they are. Posts imported without created_at are dated at their import: give the "
        "posts they name a created_at before the interactions and import them again "
        "(docs/formats.md)"
        for file, found in early.items()
    ]


def _rows(found: list[int]) -> str:
    """Row numbers as a warning names them: the first five."""
    return ", ".join(map(str, found[:5])) + (", ..." if len(found) > 5 else "")


def _bounded(warnings: list[str], total: int, what: str) -> list[str]:
    """At most MAX_GROUP_WARNINGS of `total` warnings of one kind, and a count of the rest."""
    more = total - MAX_GROUP_WARNINGS
    return warnings[:MAX_GROUP_WARNINGS] + ([f"... and {more} more {what}"] if more > 0 else [])


def _same(value: str) -> str:
    """A name or an address as two sign-ups of one person would share it: any case, spacing."""
    return " ".join(value.split()).casefold()
