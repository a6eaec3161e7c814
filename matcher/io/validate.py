"""Checks of every row of an import, against each other and the store, before any write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from matcher.errors import RowProblem
from matcher.io import row_warnings
from matcher.io.formats import Frames
from matcher.io.references import check_closed_members, check_references, posts_about
from matcher.io.row_checks import check_duplicates, check_not_future, check_together
from matcher.io.rows import PARSERS, Rows, parse_rows
from matcher.io.schema import COLUMNS, ENTITIES, FILE

__all__ = ["PARSERS", "Checked", "Rows", "validate"]


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
    if frames.unread:  # e.g. needs.csv: its rows would be lost without a word
        warnings.append(
            f"not read: {', '.join(frames.unread)} (a folder's files are read by their names: "
            "members*, posts* or interactions*)"
        )
    for entity in ENTITIES:
        frame = frames.frame(entity)
        rows[entity] = parse_rows(entity, frame, frames.columns_of, whole_file, problems)
        check_duplicates(rows[entity], problems)
        check_not_future(entity, rows[entity], now, problems)
        check_together(entity, rows[entity], session, problems)
        if entity == "members":
            warnings.extend(row_warnings.consent_without_address(rows[entity]))
            warnings.extend(row_warnings.unknown_countries(rows[entity]))
            warnings.extend(row_warnings.unknown_towns(rows[entity], session))
            warnings.extend(row_warnings.likely_duplicates(rows[entity], session))
        for file in dict.fromkeys(frame[FILE].tolist() if FILE in frame.columns else []):
            extra = sorted(frames.columns_of.get(file, frozenset()) - {*COLUMNS[entity], FILE})
            if extra:
                warnings.append(f"{file}: ignored unknown column(s): {', '.join(extra)}")
    # The posts each interaction will be about: the file's, or, where its file leaves the
    # column out, the stored interaction's (which the import keeps).
    about = posts_about(session, rows["interactions"])
    check_references(rows, about, session, problems, frames.unread_ids)
    check_closed_members(rows, session, now, problems)
    warnings.extend(row_warnings.dated_before_their_posts(rows, about, session, now))
    order = {name: i for i, name in enumerate(dict.fromkeys(frames.sources))}
    problems.sort(key=lambda p: (order.get(p.file, len(order)), p.file, p.row))
    return Checked(rows, problems, warnings)
