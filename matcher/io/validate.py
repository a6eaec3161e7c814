"""Checks of every row of an import, against each other and the store, before any write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from matcher import geo
from matcher.domain import (
    INTERACTION_KINDS,
    MAX_CONTACT_LENGTH,
    MAX_COUNTRY_LENGTH,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_TEXT_LENGTH,
    MAX_TOWN_LENGTH,
    MEMBER_KINDS,
    OPENING_KINDS,
    POST_STATUSES,
    SIDES,
    closed_problem,
    future_problem,
    place_problem,
    post_problem,
)
from matcher.errors import RowProblem
from matcher.io import parse
from matcher.io.formats import Frames
from matcher.io.parse import Bad, Parser
from matcher.io.queries import CHUNK, file_rows, stored_rows
from matcher.io.schema import ABSENT, COLUMNS, ENTITIES, FILE, HAPPENED, REQUIRED, ROW
from matcher.place_warnings import unknown_country, unplaced_town
from matcher.store import Interaction, Member, Post, in_batches

# Each stored post's external id, side and owner's external id.
OWNED = select(Post.external_id, Post.side, Member.external_id).join(
    Member, Post.member_id == Member.id
)


def _tag_list(value: Any) -> Any:
    out = parse.tags(value)
    if isinstance(out, list) and len(out) > MAX_TAGS:
        return Bad(f"more than {MAX_TAGS} tags ({len(out)})")
    long = [t for t in out or () if len(t) > MAX_TAG_LENGTH] if isinstance(out, list) else []
    if long:
        return Bad(f"a tag is longer than {MAX_TAG_LENGTH} characters ({len(long[0])})")
    return out


_ID = parse.identifier(MAX_ID_LENGTH)
PARSERS: dict[str, dict[str, Parser]] = {
    "members": {
        "id": _ID,
        "name": parse.texts(MAX_NAME_LENGTH),
        "kind": parse.choice(MEMBER_KINDS),
        "town": parse.texts(MAX_TOWN_LENGTH),
        "country": parse.texts(MAX_COUNTRY_LENGTH),
        "latitude": parse.number(-90, 90),
        "longitude": parse.number(-180, 180),
        "tags": _tag_list,
        "bio": parse.texts(MAX_TEXT_LENGTH, one_line=False),
        "email": parse.email,
        "email_consent": parse.boolean,
        "contact": parse.texts(MAX_CONTACT_LENGTH),
        "share_contact": parse.boolean,
        "capacity": parse.count,
        "active": parse.boolean,
        "joined_at": parse.timestamp,
        "last_active_at": parse.timestamp,
        "unsubscribed_at": parse.timestamp,
        "erased_at": parse.timestamp,
    },
    "posts": {
        "id": _ID,
        "member_id": _ID,
        "side": parse.choice(SIDES),
        "text": parse.texts(MAX_TEXT_LENGTH, one_line=False),
        "tags": _tag_list,
        "status": parse.choice(POST_STATUSES),
        "created_at": parse.timestamp,
        "expires_at": parse.timestamp,
    },
    "interactions": {
        "id": _ID,
        "kind": parse.choice(INTERACTION_KINDS),
        "from_member_id": _ID,
        "to_member_id": _ID,
        "need_id": _ID,
        "offer_id": _ID,
        "occurred_at": parse.timestamp,
    },
}
assert all(tuple(PARSERS[e]) == COLUMNS[e] for e in ENTITIES)


@dataclass
class Rows:
    """The parsed rows of one entity (file column names, typed values, None when empty)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    origins: list[tuple[str, int]] = field(default_factory=list)  # (file, row) of each record
    # The columns the file of each record left out (not given: the stored values stay).
    absent: list[frozenset[str]] = field(default_factory=list)


@dataclass
class Checked:
    """An import after validation: its parsed rows, its problems, and warnings."""

    rows: dict[str, Rows]
    problems: list[RowProblem]
    warnings: list[str]


