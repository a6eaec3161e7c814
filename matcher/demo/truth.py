"""The hidden truth of a demo community: what each post is really about, and who is a good match."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matcher.demo.services import SERVICES
from matcher.demo.vocab import GENRES
from matcher.errors import NotFound
from matcher.geo import haversine_km

GOOD_MATCH = 0.4  # compatibility from which a helper counts as a good match
DISTANCE_FLOOR = 0.02  # how good a far-away helper still is for a local need
LESSON_MISMATCH = 0.3  # a teacher of another instrument


@dataclass(frozen=True)
class DemoTruth:
    """Intent of every post and hidden traits of every member, and the compatibility they imply.

    compatibility(need, helper) = role x genre x distance x reliability, each in [0, 1]:
    how well the helper's offers serve the need's service, how much their genres overlap
    (for services where genre matters), how near they are to where the need is (for services
    that do not travel), and how reliably they follow through.
    """

    member_ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    genres: list[tuple[str, ...]]
    instruments: list[tuple[str, ...]]
    reliability: np.ndarray
    activity: np.ndarray
    post_ids: list[str]
    post_member: np.ndarray  # member index of each post
    post_side: list[str]
    post_service: list[str]
    post_lat: np.ndarray  # where the post is about (a need's place)
    post_lon: np.ndarray
    post_instrument: list[str | None]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def intent(self, post_id: str) -> str:
        """What a post is about, e.g. `need:drummer` or `offer:mixing`."""
        p = self._post(post_id)
        return f"{self.post_side[p]}:{self.post_service[p]}"

    def compatibility(self, need_post_id: str, member_id: str) -> float:
        """How good a match `member_id` is for the need: 0 (no use) to 1 (ideal)."""
        m = self._members().get(member_id)
        if m is None:
            raise NotFound(f"no member {member_id!r}")
        return float(self.scores(need_post_id)[m])

    def good_helpers(self, need_post_id: str, threshold: float = GOOD_MATCH) -> set[str]:
        """The members whose compatibility with the need reaches `threshold`."""
        scores = self.scores(need_post_id)
        return {self.member_ids[i] for i in np.flatnonzero(scores >= threshold)}

    def scores(self, need_post_id: str) -> np.ndarray:
        """Compatibility of every member (in `member_ids` order) with one need."""
        idx, role, genre, distance = self.factors(self._post(need_post_id))
        out = np.zeros(len(self.member_ids))
        out[idx] = role * genre * distance * (0.55 + 0.45 * self.reliability[idx])
        return out

    def factors(self, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For need post index `p`: the members who could serve it at all (`idx`), and their
        role, genre and distance factors. Everyone else has compatibility 0."""
        if self.post_side[p] != "need":
            raise NotFound(f"post {self.post_ids[p]!r} is not a need")
        service = SERVICES[self.post_service[p]]
        seeker = int(self.post_member[p])
        idx, role = self._pool(service.name)
        if service.name == "lessons" and self.post_instrument[p]:
            role = role * np.where(self._plays(self.post_instrument[p])[idx], 1.0, LESSON_MISMATCH)
        others = idx != seeker
        idx, role = idx[others], role[others]
        masks = self._masks()
        shared = np.bitwise_count(masks[idx] & masks[seeker]).astype(float)
        sizes = np.bitwise_count(masks[idx]).astype(float)
        seeker_size = float(np.bitwise_count(masks[seeker]))
        overlap = shared / np.maximum(1.0, np.minimum(sizes, seeker_size))
        genre = 1.0 - service.genre_weight + service.genre_weight * overlap
        if service.reach_km is None:
            distance = np.ones(len(idx))
        else:
            km = haversine_km(self.post_lat[p], self.post_lon[p], self.lat[idx], self.lon[idx])
            distance = DISTANCE_FLOOR + (1 - DISTANCE_FLOOR) * np.exp(-km / service.reach_km)
        return idx, role, genre, distance

    def member_index(self, member_id: str) -> int:
        """The position of a member in `member_ids`."""
        m = self._members().get(member_id)
        if m is None:
            raise NotFound(f"no member {member_id!r}")
        return m

    def to_json(self) -> dict[str, Any]:
        """Everything needed to rebuild this truth, as plain JSON."""
        return {
            "good_match": GOOD_MATCH,
            "members": [
                {
                    "id": self.member_ids[i],
                    "reliability": round(float(self.reliability[i]), 4),
                    "activity": round(float(self.activity[i]), 4),
                    "latitude": round(float(self.lat[i]), 5),
                    "longitude": round(float(self.lon[i]), 5),
                    "genres": list(self.genres[i]),
                    "instruments": list(self.instruments[i]),
                }
                for i in range(len(self.member_ids))
            ],
            "posts": [
                {
                    "id": self.post_ids[p],
                    "member_id": self.member_ids[int(self.post_member[p])],
                    "intent": f"{self.post_side[p]}:{self.post_service[p]}",
                    "latitude": round(float(self.post_lat[p]), 5),
                    "longitude": round(float(self.post_lon[p]), 5),
                    "instrument": self.post_instrument[p],
                }
                for p in range(len(self.post_ids))
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DemoTruth:
        """A truth rebuilt from `to_json` output."""
        members, posts = data["members"], data["posts"]
        index = {m["id"]: i for i, m in enumerate(members)}
        sides, services = zip(*(p["intent"].split(":", 1) for p in posts), strict=True)
        return cls(
            member_ids=[m["id"] for m in members],
            lat=np.array([m["latitude"] for m in members], dtype=float),
            lon=np.array([m["longitude"] for m in members], dtype=float),
            genres=[tuple(m["genres"]) for m in members],
            instruments=[tuple(m["instruments"]) for m in members],
            reliability=np.array([m["reliability"] for m in members], dtype=float),
            activity=np.array([m["activity"] for m in members], dtype=float),
            post_ids=[p["id"] for p in posts],
            post_member=np.array([index[p["member_id"]] for p in posts], dtype=np.int64),
            post_side=list(sides),
            post_service=list(services),
            post_lat=np.array([p["latitude"] for p in posts], dtype=float),
            post_lon=np.array([p["longitude"] for p in posts], dtype=float),
            post_instrument=[p["instrument"] for p in posts],
        )

    def save(self, path: Path) -> Path:
        """Write the truth as JSON to `path`."""
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> DemoTruth:
        """Read a truth written by `save`."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))

    def _post(self, post_id: str) -> int:
        if "posts" not in self._cache:
            self._cache["posts"] = {p: i for i, p in enumerate(self.post_ids)}
        p = self._cache["posts"].get(post_id)
        if p is None:
            raise NotFound(f"no post {post_id!r}")
        return p

    def _members(self) -> dict[str, int]:
        if "members" not in self._cache:
            self._cache["members"] = {m: i for i, m in enumerate(self.member_ids)}
        return self._cache["members"]

    def _pool(self, need_service: str) -> tuple[np.ndarray, np.ndarray]:
        """Members who offer something serving `need_service` (sorted), and how well (max)."""
        key = f"pool:{need_service}"
        if key not in self._cache:
            offerers = self._offerers()
            parts = [
                (offerers[s], np.full(len(offerers[s]), w))
                for s, w in SERVICES[need_service].serves.items()
                if s in offerers
            ]
            idx = np.concatenate([i for i, _ in parts] or [np.zeros(0, dtype=np.int64)])
            weight = np.concatenate([w for _, w in parts] or [np.zeros(0)])
            order = np.lexsort((-weight, idx))  # by member, best weight first
            idx, weight = idx[order], weight[order]
            first = np.ones(len(idx), dtype=bool)
            first[1:] = idx[1:] != idx[:-1]
            self._cache[key] = (idx[first], weight[first])
        return self._cache[key]

    def _offerers(self) -> dict[str, np.ndarray]:
        """For each offered service, the members offering it."""
        if "offerers" not in self._cache:
            by_service: dict[str, list[int]] = {}
            for p, side in enumerate(self.post_side):
                if side == "offer":
                    by_service.setdefault(self.post_service[p], []).append(int(self.post_member[p]))
            self._cache["offerers"] = {
                s: np.unique(np.array(v, dtype=np.int64)) for s, v in by_service.items()
            }
        return self._cache["offerers"]

    def _plays(self, instrument: str) -> np.ndarray:
        key = f"plays:{instrument}"
        if key not in self._cache:
            self._cache[key] = np.array([instrument in i for i in self.instruments], dtype=bool)
        return self._cache[key]

    def _masks(self) -> np.ndarray:
        if "masks" not in self._cache:
            bit = {g: np.uint64(1) << np.uint64(i) for i, g in enumerate(GENRES)}
            self._cache["masks"] = np.array(
                [
                    np.bitwise_or.reduce([bit[g] for g in gs] or [np.uint64(0)])
                    for gs in self.genres
                ],
                dtype=np.uint64,
            )
        return self._cache["masks"]
