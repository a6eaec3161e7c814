"""A whole demo community: members, posts and history as import frames, plus the hidden truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from matcher.demo.bios import write_bio
from matcher.demo.history import History, simulate
from matcher.demo.members import Cast, cast_members, member_tags
from matcher.demo.places import TOWNS
from matcher.demo.posts import Posts, write_posts
from matcher.demo.truth import GOOD_MATCH, DemoTruth
from matcher.errors import InvalidInput

if TYPE_CHECKING:
    from matcher.io import Frames

Progress = Callable[[str], None]
STEPS = ("members", "posts", "history", "frames")
TRUTH_FILE = "truth.json"


@dataclass(frozen=True)
class DemoCommunity:
    """The three import frames of a demo community and the truth behind them."""

    members: pd.DataFrame
    posts: pd.DataFrame
    interactions: pd.DataFrame
    truth: DemoTruth
    seed: int
    now: datetime

    def frames(self) -> Frames:
        """The members, posts and interactions as `matcher.io.Frames`, ready to write or import."""
        from matcher.io import Frames

        return Frames(members=self.members, posts=self.posts, interactions=self.interactions)

    def intent(self, post_id: str) -> str:
        """What a post is really about, e.g. `need:drummer`."""
        return self.truth.intent(post_id)

    def compatibility(self, need_post_id: str, member_id: str) -> float:
        """How good a match the member is for the need, in [0, 1]."""
        return self.truth.compatibility(need_post_id, member_id)

    def good_helpers(self, need_post_id: str, threshold: float = GOOD_MATCH) -> set[str]:
        """The members who would be a good match for the need."""
        return self.truth.good_helpers(need_post_id, threshold)

    def write(self, folder: Path, fmt: str = "csv") -> list[Path]:
        """Write the import files and `truth.json` into `folder`; the paths written."""
        from matcher.io import write_files

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = list(write_files(self.frames(), folder, fmt=fmt))
        return [*paths, self.truth.save(folder / TRUTH_FILE)]

    def counts(self) -> dict[str, int]:
        """Members, needs, offers, and interactions of each kind."""
        sides = self.posts["side"].value_counts()
        out = {
            "members": len(self.members),
            "needs": int(sides.get("need", 0)),
            "offers": int(sides.get("offer", 0)),
            "interactions": len(self.interactions),
        }
        out.update(self.interactions["kind"].value_counts().sort_index().to_dict())
        return out


def today(clock: Callable[[], datetime] | None = None) -> datetime:
    """Midnight UTC of the clock's day: the default `now` of a demo, stable for a whole day."""
    moment = (clock or (lambda: datetime.now(UTC)))()
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def generate(
    members: int, seed: int, *, now: datetime, progress: Progress | None = None
) -> DemoCommunity:
    """A realistic indie music community of `members`; the same seed and `now` give the same one."""
    if members < 1:
        raise InvalidInput("a demo community needs at least one member", field="members")
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    step = progress or (lambda _name: None)
    rng = np.random.default_rng(seed)
    step("members")
    cast = cast_members(members, rng)
    step("posts")
    posts = write_posts(cast, now, rng)
    truth = _truth(cast, posts)
    step("history")
    history = simulate(cast, posts, truth, rng)
    step("frames")
    closed = posts.closed.copy()
    for p in sorted(history.helped_needs):
        closed[p] = closed[p] or rng.random() < 0.6
    return DemoCommunity(
        members=_members_frame(cast, posts, history, now, rng),
        posts=_posts_frame(cast, posts, closed, now),
        interactions=_interactions_frame(cast, posts, history, now),
        truth=truth,
        seed=seed,
        now=now,
    )


def _truth(cast: Cast, posts: Posts) -> DemoTruth:
    return DemoTruth(
        member_ids=cast.ids,
        lat=cast.lat,
        lon=cast.lon,
        genres=cast.genres,
        instruments=cast.instruments,
        reliability=cast.reliability,
        activity=cast.activity,
        post_ids=posts.ids,
        post_member=posts.member,
        post_side=posts.side,
        post_service=posts.service,
        post_lat=posts.lat,
        post_lon=posts.lon,
        post_instrument=posts.instrument,
    )


def _times(now: datetime, days: np.ndarray) -> pd.Series:
    """UTC timestamps `days` from `now`, to the second; NaN days give NaT."""
    stamps = pd.Timestamp(now) + pd.to_timedelta(np.asarray(days, dtype=float), unit="D")
    return pd.Series(stamps).dt.floor("s")


def _members_frame(cast: Cast, posts: Posts, history: History, now, rng) -> pd.DataFrame:
    last_active = cast.last_visit.copy()
    np.maximum.at(last_active, posts.member, posts.created)
    np.maximum.at(last_active, history.source, history.at)
    offered: list[list[str]] = [[] for _ in range(len(cast))]
    for p in range(len(posts)):
        if posts.side[p] == "offer":
            offered[int(posts.member[p])].append(posts.service[p])
    return pd.DataFrame(
        {
            "id": cast.ids,
            "name": cast.name,
            "kind": cast.kind,
            "town": [TOWNS[t].name for t in cast.town],
            "country": [TOWNS[t].country for t in cast.town],
            "latitude": np.round(cast.lat, 5),
            "longitude": np.round(cast.lon, 5),
            "tags": [member_tags(cast, i, offered[i], rng) for i in range(len(cast))],
            "bio": [write_bio(a, rng) for a in cast.authors],
            "email": cast.email,
            "email_consent": cast.email_consent,
            "contact": cast.contact,
            "share_contact": cast.share_contact,
            "capacity": cast.capacity.astype(int),
            "active": cast.active,
            "joined_at": _times(now, cast.joined),
            "last_active_at": _times(now, last_active),
        }
    )


def _posts_frame(cast: Cast, posts: Posts, closed: np.ndarray, now) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": posts.ids,
            "member_id": [cast.ids[m] for m in posts.member],
            "side": posts.side,
            "text": posts.text,
            "tags": posts.tags,
            "status": np.where(closed, "closed", "open"),
            "created_at": _times(now, posts.created),
            "expires_at": _times(now, posts.expires),
        }
    )


def _interactions_frame(cast: Cast, posts: Posts, history: History, now) -> pd.DataFrame:
    def post_id(p: int) -> str | None:
        return posts.ids[p] if p >= 0 else None

    return pd.DataFrame(
        {
            "id": [f"i{k + 1:07d}" for k in range(len(history))],
            "kind": history.kind,
            "from_member_id": [cast.ids[m] for m in history.source],
            "to_member_id": [cast.ids[m] for m in history.target],
            "need_id": [post_id(int(p)) for p in history.need],
            "offer_id": [post_id(int(p)) for p in history.offer],
            "occurred_at": _times(now, history.at),
        }
    )
