"""Checks of what an import's rows name: members and posts in the files or the store, posts
of the right side and member, and no interaction with a member after they closed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from matcher.domain import OPENING_KINDS, closed_problem, post_problem
from matcher.errors import RowProblem
from matcher.io.queries import CHUNK, by_external_ids, file_rows, stored_rows
from matcher.io.rows import Rows
from matcher.io.schema import COLUMNS
from matcher.store import Interaction, Member, Post, in_batches

# Each stored post's external id, side and owner's external id.
OWNED = select(Post.external_id, Post.side, Member.external_id).join(
    Member, Post.member_id == Member.id
)


def posts_about(session: Session, interactions: Rows) -> list[dict[str, str | None]]:
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
        for key, need_id, offer_id in by_external_ids(session, query, set(kept)):
            absent = interactions.absent[kept[key]]
            for column, stored in zip(columns, (need_id, offer_id), strict=True):
                if column in absent:
                    about[kept[key]][column] = stored
    return about


def check_references(
    rows: dict[str, Rows],
    about: list[dict[str, str | None]],
    session: Session,
    problems: list[RowProblem],
    unread: dict[str, set[str] | None] | None = None,
) -> None:
    """Every member and post a row names is in the files or the store (`about`: the posts of
    each interaction, `posts_about`); a name of a row that
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
    members |= {r[0] for r in by_external_ids(session, select(Member.external_id), wanted)}
    posts = {
        r["id"]: (r["side"], r["member_id"]) for r in rows["posts"].records if r["id"] is not None
    }
    wanted = {
        about[i][c]
        for i in range(len(about))
        for c in ("need_id", "offer_id")
        if about[i][c] is not None and about[i][c] not in posts
    }
    posts |= {key: (side, owner) for key, side, owner in by_external_ids(session, OWNED, wanted)}

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
    stored = {
        key: (side, owner) for key, side, owner in by_external_ids(session, OWNED, set(imported))
    }
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


def check_closed_members(
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
    state = {
        key: (active, closed_at)
        for key, active, closed_at in by_external_ids(session, query, wanted)
    }
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
