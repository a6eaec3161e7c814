"""What changed in the store since a build: posts and members, read incrementally while serving."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from matcher.embed import CachedEncoder
from matcher.live_queries import PROBE, SHARED_CONTACTS, read_separations
from matcher.requests import askers_per_member, recent_declines, recent_requests
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

    def open_at(self, now: datetime) -> bool:
        """Open, and not expired at `now`."""
        return self.open and (self.expires_at is None or self.expires_at > now)


def fingerprint(
    member_id: int, side: str, text: str, tags: list[str] | None, expires_at: float
) -> tuple:
    """What serving reads of a post besides its status: whose it is, its side, text and tags
    and when it expires (seconds since the epoch, inf: never), to tell a post read again
    unchanged from an edit."""
    tags = tuple(str(t) for t in tags or ())
    return int(member_id), str(side), text, tags, round(float(expires_at), 3)


def _expiry(moment: datetime | None) -> float:
    return np.inf if moment is None else moment.timestamp()


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
    """Posts and members written after `since`, kept current by `refresh`; with them, who is
    kept apart from whom (blocks and reports) and the contacts members agreed to share.

    Each refresh asks the store one question first (how many members and posts changed since,
    how many separating interactions there are, and the newest request and decline) and reads
    rows only when something did (the requests also once a minute and the declines once a
    day, as their windows move on): a request of a quiet service costs one small query here.
    """

    since: datetime
    # Open posts the build already holds, by id, with their `fingerprint`: seen again unchanged
    # (e.g. stamped exactly at the snapshot time), they are not changes; a new text, new tags
    # or a new expiry are.
    known: Mapping[int, tuple] = field(default_factory=dict)
    # The build's vector of a post whose text it holds as it is now (None: it holds another
    # text, or none): a post retagged, reopened or moved keeps it, encoder or not.
    built: Callable[[int, str], np.ndarray | None] | None = None
    # Whether the build holds a member as they are now: read again unchanged (stamped just
    # before the snapshot, say), they are not changes.
    as_built: Callable[[LiveMember], bool] | None = None
    # Whether the build holds a post at all (open, or as help given): one it does not, read
    # closed, changes nothing.
    holds: Callable[[int], bool] | None = None
    posts: dict[int, LivePost] = field(default_factory=dict)
    members: dict[int, LiveMember] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)
    version: int = 0  # grows whenever a post changes, or a member opens or closes
    contacts: dict[int, str | None] = field(default_factory=dict)  # members who share theirs
    separations: dict[int, set[int]] = field(default_factory=dict)  # either direction
    # Members who asked each member lately (`requests.recent_requests`), and how many each:
    # read again when a request (`contacted`) is added, and each minute as the window moves on.
    askers: set[tuple[int, int]] = field(default_factory=set)  # (asker, asked)
    requests: dict[int, int] = field(default_factory=dict)
    # Who said no to whom lately (`requests.recent_declines`), read alike.
    # (decliner, declined): when they last said no
    declines: dict[tuple[int, int], datetime] = field(default_factory=dict)
    # (rows, newest) of the members and posts changed since `since`, and of the separating
    # interactions, as the last refresh saw them: read again only when they differ. The
    # contacts are read in full once, then kept current from the changed members.
    _marks: dict[str, tuple] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _published: dict[int, LivePost] = field(default_factory=dict)

    def refresh(
        self, session: Session, encoder: CachedEncoder | None, now: datetime | None = None
    ) -> None:
        """Read what changed since the last refresh; encode (through the cache) new open texts."""
        now = now or utcnow()
        self.now = now
        with self._lock:
            if "contacts" not in self._marks:
                self.contacts = {m: c for m, c in session.execute(SHARED_CONTACTS)}
                self._marks["contacts"] = ()
            probe = session.execute(PROBE, {"since": self.since}).one()
            members_mark, posts_mark = probe[0:2], probe[2:4]
            self._read_interactions(session, probe, now)
            members_changed = members_mark != self._marks.get("members")
            posts_changed = posts_mark != self._marks.get("posts")
            if not members_changed and not posts_changed:
                return
            members_newest = self._read_members(session) if members_changed else self.since
            fresh, posts_newest = (
                self._read_posts(session, now) if posts_changed else ([], self.since)
            )
            self._add_vectors(fresh, encoder)
            for live in fresh:
                self.posts[live.post_id] = live
                self.version += 1
            # Re-read the last few seconds each time: a transaction stamped before the newest
            # row seen may commit after it. Rows read again unchanged are skipped when read.
            self.since = max(self.since, max(members_newest, posts_newest) - REREAD)
            # What the window held when probed (a row read above may be newer: then the next
            # probe differs and reads again, which is harmless). Set last, so a failed read
            # (the encoder, say) is tried again by the next refresh.
            self._marks.update(members=members_mark, posts=posts_mark)
            self._published = dict(self.posts)  # what readers see, whole

    def _read_interactions(self, session: Session, probe: Row, now: datetime) -> None:
        """Read again who is kept apart, the recent requests and the recent declines, each
        when its part of the `probe` (or its window) moved since it was last read."""
        separations_mark = probe[4:8]
        if separations_mark != self._marks.get("separations"):
            self.separations = read_separations(session)
            self._marks["separations"] = separations_mark
        requests_mark = (probe[8], now.replace(second=0, microsecond=0))
        if requests_mark != self._marks.get("requests"):
            self.askers = recent_requests(session, now)
            self.requests = askers_per_member(self.askers)
            self._marks["requests"] = requests_mark
        # Declines count for DECLINE_DAYS: their window moves on by the day, not the minute.
        declines_mark = (probe[9], now.date())
        if declines_mark != self._marks.get("declines"):
            self.declines = recent_declines(session, now)
            self._marks["declines"] = declines_mark

    def _read_members(self, session: Session) -> datetime:
        """Take in the members changed since `since` and the contacts they share; the newest
        time stamp read (`since` if none is newer)."""
        newest = self.since
        for member in session.scalars(select(Member).where(Member.updated_at >= self.since)):
            if member.share_contact:
                self.contacts[member.id] = member.contact
            else:
                self.contacts.pop(member.id, None)
            newest = max(newest, member.updated_at)
            live = _live_member(member)
            before = self.members.get(member.id)
            if before is None and self.as_built is not None and self.as_built(live):
                continue
            self.members[member.id] = live
            if before is None or before.active != member.active:
                self.version += 1  # who is active shapes the view (CurrentView.refresh)
        return newest

    def _read_posts(self, session: Session, now: datetime) -> tuple[list[LivePost], datetime]:
        """The posts changed since `since` that are to be kept anew (not yet with vectors),
        and the newest time stamp read (`since` if none is newer). A post kept already that
        was only retagged or given a new expiry is updated in place."""
        query = select(Post, Member.active).join(Member).where(Post.updated_at >= self.since)
        fresh: list[LivePost] = []
        newest = self.since
        for post, active in session.execute(query).all():
            newest = max(newest, post.updated_at)
            is_open = _open_at(post, bool(active), now)
            if self._as_built(post, is_open) or self._updated_in_place(post, is_open):
                continue
            fresh.append(_live_post(post, is_open))
        return fresh, newest

    def _as_built(self, post: Post, is_open: bool) -> bool:
        """Whether a post not kept yet changes nothing: open as the build holds it (stamped
        at the snapshot time, say), or closed and not held by the build at all."""
        if post.id in self.posts:
            return False
        if is_open:
            seen = fingerprint(
                post.member_id, post.side, post.text, post.tags, _expiry(post.expires_at)
            )
            return self.known.get(post.id) == seen
        return self.holds is not None and not self.holds(post.id)

    def _updated_in_place(self, post: Post, is_open: bool) -> bool:
        """Whether a post kept already reads as it did (the same writer, side, text and
        openness); if so, new tags or a new expiry are taken in place."""
        old = self.posts.get(post.id)
        same = (post.member_id, post.side, post.text, is_open)
        if old is None or (old.member_id, old.side, old.text, old.open) != same:
            return False
        tags = list(post.tags or [])
        if (old.tags, old.expires_at) != (tags, post.expires_at):
            old.tags, old.expires_at = tags, post.expires_at
            self.version += 1
        return True

    def _add_vectors(self, fresh: list[LivePost], encoder: CachedEncoder | None) -> None:
        """Give the open posts among `fresh` their vectors: the build's where it holds the
        text, else the encoder's. Done before they are kept: if the encoder fails, nothing of
        them is kept and the next refresh reads them again."""
        pending = [p for p in fresh if p.open]
        if self.built is not None:
            for post in pending:
                post.vector = self.built(post.post_id, post.text)
            pending = [p for p in pending if p.vector is None]
        if pending and encoder is not None:
            vectors = encoder.encode([p.text for p in pending])
            for post, vector in zip(pending, vectors, strict=True):
                post.vector = vector

    def separated_from(self, member_id: int) -> set[int]:
        """Members kept apart from this one by a block or a report, in either direction."""
        return self.separations.get(member_id, set())

    def all_posts(self) -> Iterable[LivePost]:
        """Every post changed since the build, as the last refresh published them (a dict
        assigned whole, so a reader never sees another thread's refresh half-way)."""
        return self._published.values()

    def post(self, post_id: int) -> LivePost:
        """A post changed since the build, as the last refresh published it."""
        return self._published[post_id]

    def open_posts(self, side: str) -> list[LivePost]:
        """Changed posts of one side that are open now (not expired) and have a vector."""
        return [
            p
            for p in self.all_posts()
            if p.side == side and p.open_at(self.now) and p.vector is not None
        ]

    def next_expiry(self) -> float:
        """When the next changed post that is open now expires (seconds; inf: none does)."""
        later = [
            _expiry(p.expires_at)
            for p in self.all_posts()
            if p.open_at(self.now) and p.expires_at is not None
        ]
        return min(later, default=np.inf)


def _open_at(post: Post, member_active: bool, now: datetime) -> bool:
    """Whether a post is open at `now`: open, its writer active, and not expired."""
    return (
        post.status == "open"
        and member_active
        and (post.expires_at is None or post.expires_at > now)
    )


def _live_post(post: Post, is_open: bool) -> LivePost:
    return LivePost(
        post.id,
        post.external_id,
        post.member_id,
        post.side,
        post.text,
        list(post.tags or []),
        is_open,
        post.expires_at,
    )


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
