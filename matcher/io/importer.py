"""Importing members, posts and interactions: validate all, then upsert in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from matcher import revisions
from matcher.errors import ImportRejected, RowProblem
from matcher.io.formats import Frames, read_files
from matcher.io.queries import CHUNK, by_external_ids, stored_rows
from matcher.io.schema import COLUMNS, DEFAULTED, ENTITIES, STORE_NAMES
from matcher.io.validate import Rows, validate
from matcher.store import (
    ImportRun,
    Interaction,
    Member,
    Post,
    mark_reopened,
    refresh_statistics,
    retired_ids,
    utcnow,
)

MODELS: dict[str, Any] = {"members": Member, "posts": Post, "interactions": Interaction}
Step = Callable[[str], None]


@dataclass
class ImportResult:
    """What an import did (or, dry, would do): rows inserted, updated and unchanged per entity."""

    source: str
    counts: dict[str, dict[str, int]]
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass
class _Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # each with the store's "id"
    unchanged: int = 0
    reopened: list[str] = field(default_factory=list)  # closed in the store, opened by the file


def import_files(
    sessions: sessionmaker[Session],
    paths: Iterable[Path | str],
    *,
    clock: Callable[[], datetime] = utcnow,
    default_capacity: int = 3,
    dry_run: bool = False,
    step: Step | None = None,
) -> ImportResult:
    """Read import files and folders and import them (see `import_frames`)."""
    if step:
        step("reading files")
    frames = read_files(paths)
    return import_frames(
        sessions,
        frames,
        source=", ".join(frames.sources),
        clock=clock,
        default_capacity=default_capacity,
        dry_run=dry_run,
        step=step,
    )


def import_frames(
    sessions: sessionmaker[Session],
    frames: Frames,
    *,
    source: str,
    clock: Callable[[], datetime] = utcnow,
    default_capacity: int = 3,
    dry_run: bool = False,
    step: Step | None = None,
) -> ImportResult:
    """Validate every row, then upsert all of them by external id in one transaction, or nothing.

    Raises ImportRejected listing every bad row (and the warnings of the rows). Rows whose
    values did not change are not written. A dry run validates and counts but writes nothing.
    """
    report = step or (lambda _: None)
    with sessions.begin() as session:
        report("validating")
        now = clock()  # when the import began: the defaults, and what "in the future" means
        checked = validate(frames, session, now)
        if checked.problems:
            raise ImportRejected(checked.problems, checked.warnings)
        report("comparing with the store")
        defaults = {
            "members": {
                "email_consent": False,
                "share_contact": False,
                "capacity": default_capacity,
                "active": True,
                "joined_at": now,
                "unsubscribed_at": None,
                "erased_at": None,
            },
            "posts": {"status": "open", "created_at": now},
            "interactions": {},
        }
        kept_out = _unsubscribed(session, checked.rows["members"].records)
        plans = {
            e: _plan(
                e,
                checked.rows[e].records,
                checked.rows[e].absent,
                stored_rows(session, e, {r["id"] for r in checked.rows[e].records}),
                d,
                kept_out if e == "members" else set(),
            )
            for e, d in defaults.items()
        }
        erased = _erased_rows(session, checked.rows, plans)
        if erased:
            raise ImportRejected(erased, checked.warnings)
        if kept_out:
            kept_out = sorted(kept_out)
            checked.warnings.append(
                f"{len(kept_out)} member(s) unsubscribed themselves; the file's email_consent "
                f"was not applied to them: {', '.join(kept_out[:10])}"
                + (" ..." if len(kept_out) > 10 else "")
            )
        checked.warnings.extend(_reopening(plans))
        counts = {
            e: {"inserted": len(p.inserts), "updated": len(p.updates), "unchanged": p.unchanged}
            for e, p in plans.items()
        }
        if not dry_run:
            report("writing")
            # Rows are stamped as the writing starts, not as the import did: a running API
            # re-reads the last REREAD seconds of changes (matcher.live), so the stamp must
            # not be older than that when the import commits, however long it checked.
            stamp = clock()
            _write(session, plans, stamp)
            if plans["members"].inserts or plans["members"].updates:
                _stamp_closing(session, stamp)
            session.add(ImportRun(at=stamp, source=source, counts=counts))
    written = [MODELS[e] for e, p in plans.items() if p.inserts or p.updates]
    if written and not dry_run:
        refresh_statistics(sessions, written, report)
    return ImportResult(source, counts, checked.warnings, dry_run)


def _reopens(entity: str, old: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether a row opens again a post or a member that the store has closed."""
    if entity == "posts":
        return old["status"] == "closed" and row["status"] == "open"
    if entity == "members":
        return not old["active"] and bool(row["active"]) and not old["erased_at"]
    return False


