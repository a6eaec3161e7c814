"""The organiser's view of the members: find them by id, name, kind or town, and read one
member's whole record (their private fields too: the organiser holds them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from matcher.community import get_member
from matcher.domain import MEMBER_STATUSES, fold_tag, post_status, weekly_email
from matcher.geo import fold_places, in_place
from matcher.store import Digest, DigestMatch, Interaction, Member, Post, posts_read_as, utcnow


@dataclass(frozen=True)
class Roster:
    """A page of members (plain rows, in the order they were added) and how many match."""

    members: list[dict[str, Any]]
    total: int


def status_of(member: Member) -> str:
    """active, closed (by themselves or the organiser) or erased (at their request)."""
    if member.erased_at is not None:
        return "erased"
    return "active" if member.active else "closed"


def emails_of(member: Member) -> str:
    """Whether the weekly email reaches them, and if not, why (as the digest decides)."""
    return weekly_email(member.active, member.email_consent, member.email, member.unsubscribed_at)


def find_members(
    session: Session,
    text: str | None = None,
    *,
    kind: str | None = None,
    town: str | None = None,
    status: str = "active",
    limit: int = 50,
    now: datetime | None = None,
) -> Roster:
    """Members whose id or name holds `text` (any case), of `kind`, in `town` (any case), with
    `status` (one of MEMBER_STATUSES): at most `limit` of them, each with their open needs and
    offers and the help they gave."""
    if status not in MEMBER_STATUSES:
        raise ValueError(f"status must be one of {', '.join(MEMBER_STATUSES)}, not {status!r}")
    query = select(Member.id, Member.external_id, Member.name, Member.town, Member.country)
    query = query.where(*_member_filters(kind, status)).order_by(Member.id)
    if town and town.strip():
        found = _in_town(session.execute(query).all(), town)
    else:
        found = session.execute(query).all()
    if text and text.strip():
        # In Python, folded as tags and towns are (`fold_tag`): SQLite's lower() folds ASCII
        # letters only, so the band "Ölmühle" was not found by its own name.
        needle = fold_tag(text)
        found = [
            r for r in found if needle in fold_tag(r.external_id) or needle in fold_tag(r.name)
        ]
    total = len(found)
    first = [r.id for r in found[:limit]]
    members = session.scalars(select(Member).where(Member.id.in_(first)).order_by(Member.id)).all()
    ids = [m.id for m in members]
    open_posts = _open_posts(session, ids, now or utcnow())
    helped = dict(
        session.execute(
            select(Interaction.from_member_id, func.count())
            .where(Interaction.kind == "helped", Interaction.from_member_id.in_(ids))
            .group_by(Interaction.from_member_id)
        ).all()
    )
    rows = [
        {
            "id": m.external_id,
            "name": m.name,
            "kind": m.kind,
            "town": m.town,
            "status": status_of(m),
            "emails": emails_of(m),
            "open_needs": open_posts.get((m.id, "need"), 0),
            "open_offers": open_posts.get((m.id, "offer"), 0),
            "helped": helped.get(m.id, 0),
            "joined_at": m.joined_at.isoformat(),
        }
        for m in members
    ]
    return Roster(rows, int(total))


def member_record(session: Session, member_id: str, *, now: datetime | None = None) -> dict:
    """Everything the store holds about one member: profile, posts (newest first), the
    interactions they took part in by kind and side, and their weekly emails."""
    member = get_member(session, member_id, "MEMBER_ID")
    now = now or utcnow()
    posts = session.scalars(
        select(Post).where(Post.member_id == member.id).order_by(Post.created_at.desc(), Post.id)
    ).all()
    given = _interaction_counts(session, Interaction.from_member_id == member.id)
    received = _interaction_counts(session, Interaction.to_member_id == member.id)
    digests = session.scalars(
        select(Digest).where(Digest.member_id == member.id).order_by(Digest.week.desc())
    ).all()
    sent = [d for d in digests if d.status == "sent"]
    latest = digests[:8]
    suggested = _suggested_in(session, [d.id for d in latest])
    # How often they were suggested in others' emails sent (an organiser looking for who is
    # never suggested read the emails' files one by one).
    times, last_week = session.execute(
        select(func.count(), func.max(Digest.week))
        .select_from(DigestMatch)
        .join(Digest, Digest.id == DigestMatch.digest_id)
        .where(DigestMatch.member_id == member.id, Digest.status == "sent")
    ).one()
    return {
        "id": member.external_id,
        "name": member.name,
        "kind": member.kind,
        "status": status_of(member),
        "emails": emails_of(member),
        "town": member.town,
        "country": member.country,
        "latitude": member.latitude,
        "longitude": member.longitude,
        "tags": list(member.tags or []),
        "bio": member.bio,
        "email": member.email,
        "email_consent": member.email_consent,
        "contact": member.contact,
        "share_contact": member.share_contact,
        "capacity": member.capacity,
        "joined_at": _iso(member.joined_at),
        "last_active_at": _iso(member.last_active_at),
        "unsubscribed_at": _iso(member.unsubscribed_at),
        "closed_at": _iso(member.closed_at),
        "erased_at": _iso(member.erased_at),
        "posts": [
            {
                "id": p.external_id,
                "side": p.side,
                "status": post_status(p.status, p.expires_at, now),
                "created_at": _iso(p.created_at),
                "expires_at": _iso(p.expires_at),
                "tags": list(p.tags or []),
                "text": p.text,
            }
            for p in posts
        ],
        "interactions": {"by_them": given, "to_them": received},
        "weekly_emails": {
            "sent": len(sent),
            "last_sent_at": _iso(max((d.sent_at for d in sent if d.sent_at), default=None)),
            "weeks": [
                {
                    "week": d.week,
                    "status": d.status,
                    **({"why": d.error} if d.error else {}),
                    "suggested": suggested.get(d.id, []),
                }
                for d in latest
            ],
            "suggested_to_others": {"times": int(times), "last_week": last_week},
        },
    }


def _suggested_in(session: Session, digest_ids: list[int]) -> dict[int, list[str]]:
    """The ids of the members each digest suggested, in the email's order."""
    rows = session.execute(
        select(DigestMatch.digest_id, Member.external_id)
        .join(Member, Member.id == DigestMatch.member_id)
        .where(DigestMatch.digest_id.in_(digest_ids))
        .order_by(DigestMatch.digest_id, DigestMatch.rank)
    )
    out: dict[int, list[str]] = {}
    for digest_id, member in rows:
        out.setdefault(digest_id, []).append(member)
    return out


