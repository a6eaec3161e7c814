"""A summary of the store: members by kind, open needs and offers, interactions, last import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.store import ImportRun, Interaction, Member, Post, posts_read_as, utcnow


def community_stats(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """Counts of the community at `now` (default: the current time), as plain JSON-able values."""
    now = now or utcnow()
    # An erased member is no one of a kind any more: counted apart (their row keeps the kind
    # for the history's features).
    by_kind = dict(
        session.execute(
            select(Member.kind, func.count())
            .where(Member.erased_at.is_(None))
            .group_by(Member.kind)
        ).all()
    )
    active = session.scalar(select(func.count()).where(Member.active.is_(True))) or 0
    erased = session.scalar(select(func.count()).where(Member.erased_at.is_not(None))) or 0
    open_posts = dict(
        session.execute(
            select(Post.side, func.count())
            .join(Member, Post.member_id == Member.id)
            .where(
                posts_read_as("open", now),
                Member.active.is_(True),
            )
            .group_by(Post.side)
        ).all()
    )
    interactions = dict(
        session.execute(select(Interaction.kind, func.count()).group_by(Interaction.kind)).all()
    )
    run = session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(1)).first()
    return {
        "members": {
            "total": sum(by_kind.values()) + erased,
            "active": active,
            "erased": erased,  # at their request (matcher.erase): closed, anonymous rows
            "by_kind": dict(sorted(by_kind.items())),
        },
        "open_posts": {"needs": open_posts.get("need", 0), "offers": open_posts.get("offer", 0)},
        "interactions": {
            "total": sum(interactions.values()),
            "by_kind": dict(sorted(interactions.items())),
        },
        "last_import": None
        if run is None
        else {"at": run.at.isoformat(), "source": run.source, "counts": run.counts},
    }
