"""A community as three DataFrames: what the build, the ranker and the evaluation work on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.store import Interaction, Member, Post

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
TIME_COLUMNS = (
    "joined_at",
    "last_active_at",
    "created_at",
    "expires_at",
    "updated_at",
    "occurred_at",
)


@dataclass(frozen=True)
class Community:
    """Members, posts and interactions, each indexed by its store id; times are UTC."""

    members: pd.DataFrame
    posts: pd.DataFrame
    interactions: pd.DataFrame

    @classmethod
    def from_frames(
        cls, members: pd.DataFrame, posts: pd.DataFrame, interactions: pd.DataFrame
    ) -> Community:
        """A community from frames with (at least) the standard columns, times made UTC."""
        return cls(_normalise(members), _normalise(posts), _normalise(interactions))

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
        """A SHA-256 of the content, so a build names exactly the data it was made from."""
        digest = hashlib.sha256()
        for frame in (self.members, self.posts, self.interactions):
            digest.update(pd.util.hash_pandas_object(_hashable(frame), index=True).values.tobytes())
        return digest.hexdigest()

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
    return Community.from_frames(members, posts, interactions)


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
        frame["tags"] = [
            list(t) if isinstance(t, list | tuple | np.ndarray) else [] for t in frame["tags"]
        ]
    return frame


def _hashable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = [json.dumps(v, sort_keys=True, default=str) for v in out[column]]
    return out
