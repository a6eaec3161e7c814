"""Checks of an import's rows one by one, and of the ids of one entity against each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from matcher.domain import future_problem, place_problem
from matcher.errors import RowProblem
from matcher.io.queries import stored_places
from matcher.io.rows import Rows
from matcher.io.schema import HAPPENED


def check_duplicates(rows: Rows, problems: list[RowProblem]) -> None:
    """An id given twice: the second row is the problem."""
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


def check_not_future(entity: str, rows: Rows, now: datetime, problems: list[RowProblem]) -> None:
    """What happened (a join, a post, an interaction) is not dated after `now`."""
    for record, (file, row) in zip(rows.records, rows.origins, strict=True):
        for column in HAPPENED[entity]:
            value = record.get(column)
            problem = future_problem(value, now) if value is not None else None
            if problem is not None:
                problems.append(RowProblem(file, row, column, problem))


def check_together(entity: str, rows: Rows, session: Session, problems: list[RowProblem]) -> None:
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
    places = stored_places(session, one_given)
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