def _in_town(rows: list[Any], town: str) -> list[Any]:
    """The rows (with `town` and `country`) of members in a town as the API's `town` filter
    finds them (`geo.in_place`): "Leeds" finds "Leeds, UK" too, and "Leeds, UK" finds "Leeds"
    unless known to be elsewhere. In Python, not as an IN list of ids: a town of more than
    65,535 members passed PostgreSQL's limit of parameters."""
    towns, countries = fold_places([r.town for r in rows], [r.country for r in rows])
    return [r for r, inside in zip(rows, in_place(towns, countries, town), strict=True) if inside]


def _member_filters(kind: str | None, status: str) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if kind:
        filters.append(Member.kind == kind.strip().lower())
    if status == "active":
        filters.append(Member.active.is_(True))
    elif status == "closed":
        filters.extend([Member.active.is_(False), Member.erased_at.is_(None)])
    elif status == "erased":
        filters.append(Member.erased_at.is_not(None))
    return filters


def _open_posts(session: Session, member_ids: list[int], now: datetime) -> dict:
    query: Select = (
        select(Post.member_id, Post.side, func.count())
        .where(
            Post.member_id.in_(member_ids),
            posts_read_as("open", now),
        )
        .group_by(Post.member_id, Post.side)
    )
    return {(member, side): n for member, side, n in session.execute(query).all()}


def _interaction_counts(session: Session, where: ColumnElement[bool]) -> dict[str, int]:
    rows = session.execute(
        select(Interaction.kind, func.count()).where(where).group_by(Interaction.kind)
    ).all()
    return {kind: int(n) for kind, n in sorted(rows)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
