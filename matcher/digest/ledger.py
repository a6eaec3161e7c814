"""The digest ledger: record what was chosen, claim and mark deliveries, read digests back."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from matcher.digest.plan import NO_MATCHES, WeekPlan, unsent_empty
from matcher.engine import Matcher
from matcher.progress import Advance
from matcher.store import Digest, DigestMatch, Member

# For each (member, others suggested to them): every pair that still matches, as the ledger
# keeps it: its reasons, and which of the member's posts it answers.
Explained = dict[str, dict[str, Any]]  # other member's id -> {"reasons", "answers"}
ExplainMany = Callable[[Sequence[tuple[str, list[str]]]], Iterable[Explained]]


@dataclass(frozen=True)
class Chosen:
    """One recipient's explained choice for the week, before it is recorded."""

    seeker_id: int
    matches: list[dict[str, Any]]  # member_id, rank, direction, score, mutual, reasons, answers


def message_id(member_external_id: str, week: str, mail_from: str, preview: bool = False) -> str:
    """A Message-ID that is the same every time a member's digest of a week is sent (and
    another one for a dry run's preview of it)."""
    digest = hashlib.sha256(f"{member_external_id}\x00{week}".encode()).hexdigest()[:24]
    domain = mail_from.rsplit("@", 1)[-1] or "localhost"
    return f"<{'preview' if preview else 'digest'}.{week}.{digest}@{domain}>"


def explain_plan(
    plan: WeekPlan, external_ids: Mapping[int, str], explain: ExplainMany, advance: Advance
) -> Iterator[Chosen]:
    """Each covered seeker's choice with the reasons of every match (stale matches drop out)."""
    groups = {int(s): rows for s, rows in plan.chosen.groupby("seeker_id", sort=True)}
    seekers = plan.seekers.tolist()
    asks = [
        (external_ids[s], [external_ids[m] for m in groups[s]["member_id"].tolist()])
        for s in seekers
        if s in groups
    ]
    answers = iter(explain(asks))
    for seeker_id in seekers:
        rows = groups.get(seeker_id)
        matches: list[dict[str, Any]] = []
        if rows is not None:
            explained = next(answers)
            for row in rows.itertuples(index=False):
                ext = external_ids[int(row.member_id)]
                if ext not in explained:
                    continue
                matches.append(
                    {
                        "member_id": int(row.member_id),
                        "rank": len(matches) + 1,
                        "direction": str(row.direction),
                        "score": float(row.score),
                        "mutual": bool(row.mutual),
                        "reasons": explained[ext]["reasons"],
                        "answers": explained[ext]["answers"],
                    }
                )
        advance(1)
        yield Chosen(seeker_id, matches)


def explain_with(matcher: Matcher, refresh_first: bool = False) -> ExplainMany:
    """Explain in this process with `matcher`, reading the store's changes first if asked."""

    def explain(asks: Sequence[tuple[str, list[str]]]) -> Iterator[Explained]:
        refresh = refresh_first
        for seeker, members in asks:
            found = matcher.explain_pairs(seeker, members, refresh=refresh)
            refresh = False
            yield {m.member_id: {"reasons": m.reasons, "answers": m.answers} for m in found}

    return explain


def record(
    sessions: sessionmaker[Session],
    week: str,
    chosen: Iterable[Chosen],
    message_ids: Mapping[int, str],
    now: Callable[[], datetime],
    chunk: int = 1000,
) -> int:
    """Write each choice as a ledger row (`chosen`, or `skipped` if empty), committed in chunks."""
    written, batch = 0, []
    for item in chosen:
        batch.append(item)
        if len(batch) >= chunk:
            written += _record_batch(sessions, week, batch, message_ids, now())
            batch = []
    if batch:
        written += _record_batch(sessions, week, batch, message_ids, now())
    return written