def validate(frames: Frames, session: Session, now: datetime) -> Checked:
    """Parse and check every row of `frames` (at time `now`); references may point into the
    store."""
    problems = list(frames.problems)
    whole_file = {(p.file, p.field) for p in frames.problems if p.row == 0}
    rows: dict[str, Rows] = {}
    warnings: list[str] = []
    for entity in ENTITIES:
        frame = frames.frame(entity)
        rows[entity] = _parse_rows(entity, frame, frames.columns_of, whole_file, problems)
        _check_duplicates(rows[entity], problems)
        _check_not_future(entity, rows[entity], now, problems)
        _check_together(entity, rows[entity], session, problems)
        if entity == "members":
            warnings.extend(_consent_without_address(rows[entity]))
            warnings.extend(_unknown_countries(rows[entity]))
            warnings.extend(_unknown_towns(rows[entity], session))
            warnings.extend(_likely_duplicates(rows[entity], session))
        for file in dict.fromkeys(frame[FILE].tolist() if FILE in frame.columns else []):
            extra = sorted(frames.columns_of.get(file, frozenset()) - {*COLUMNS[entity], FILE})
            if extra:
                warnings.append(f"{file}: ignored unknown column(s): {', '.join(extra)}")
    # The posts each interaction will be about: the file's, or, where its file leaves the
    # column out, the stored interaction's (which the import keeps).
    about = _posts_about(session, rows["interactions"])
    _check_references(rows, about, session, problems, frames.unread_ids)
    _check_closed_members(rows, session, now, problems)
    warnings.extend(_dated_before_their_posts(rows, about, session, now))
    order = {name: i for i, name in enumerate(dict.fromkeys(frames.sources))}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.file, p.row))
    return Checked(rows, problems, warnings)


def _parse_rows(
    entity: str,
    frame: pd.DataFrame,
    columns_of: dict[str, frozenset[str]],
    whole_file: set[tuple[str, str]],
    problems: list[RowProblem],
) -> Rows:
    n = len(frame)
    files = frame[FILE].tolist() if FILE in frame.columns else [entity] * n
    numbers = [int(r) for r in frame[ROW]] if ROW in frame.columns else range(1, n + 1)
    own = frozenset(str(c) for c in frame.columns)
    left_out = {f: frozenset(COLUMNS[entity]) - columns_of.get(f, own) for f in set(files)}
    per_record = frame[ABSENT].tolist() if ABSENT in frame.columns else [None] * n
    out = Rows(
        [{} for _ in range(n)],
        list(zip(files, numbers, strict=True)),
        [
            left_out[f] | (keys if isinstance(keys, frozenset) else frozenset())
            for f, keys in zip(files, per_record, strict=True)
        ],
    )
    found: dict[int, list[RowProblem]] = {}
    for column, parser in PARSERS[entity].items():
        values = frame[column].tolist() if column in frame.columns else [None] * n
        required = column in REQUIRED[entity]
        for i, value in enumerate(values):
            parsed = parser(value)
            if isinstance(parsed, Bad):
                found.setdefault(i, []).append(RowProblem(files[i], numbers[i], column, parsed))
                parsed = None
            elif parsed is None and required and (files[i], column) not in whole_file:
                reason = "missing id" if column == "id" else "required but empty"
                found.setdefault(i, []).append(RowProblem(files[i], numbers[i], column, reason))
            out.records[i][column] = parsed
    for i in sorted(found):
        problems.extend(found[i])
    return out


def _check_not_future(entity: str, rows: Rows, now: datetime, problems: list[RowProblem]) -> None:
    for record, (file, row) in zip(rows.records, rows.origins, strict=True):
        for column in HAPPENED[entity]:
            value = record.get(column)
            problem = future_problem(value, now) if value is not None else None
            if problem is not None:
                problems.append(RowProblem(file, row, column, problem))