def _reopening(plans: dict[str, _Plan]) -> list[str]:
    """A warning for each kind of row that the import opens again: a master file written before
    a member closed a post (or their membership) through the API would open it again, and the
    post would be matched and emailed about."""
    column = {"posts": "status open", "members": "active true"}
    warnings = []
    for entity, plan in plans.items():
        if plan.reopened:
            ids = plan.reopened
            warnings.append(
                f"{len(ids)} {entity[:-1]}(s) closed in the store are opened again by the file "
                f"({column[entity]}): {', '.join(ids[:10])}{' ...' if len(ids) > 10 else ''}. "
                "If they were closed since the file was written, write them closed there, or "
                "leave the cell empty to keep what the store has"
            )
    return warnings


def _plan(
    entity: str,
    records: list[dict[str, Any]],
    left_out: list[frozenset[str]],
    stored: dict[str, dict[str, Any]],
    defaults: dict[str, Any],
    unsubscribed: set[str],
) -> _Plan:
    """Split parsed rows into new, changed and unchanged ones, filling empty defaulted fields.

    A column the row's file left out (`left_out`, one set per record) keeps the stored value.

    Members who unsubscribed themselves keep email_consent off whatever the file says.
    """
    plan = _Plan()
    keep = DEFAULTED[entity]
    for record, absent in zip(records, left_out, strict=True):
        old = stored.get(record["id"])
        row = dict(record)
        for column in absent:  # not in the file: the stored value, or what a new row gets
            row[column] = old[column] if old is not None else defaults.get(column)
        if entity == "members" and old is not None:
            # Set once, by the member or by `matcher erase`: a file may not clear or move them
            # (nor erase anyone: `_erased_rows`).
            row["unsubscribed_at"] = old["unsubscribed_at"] or row["unsubscribed_at"]
            row["erased_at"] = old["erased_at"]
        # A file that records an unsubscribe (or brings an erased member's row) turns the
        # email off; one that leaves a stored unsubscribe as it is changes nothing (the member
        # may have opted in again since, through the API).
        unsubscribing = (
            entity == "members"
            and old is not None
            and not old["unsubscribed_at"]
            and bool(row["unsubscribed_at"])
        )
        erased_row = old is None and bool(row.get("erased_at"))  # an export's erased member
        if record["id"] in unsubscribed or unsubscribing or erased_row:
            row["email_consent"] = False
        if erased_row:
            row["active"] = False
        if "tags" in row and row["tags"] is None:
            row["tags"] = []
        for column in keep:
            if row[column] is None:
                row[column] = defaults[column] if old is None else old[column]
        if old is None:
            plan.inserts.append(row)
        elif any(row[c] != old[c] for c in COLUMNS[entity]):
            plan.updates.append({**row, "pk": old["pk"]})
            if _reopens(entity, old, row):
                plan.reopened.append(record["id"])
        else:
            plan.unchanged += 1
    return plan


