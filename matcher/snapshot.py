"""A community as DataFrames: what the build, the ranker and the evaluation work on (members,
posts, interactions, and what profiles and posts said before each edit)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.revisions import MEMBER_FIELDS, POST_FIELDS
from matcher.store import Interaction, Member, MemberRevision, Post, PostRevision

MEMBER_COLUMNS = (
    "external_id",
    "name",
    "kind",
    "town",
    "country",
    "latitude",
    "longitude",
    "tags",
    "bio",
    "capacity",
    "active",
    "share_contact",
    "joined_at",
    "last_active_at",
)
POST_COLUMNS = (
    "external_id",
    "member_id",
    "side",
    "text",
    "tags",
    "status",
    "created_at",
    "expires_at",
    "updated_at",
)
INTERACTION_COLUMNS = (
    "external_id",
    "kind",
    "from_member_id",
    "to_member_id",
    "need_post_id",
    "offer_post_id",
    "occurred_at",
)
# A revision: the row it was of, until when it held, and the tracked fields as they were.
POST_REVISION_COLUMNS = ("post_id", "replaced_at", *POST_FIELDS)
MEMBER_REVISION_COLUMNS = ("member_id", "replaced_at", *MEMBER_FIELDS)
TIME_COLUMNS = (
    "joined_at",
    "last_active_at",
    "created_at",
    "expires_at",
    "updated_at",
    "occurred_at",
    "replaced_at",
)
# The types of an empty frame of revisions (the others are text, tags or times).
REVISION_DTYPES = {
    "post_id": "int64",
    "member_id": "int64",
    "latitude": "float64",
    "longitude": "float64",
    "capacity": "int64",
}


def no_revisions(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty frame of revisions with these columns, as `load_community` reads one."""
    index = pd.Index([], dtype="int64", name="id")
    series = {c: pd.Series(dtype=REVISION_DTYPES.get(c, object), index=index) for c in columns}
    return _normalise(pd.DataFrame(series, index=index))


@dataclass(frozen=True)
class Community:
    """Members, posts and interactions, each indexed by its store id; times are UTC. The
    members' and posts' rows are as they are now; `member_revisions` and `post_revisions`
    (indexed by revision id) hold what they said before each edit, until `replaced_at`
    (matcher.revisions), so that the history can read them as they were at any time."""

    members: pd.DataFrame
    posts: pd.DataFrame
    interactions: pd.DataFrame
    post_revisions: pd.DataFrame = field(
        default_factory=lambda: no_revisions(POST_REVISION_COLUMNS)
    )
    member_revisions: pd.DataFrame = field(
        default_factory=lambda: no_revisions(MEMBER_REVISION_COLUMNS)
    )

    @classmethod
    def from_frames(
        cls,
        members: pd.DataFrame,
        posts: pd.DataFrame,
        interactions: pd.DataFrame,
        post_revisions: pd.DataFrame | None = None,
        member_revisions: pd.DataFrame | None = None,
    ) -> Community:
        """A community from frames with (at least) the standard columns, times made UTC;
        revisions left out or empty: none (the typed empty frames of `no_revisions`, where a
        store's empty table would be typed by no row)."""
        given = {"post_revisions": post_revisions, "member_revisions": member_revisions}
        revisions = {k: _normalise(v) for k, v in given.items() if v is not None and len(v)}
        return cls(_normalise(members), _normalise(posts), _normalise(interactions), **revisions)

    def counts(self) -> dict[str, int]:
        """How many members, needs, offers and interactions."""
        sides = self.posts["side"].value_counts() if len(self.posts) else pd.Series(dtype=int)
        return {
            "members": len(self.members),
            "needs": int(sides.get("need", 0)),
            "offers": int(sides.get("offer", 0)),
            "interactions": len(self.interactions),
        }

    def fingerprint(self) -> str:
        """A SHA-256 of the content, so a build names exactly the data it was made from. A
        community without revisions has the digest it had before revisions were kept (the
        builds made then are not taken as made from other data); each table of revisions
        that holds any is named before its rows, so the two cannot be taken for each other."""
        digest = hashlib.sha256()
        for frame in (self.members, self.posts, self.interactions):
            digest.update(_frame_hash(frame))
        for name, frame in (
            ("post_revisions", self.post_revisions),
            ("member_revisions", self.member_revisions),
        ):
            if len(frame):
                digest.update(name.encode())
                digest.update(_frame_hash(frame))
        return digest.hexdigest()

    def texts(self) -> list[str]:
        """Every text the history reads: the posts' as they are now, in the order of `posts`,
        then those of `post_revisions`, in its order (what posts said before an edit); a
        missing text is empty."""
        texts = [*self.posts["text"].tolist(), *self.post_revisions["text"].tolist()]
        return ["" if pd.isna(t) else t for t in texts]

    def open_posts(self, at: pd.Timestamp | None = None) -> pd.DataFrame:
        """Posts that are open, not expired at `at` (now by default), of active members."""
        at = pd.Timestamp.now(tz="UTC") if at is None else at
        posts = self.posts
        active = self.members.index[self.members["active"].astype(bool)]
        keep = (
            (posts["status"] == "open")
            & (posts["expires_at"].isna() | (posts["expires_at"] > at))
            & posts["member_id"].isin(active)
        )
        return posts[keep]


def load_community(session: Session) -> Community:
    """Read the whole store into a `Community`."""
    members = _frame(session, Member, MEMBER_COLUMNS)
    posts = _frame(session, Post, POST_COLUMNS)
    interactions = _frame(session, Interaction, INTERACTION_COLUMNS)
    post_revisions = _frame(session, PostRevision, POST_REVISION_COLUMNS)
    member_revisions = _frame(session, MemberRevision, MEMBER_REVISION_COLUMNS)
    return Community.from_frames(members, posts, interactions, post_revisions, member_revisions)


def _frame(session: Session, model: Any, columns: tuple[str, ...]) -> pd.DataFrame:
    attrs = [model.id, *(getattr(model, c) for c in columns)]
    rows = session.execute(select(*attrs).order_by(model.id)).all()
    frame = pd.DataFrame(rows, columns=["id", *columns])
    return frame.set_index("id")


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in TIME_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    for column in ("need_post_id", "offer_post_id"):
        if column in frame.columns:
            frame[column] = frame[column].astype("Int64")
    if "tags" in frame.columns:
        tags = [list(t) if isinstance(t, list | tuple | np.ndarray) else [] for t in frame["tags"]]
        frame["tags"] = pd.Series(tags, index=frame.index, dtype=object)  # empty: still lists
    return frame


def _frame_hash(frame: pd.DataFrame) -> bytes:
    return pd.util.hash_pandas_object(_hashable(frame), index=True).values.tobytes()


def _hashable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = [json.dumps(v, sort_keys=True, default=str) for v in out[column]]
    return out