def _check_together(entity: str, rows: Rows, session: Session, problems: list[RowProblem]) -> None:
    """Values that only make sense together: a place is a latitude and a longitude (one the
    row leaves out is the stored one, or none for a new member); a post cannot expire before
    it was written, nor a member be last active before they joined, where the row gives both.
    A value already reported (not a number, say)
    is not reported again as missing."""
    reported = {(p.file, p.row, p.field) for p in problems}
    one_given = {  # a member's row that gives one of the two keeps the other as stored
        record["id"]
        for record, absent in zip(rows.records, rows.absent, strict=True)
        if len(absent & {"latitude", "longitude"}) == 1 and record["id"] is not None
    }
    places = _stored_places(session, one_given)
    for record, absent, (file, row) in zip(rows.records, rows.absent, rows.origins, strict=True):
        if entity == "members" and not {"latitude", "longitude"} <= absent:
            already = {(file, row, "latitude"), (file, row, "longitude")} & reported
            stored = places.get(record["id"], (None, None))
            latitude, longitude = (
                stored[i] if column in absent else record[column]
                for i, column in enumerate(("latitude", "longitude"))
            )
            place = None if already else place_problem(latitude, longitude)
            if place is not None:
                problems.append(RowProblem(file, row, *place))
        if entity == "posts":
            created, expires = record.get("created_at"), record.get("expires_at")
            if created is not None and expires is not None and expires <= created:
                reason = f"{expires.isoformat()} is not after created_at ({created.isoformat()})"
                problems.append(RowProblem(file, row, "expires_at", reason))
        if entity == "members":
            joined, active = record.get("joined_at"), record.get("last_active_at")
            if joined is not None and active is not None and active < joined:
                reason = f"{active.isoformat()} is before joined_at ({joined.isoformat()})"
                problems.append(RowProblem(file, row, "last_active_at", reason))


def _stored_places(session: Session, ids: set[str]) -> dict[str, tuple[float | None, float | None]]:
    """The stored latitude and longitude of these members."""
    query = select(Member.external_id, Member.latitude, Member.longitude)
    return {key: (lat, lon) for key, lat, lon in _stored(session, query, ids)} if ids else {}


def _consent_without_address(rows: Rows) -> list[str]:
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


def _rows(found: list[int]) -> str:
    """Row numbers as a warning names them: the first five."""
    return ", ".join(map(str, found[:5])) + (", ..." if len(found) > 5 else "")


def _bounded(warnings: list[str], total: int, what: str) -> list[str]:
    """At most MAX_GROUP_WARNINGS of `total` warnings of one kind, and a count of the rest."""
    more = total - MAX_GROUP_WARNINGS
    return warnings[:MAX_GROUP_WARNINGS] + ([f"... and {more} more {what}"] if more > 0 else [])


# At most this many warnings of one kind name their groups; a count says how many more.
MAX_GROUP_WARNINGS = 20


def _unknown_countries(rows: Rows) -> list[str]:
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


def _unknown_towns(rows: Rows, session: Session) -> list[str]:
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
    stored = _stored_places(session, {u[0] for u in unplaced if u[0] is not None})
    rows_of: dict[tuple[str, str, str], list[int]] = {}
    for member_id, file, row, town, country in unplaced:
        if stored.get(member_id, (None, None))[0] is None:
            rows_of.setdefault((file, town, country), []).append(row)
    warnings = [
        f"{file}: {unplaced_town(town, country, f' (row {_rows(found)})')}"
        for (file, town, country), found in list(rows_of.items())[:MAX_GROUP_WARNINGS]
    ]
    return _bounded(warnings, len(rows_of), "towns like them")


def _likely_duplicates(rows: Rows, session: Session) -> list[str]:
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


def _same(value: str) -> str:
    """A name or an address as two sign-ups of one person would share it: any case, spacing."""
    return " ".join(value.split()).casefold()


def _check_duplicates(rows: Rows, problems: list[RowProblem]) -> None:
    first: dict[str, tuple[str, int]] = {}
    for record, (file, row) in zip(rows.records, rows.origins, strict=True):
        key = record["id"]
        if key is None:
            continue
        if key in first:
            where = "{}:{}".format(*first[key])
            problems.append(RowProblem(file, row, "id", f"duplicate id {key!r} (first at {where})"))
        else:
            first[key] = (file, row)


