"""What anyone may see of members, posts and interactions, as plain data (the API's answers)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.domain import post_status
from matcher.place_warnings import place_warnings
from matcher.store import Interaction, Member, Post

PUBLIC_MEMBER_FIELDS = ("name", "kind", "town", "country", "tags", "bio", "capacity")
# The fields that place a member: a write that gives any is told of a place that cuts them off.
PLACE_FIELDS = frozenset({"town", "country", "latitude", "longitude"})


def member(row: Member) -> dict[str, Any]:
    """What anyone may see of a member: never the email; the contact only if they agreed to
    share it and are still a member (who leaves expects their number to stop being given)."""
    out: dict[str, Any] = {"id": row.external_id}
    out.update({f: getattr(row, f) for f in PUBLIC_MEMBER_FIELDS})
    out["contact"] = row.contact if row.share_contact and row.active else None
    out["active"] = row.active
    return out


def member_written(row: Member, given: Collection[str]) -> dict[str, Any]:
    """A member as a create or an edit that gave the fields `given` leaves them, with
    `warnings` (as an import gives them: a town placed nowhere, an unknown country) when it
    gave their place and there are any."""
    out = member(row)
    if PLACE_FIELDS & set(given):  # else no gazetteer lookup, nor difflib's likely town
        warnings = place_warnings(row.town, row.country, row.latitude)
        if warnings:
            out["warnings"] = warnings
    return out


def post(row: Post, member_external_id: str, now: datetime) -> dict[str, Any]:
    """A post as anyone may see it at `now` (an open post past its expiry reads "expired")."""
    return {
        "id": row.external_id,
        "member_id": member_external_id,
        "side": row.side,
        "text": row.text,
        "tags": list(row.tags or []),
        "status": post_status(row.status, row.expires_at, now),
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
    }


def interaction(session: Session, row: Interaction) -> dict[str, Any]:
    """An interaction with the members' and posts' own ids."""
    return interactions(session, [row])[0]


def interactions(session: Session, rows: list[Interaction]) -> list[dict[str, Any]]:
    """Interactions with the members' and posts' own ids, each looked up once for all."""
    member_ids = {m for row in rows for m in (row.from_member_id, row.to_member_id)}
    post_ids = {p for row in rows for p in (row.need_post_id, row.offer_post_id) if p is not None}
    members = dict(
        session.execute(
            select(Member.id, Member.external_id).where(Member.id.in_(sorted(member_ids)))
        ).all()
    )
    posts = dict(
        session.execute(
            select(Post.id, Post.external_id).where(Post.id.in_(sorted(post_ids)))
        ).all()
    )
    return [
        {
            "id": row.external_id,
            "kind": row.kind,
            "from_member_id": members[row.from_member_id],
            "to_member_id": members[row.to_member_id],
            "need_id": posts.get(row.need_post_id),
            "offer_id": posts.get(row.offer_post_id),
            "occurred_at": row.occurred_at.isoformat(),
        }
        for row in rows
    ]