def _record_batch(
    sessions: sessionmaker[Session],
    week: str,
    batch: list[Chosen],
    message_ids: Mapping[int, str],
    at: datetime,
) -> int:
    """Write a batch of choices; returns how many rows were written."""
    with sessions.begin() as session:
        # Members a run of the week found no new matches for are chosen for again (`plan.
        # audience`): their empty digest, never sent, gives way to new matches, and stays
        # as it is when there are none again.
        empty = set(
            session.scalars(
                select(Digest.member_id).where(
                    Digest.week == week,
                    Digest.member_id.in_([c.seeker_id for c in batch]),
                    unsent_empty(),
                )
            )
        )
        batch = [c for c in batch if c.matches or c.seeker_id not in empty]
        if not batch:
            return 0
        filled = [c.seeker_id for c in batch if c.seeker_id in empty]
        if filled:
            session.execute(
                delete(Digest).where(
                    Digest.week == week, Digest.member_id.in_(filled), unsent_empty()
                )
            )
        digests = [
            {
                "member_id": c.seeker_id,
                "week": week,
                "status": "chosen" if c.matches else "skipped",
                "error": None if c.matches else NO_MATCHES,
                "message_id": message_ids[c.seeker_id],
                "chosen_at": at,
            }
            for c in batch
        ]
        ids = session.execute(insert(Digest).returning(Digest.member_id, Digest.id), digests).all()
        digest_of = dict(ids)
        rows = [{**m, "digest_id": digest_of[c.seeker_id]} for c in batch for m in c.matches]
        if rows:
            session.execute(insert(DigestMatch), rows)
    return len(batch)


# -- delivery -----------------------------------------------------------------------------


def due(session: Session, week: str, statuses: Sequence[str]) -> list[tuple[int, str]]:
    """(digest id, status) of the week's digests in these statuses, in id order."""
    rows = session.execute(
        select(Digest.id, Digest.status)
        .where(Digest.week == week, Digest.status.in_(list(statuses)))
        .order_by(Digest.id)
    ).all()
    return [(int(i), str(s)) for i, s in rows]


def member_ids(session: Session, digest_ids: Sequence[int]) -> list[str]:
    """The ids (the organiser's) of the members these digests are for, in the digests' order."""
    if not digest_ids:
        return []
    rows = dict(
        session.execute(
            select(Digest.id, Member.external_id)
            .join(Member, Member.id == Digest.member_id)
            .where(Digest.id.in_(list(digest_ids)))
        ).all()
    )
    return [str(rows[i]) for i in digest_ids if i in rows]


def claim(
    session: Session, digest_ids: Sequence[int], from_statuses: Sequence[str], at: datetime
) -> list[int]:
    """Mark these digests `sending` at `at` (their `sent_at` until they are sent: one cut off
    in between may have arrived then) if still in one of `from_statuses`; the ids this run
    owns."""
    if not digest_ids:
        return []
    owned = set(
        session.scalars(
            update(Digest)
            .where(Digest.id.in_(list(digest_ids)), Digest.status.in_(list(from_statuses)))
            .values(status="sending", error=None, sent_at=at)
            .returning(Digest.id)
        ).all()
    )
    return [i for i in digest_ids if i in owned]


def mark_sent(session: Session, digest_ids: Sequence[int], at: datetime) -> None:
    """Record these digests as delivered."""
    if digest_ids:
        session.execute(
            update(Digest)
            .where(Digest.id.in_(list(digest_ids)))
            .values(status="sent", sent_at=at, error=None)
        )


def settle(session: Session, digest_id: int, status: str, error: str) -> None:
    """Record how a digest ended when it was not delivered (`failed`, `skipped`), and why."""
    sent_at = {} if status == "sending" else {"sent_at": None}  # not sent, or maybe (kept)
    session.execute(
        update(Digest)
        .where(Digest.id == digest_id)
        .values(status=status, error=error[:2000], **sent_at)
    )


def release(session: Session, digest_ids: Sequence[int]) -> None:
    """Give claimed digests back to `chosen`: they were never handed over."""
    session.execute(
        update(Digest)
        .where(Digest.id.in_(list(digest_ids)), Digest.status == "sending")
        .values(status="chosen", sent_at=None)
    )