def _check_references(
    rows: dict[str, Rows],
    about: list[dict[str, str | None]],
    session: Session,
    problems: list[RowProblem],
    unread: dict[str, set[str] | None] | None = None,
) -> None:
    """Every member and post a row names is in the files or the store (`about`: the posts of
    each interaction, `_posts_about`); a name of a row that
    could not be read (`unread`: ids by entity, None where not known) is not "unknown": that
    row is the problem."""
    unread = unread or {}
    members = {r["id"] for r in rows["members"].records if r["id"] is not None}
    wanted = {
        r[c]
        for entity, columns in (
            ("posts", ("member_id",)),
            ("interactions", ("from_member_id", "to_member_id")),
        )
        for r in rows[entity].records
        for c in columns
        if r[c] is not None and r[c] not in members
    }
    members |= {r[0] for r in _stored(session, select(Member.external_id), wanted)}
    posts = {
        r["id"]: (r["side"], r["member_id"]) for r in rows["posts"].records if r["id"] is not None
    }
    wanted = {
        about[i][c]
        for i in range(len(about))
        for c in ("need_id", "offer_id")
        if about[i][c] is not None and about[i][c] not in posts
    }
    posts |= {key: (side, owner) for key, side, owner in _stored(session, OWNED, wanted)}

    def check(entity: str, column: str, known: Iterable[str], what: str) -> None:
        not_read = unread.get(f"{what}s", set())
        if not_read is None:  # any of them may be in a row that could not be read
            return
        for record, (file, row) in zip(rows[entity].records, rows[entity].origins, strict=True):
            key = record[column]
            if key is not None and key not in known and key not in not_read:
                reason = f"unknown {what} {key!r} (not in the files or the store)"
                problems.append(RowProblem(file, row, column, reason))

    for record, (file, row) in zip(
        rows["interactions"].records, rows["interactions"].origins, strict=True
    ):
        if (
            record["from_member_id"] is not None
            and record["from_member_id"] == record["to_member_id"]
        ):
            reason = "the same member as from_member_id: an interaction is between two members"
            problems.append(RowProblem(file, row, "to_member_id", reason))
    check("posts", "member_id", members, "member")
    check("interactions", "from_member_id", members, "member")
    check("interactions", "to_member_id", members, "member")
    for column, side in (("need_id", "need"), ("offer_id", "offer")):
        check("interactions", column, posts, "post")
        for record, posted, (file, row) in zip(
            rows["interactions"].records, about, rows["interactions"].origins, strict=True
        ):
            post_id = posted[column]
            found = posts.get(post_id) if post_id is not None else None
            if found is None or None in found:  # a post whose own row has a problem
                continue
            reason = post_problem(
                record["kind"] or "",
                side,
                post_id,
                *found,
                record["from_member_id"],
                record["to_member_id"],
            )
            if reason:
                problems.append(RowProblem(file, row, column, reason))
    _check_stored_interactions(rows, session, problems)


def _check_stored_interactions(
    rows: dict[str, Rows], session: Session, problems: list[RowProblem]
) -> None:
    """A post the import changes must still be what the stored interactions about it need
    (a need of their seeker, an offer of their helper): moving it to another side or member
    would leave them wrong, and the store's own export could not be imported again. The
    interactions the import itself gives are checked above, with their new values."""
    imported = {
        r["id"]: (r, origin)
        for r, origin in zip(rows["posts"].records, rows["posts"].origins, strict=True)
        if r["id"] is not None and r["side"] is not None and r["member_id"] is not None
    }
    stored = {key: (side, owner) for key, side, owner in _stored(session, OWNED, set(imported))}
    moved = sorted(
        key
        for key, (record, _) in imported.items()
        if key in stored and stored[key] != (record["side"], record["member_id"])
    )
    given = {r["id"] for r in rows["interactions"].records if r["id"] is not None}
    query, _ = file_rows("interactions")  # store id, then the file's columns
    wrong: dict[str, list[tuple[str, str, str]]] = {}  # post id: (interaction, field, reason)
    for part in in_batches(moved, CHUNK):
        ids = select(Post.id).where(Post.external_id.in_(part))
        found = session.execute(
            query.where(Interaction.need_post_id.in_(ids) | Interaction.offer_post_id.in_(ids))
        )
        for _, key, kind, from_member, to_member, need_id, offer_id, _ in found:
            if key in given:
                continue
            for post_id, side in ((need_id, "need"), (offer_id, "offer")):
                if post_id not in imported:
                    continue
                record = imported[post_id][0]
                reason = post_problem(
                    kind, side, post_id, record["side"], record["member_id"], from_member, to_member
                )
                if reason:
                    field_at_fault = "side" if record["side"] != side else "member_id"
                    wrong.setdefault(post_id, []).append((key, field_at_fault, reason))
    for post_id, found_wrong in wrong.items():
        file, row = imported[post_id][1]
        key, column, reason = min(found_wrong)
        more = f" (and {len(found_wrong) - 1} more)" if len(found_wrong) > 1 else ""
        problems.append(
            RowProblem(file, row, column, f"stored interaction {key!r}{more} is about it: {reason}")
        )


