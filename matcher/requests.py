"""Requests and declines lately: whom each member asked for help, and who said no, within the
windows the weekly email and the matches count them (REQUEST_DAYS, DECLINE_DAYS)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from matcher.domain import DECLINE_DAYS
from matcher.store import Interaction

# How long a request (a member `contacted` another) takes up the weekly capacity of whom it
# asked: the weekly email counts it, and the matches list them after the good matches still
# free.
REQUEST_DAYS = 7


def recent_pairs(
    session: Session,
    kind: str,
    days: int,
    now: datetime,
    *,
    unless: ColumnElement[bool] | None = None,
) -> set[tuple[int, int]]:
    """(from, to): the store ids of each pair of members with an interaction of `kind` in the
    `days` before `now`. `unless`: a condition on the interaction under which it does not
    count."""
    query = (
        select(Interaction.from_member_id, Interaction.to_member_id)
        .distinct()
        .where(*_lately(kind, days, now), *([] if unless is None else [~unless]))
    )
    return {(int(a), int(b)) for a, b in session.execute(query)}


def _lately(kind: str, days: int, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The interactions of `kind` in the `days` before `now`."""
    return (
        Interaction.kind == kind,
        Interaction.occurred_at >= now - timedelta(days=days),
        Interaction.occurred_at <= now,
    )


def recent_requests(
    session: Session, now: datetime, *, unless: ColumnElement[bool] | None = None
) -> set[tuple[int, int]]:
    """(asker, asked): each member who contacted another in the REQUEST_DAYS before `now`
    (`recent_pairs`)."""
    return recent_pairs(session, "contacted", REQUEST_DAYS, now, unless=unless)


def recent_declines(session: Session, now: datetime) -> dict[tuple[int, int], datetime]:
    """(decliner, declined): when each member last said no to another's request, of those who
    did in the DECLINE_DAYS before `now`."""
    last = func.max(Interaction.occurred_at)
    query = (
        select(Interaction.from_member_id, Interaction.to_member_id, last)
        .where(*_lately("declined", DECLINE_DAYS, now))
        .group_by(Interaction.from_member_id, Interaction.to_member_id)
    )
    return {(int(a), int(b)): when for a, b, when in session.execute(query)}


def requests_received(
    session: Session, now: datetime, *, unless: ColumnElement[bool] | None = None
) -> dict[int, int]:
    """How many members contacted each member (store ids) in the REQUEST_DAYS before `now`,
    each asker counted once; members asked by nobody are left out (see `recent_requests`)."""
    return askers_per_member(recent_requests(session, now, unless=unless))


def askers_per_member(requests: Iterable[tuple[int, int]]) -> dict[int, int]:
    """How many members asked each member, from (asker, asked) pairs each counted once."""
    return dict(Counter(asked for _, asked in requests))
