"""What changed in the store since a build: posts and members, read incrementally while serving."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.domain import NEED
from matcher.embed import CachedEncoder
from matcher.store import Member, Post, utcnow

REREAD = timedelta(seconds=30)


@dataclass
class LivePost:
    """A post as it is now in the store."""

    post_id: int
    external_id: str
    member_id: int
    side: str
    text: str
    tags: list[str]
    open: bool
    expires_at: datetime | None = None
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class LiveMember:
    """A member's public fields as they are now in the store."""

    member_id: int
    external_id: str
    name: str
    kind: str
    town: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    tags: list[str]
    capacity: int
    active: bool


@dataclass
class LiveChanges:
    """Posts and members written after `since`, kept current by `refresh`."""

    since: datetime
    # Open posts the build already holds, by id, with their text: seen again unchanged
    # (e.g. stamped exactly at the snapshot time), they are not changes.
    known: dict[int, str] = field(default_factory=dict)
    posts: dict[int, LivePost] = field(default_factory=dict)
    members: dict[int, LiveMember] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)
    version: int = 0  # grows whenever a post changes
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def refresh(
        self, session: Session, encoder: CachedEncoder | None, now: datetime | None = None
    ) -> None:
        """Read what changed since the last refresh; encode (through the cache) new open texts."""
        now = now or utcnow()
        self.now = now
        with self._lock:
            watermark = self.since
            for member in session.scalars(select(Member).where(Member.updated_at >= self.since)):
                self.members[member.id] = _live_member(member)
                watermark = max(watermark, member.updated_at)
            rows = session.execute(
                select(Post, Member.active).join(Member).where(Post.updated_at >= self.since)
            ).all()
            fresh: list[LivePost] = []
            for post, active in rows:
                is_open = (
                    post.status == "open"
                    and bool(active)
                    and (post.expires_at is None or post.expires_at > now)
                )
                watermark = max(watermark, post.updated_at)
                if post.id not in self.posts and is_open and self.known.get(post.id) == post.text:
                    continue
                old = self.posts.get(post.id)
                if old is not None and old.text == post.text and old.open == is_open:
                    if old.tags != list(post.tags or []):
                        old.tags = list(post.tags or [])
                        self.version += 1
                    continue
                live = LivePost(
                    post.id,
                    post.external_id,
                    post.member_id,
                    post.side,
                    post.text,
                    list(post.tags or []),
                    is_open,
                    post.expires_at,
                )
                self.posts[post.id] = live
                fresh.append(live)
                self.version += 1
            pending = [p for p in fresh if p.open]
            if pending and encoder is not None:
                vectors = encoder.encode([p.text for p in pending])
                for post, vector in zip(pending, vectors, strict=True):
                    post.vector = vector
            # Re-read the last few seconds each time: a transaction stamped before the newest
            # row seen may commit after it. Rows read again unchanged are skipped above.
            self.since = max(self.since, watermark - REREAD)

    def open_posts(self, side: str) -> list[LivePost]:
        """Changed posts of one side that are open now and have a vector."""
        return [
            p for p in self.posts.values() if p.side == side and p.open and p.vector is not None
        ]

    def open_needs_of(self, member_id: int) -> list[LivePost]:
        """A member's changed needs that are open now."""
        return [p for p in self.open_posts(NEED) if p.member_id == member_id]


def _live_member(member: Member) -> LiveMember:
    return LiveMember(
        member.id,
        member.external_id,
        member.name,
        member.kind,
        member.town,
        member.country,
        member.latitude,
        member.longitude,
        list(member.tags or []),
        member.capacity,
        member.active,
    )