def _check_closed_members(
    rows: dict[str, Rows], session: Session, now: datetime, problems: list[RowProblem]
) -> None:
    """Nobody is shown or contacted, nor shows or contacts anyone, after they closed (as the
    API refuses it): a member the import closes is closed from `now`, one it reopens is
    not; one it leaves as stored is closed since their stored `closed_at`. Rows stored as
    they are (a whole file imported again) are not checked again: an earlier release did
    not check imports."""
    opening = [
        (record, origin)
        for record, origin in zip(
            rows["interactions"].records, rows["interactions"].origins, strict=True
        )
        if record["kind"] in OPENING_KINDS and record["occurred_at"] is not None
    ]
    stored = stored_rows(session, "interactions", {r["id"] for r, _ in opening})
    columns = COLUMNS["interactions"]
    opening = [
        (r, o)
        for r, o in opening
        if r["id"] not in stored or any(stored[r["id"]][c] != r[c] for c in columns)
    ]
    if not opening:
        return
    wanted = {r[c] for r, _ in opening for c in ("from_member_id", "to_member_id")} - {None}
    query = select(Member.external_id, Member.active, Member.closed_at)
    state = {key: (active, closed_at) for key, active, closed_at in _stored(session, query, wanted)}
    members = rows["members"]
    for record, absent in zip(members.records, members.absent, strict=True):
        if record["id"] in wanted and "active" not in absent and record["active"] is not None:
            if record["active"]:
                state[record["id"]] = (True, None)
            elif state.get(record["id"], (True, None))[0]:  # closed by this import
                state[record["id"]] = (False, now)
    for record, (file, row) in opening:
        for column in ("from_member_id", "to_member_id"):
            if record[column] not in state:
                continue  # unknown: said by the reference checks
            active, closed_at = state[record[column]]
            reason = closed_problem(record[column], active, closed_at, record["occurred_at"])
            if reason:
                problems.append(RowProblem(file, row, column, reason))


def _dated_before_their_posts(
    rows: dict[str, Rows], about: list[dict[str, str | None]], session: Session, now: datetime
) -> list[str]:
    """A warning for each file of interactions dated before the need or offer they name was
    posted: the features of an event read only what was known before it, so such help teaches
    the ranker nothing. Usually the posts' created_at was left out, and they are dated at
    their import. `about`: the need and offer of each interaction (`_posts_about`)."""
    interactions = rows["interactions"]
    wanted = {post for posts in about for post in posts.values()} - {None}
    if not wanted:
        return []
    query = select(Post.external_id, Post.created_at)
    posted = dict(_stored(session, query, wanted))
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


def _posts_about(session: Session, interactions: Rows) -> list[dict[str, str | None]]:
    """The need and offer (external ids) each interaction of the import will be about."""
    columns = ("need_id", "offer_id")
    about = [{c: r[c] for c in columns} for r in interactions.records]
    kept = {
        r["id"]: i
        for i, (r, absent) in enumerate(zip(interactions.records, interactions.absent, strict=True))
        if r["id"] is not None and absent & set(columns)
    }
    if kept:
        need, offer = aliased(Post), aliased(Post)
        query = (
            select(Interaction.external_id, need.external_id, offer.external_id)
            .outerjoin(need, Interaction.need_post_id == need.id)
            .outerjoin(offer, Interaction.offer_post_id == offer.id)
        )
        for key, need_id, offer_id in _stored(session, query, set(kept)):
            absent = interactions.absent[kept[key]]
            for column, stored in zip(columns, (need_id, offer_id), strict=True):
                if column in absent:
                    about[kept[key]][column] = stored
    return about


def _stored(session: Session, query: Any, wanted: set[str]) -> list[Any]:
    """The rows of `query` (its first column an external id) for the ids in `wanted`."""
    key = query.selected_columns[0]
    out: list[Any] = []
    ordered = sorted(wanted)
    for part in in_batches(ordered, CHUNK):
        out.extend(tuple(r) for r in session.execute(query.where(key.in_(part))))
    return out