def _erased_rows(
    session: Session, rows: dict[str, Rows], plans: dict[str, _Plan]
) -> list[RowProblem]:
    """Rows that would change or add to an erased member (matcher.erase): their anonymous
    rows may be imported again as they are stored (an export of the store), no more; nor may
    a new member be given an erased member's retired id, nor may a file erase anyone."""
    columns = {
        "members": ("id",),
        "posts": ("member_id",),
        "interactions": ("from_member_id", "to_member_id"),
    }
    touched = {e: plans[e].inserts + plans[e].updates for e in columns}
    named = {r[c] for e, changed in touched.items() for r in changed for c in columns[e]}
    query = select(Member.external_id).where(Member.erased_at.is_not(None))
    erased = {key for (key,) in by_external_ids(session, query, named - {None})}
    problems = []
    where = {
        e: dict(zip((r["id"] for r in rows[e].records), rows[e].origins, strict=True))
        for e in columns
    }
    claimed = {r["id"] for r in rows["members"].records if r["erased_at"] is not None}
    query = select(Member.external_id).where(Member.erased_at.is_(None))
    for (key,) in by_external_ids(session, query, claimed):
        reason = "a member is erased with `matcher erase`, which takes out their data"
        problems.append(RowProblem(*where["members"][key], "erased_at", reason))
    retired = retired_ids(session, (r["id"] for r in plans["members"].inserts))
    take_out = "was erased at their request: take them out of your files"
    for key in sorted(retired):
        problems.append(
            RowProblem(*where["members"][key], "id", f"the id was a member's who {take_out}")
        )
    for entity, changed in touched.items():
        for record in changed:
            for column in columns[entity]:
                member = record[column]
                if member in erased:
                    reason = (
                        f"member {member!r} was erased at their request: nothing of theirs changes"
                    )
                    problems.append(RowProblem(*where[entity][record["id"]], column, reason))
                elif member in retired and entity != "members":  # the row above says it too
                    reason = f"member {member!r}: the id was a member's who {take_out}"
                    problems.append(RowProblem(*where[entity][record["id"]], column, reason))
    return sorted(problems, key=lambda p: (p.file, p.row))


def _unsubscribed(session: Session, records: list[dict[str, Any]]) -> set[str]:
    """Ids of members a file would sign up for email who unsubscribed themselves and have not
    opted in again since (through the API: then the file's consent changes nothing)."""
    asked = {r["id"] for r in records if r.get("email_consent")}
    query = select(Member.external_id).where(
        Member.unsubscribed_at.is_not(None), Member.email_consent.is_(False)
    )
    return {key for (key,) in by_external_ids(session, query, asked)}


def _write(session: Session, plans: dict[str, _Plan], now: datetime) -> None:
    """Bulk insert the new rows and bulk update the changed ones, resolving external ids; what
    the updated members' profiles and posts said before is kept (matcher.revisions)."""
    for entity in ENTITIES:
        plan = plans[entity]
        rows = plan.inserts + plan.updates
        if entity == "posts":
            _resolve(session, Member, rows, ("member_id",))
        elif entity == "interactions":
            _resolve(session, Member, rows, ("from_member_id", "to_member_id"))
            _resolve(session, Post, rows, ("need_id", "offer_id"))
        model = MODELS[entity]
        stamp = {"updated_at": now} if entity != "interactions" else {}
        if plan.inserts:
            inserts = [{**_store_row(entity, r), **stamp} for r in plan.inserts]
            session.execute(insert(model), inserts)
        if plan.updates:
            updates = [{**_store_row(entity, r), "id": r["pk"], **stamp} for r in plan.updates]
            kept = model in revisions.KEPT  # what a profile or post said until this import
            ids = [r["id"] for r in updates]
            before = revisions.tracked(session, model, ids, CHUNK) if kept else {}
            session.execute(update(model), updates)
            if kept:
                revisions.record(session, model, before, now, CHUNK)


def _stamp_closing(session: Session, now: datetime) -> None:
    """Members the import closed are closed from `now`; those it reopened are open."""
    closing = Member.active.is_(False) & Member.closed_at.is_(None)
    session.execute(update(Member).where(closing).values(closed_at=now))
    mark_reopened(session, Member.active.is_(True) & Member.closed_at.is_not(None), now)


def _resolve(
    session: Session, model: Any, rows: list[dict[str, Any]], columns: tuple[str, ...]
) -> None:
    """Replace the external ids in `columns` of `rows` by store ids, in place."""
    wanted = {r[c] for r in rows for c in columns if r[c] is not None}
    ids = dict(by_external_ids(session, select(model.external_id, model.id), wanted))
    for row in rows:
        for column in columns:
            row[column] = None if row[column] is None else ids[row[column]]


def _store_row(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    names = STORE_NAMES[entity]
    return {names.get(c, c): row[c] for c in COLUMNS[entity]}
