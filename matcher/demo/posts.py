"""The needs and offers of the demo scene: where, when, in whose words, with which tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from matcher.demo.members import LEARNED, LEARNED_P, Cast
from matcher.demo.places import TOWNS
from matcher.demo.services import AWAY_NEEDS
from matcher.demo.vocab import (
    FAMILY_INSTRUMENTS,
    GENRES,
    INSTRUMENT_ROLE,
    ROLE_INSTRUMENTS,
    SERVICE_SKILL,
)
from matcher.demo.writing import write_post

# The tag a post of each service carries (players carry their instrument instead).
POST_TAG = {
    **SERVICE_SKILL,
    "clients": "work wanted",
    "new_music": "new music",
    "live_act": "live acts",
    "referrals": "networking",
}


@dataclass
class Posts:
    """Every post, in id order; times in days relative to `now`, NaN where there is none."""

    ids: list[str]
    member: np.ndarray
    side: list[str]
    service: list[str]
    town: list[str]  # where the post is about
    lat: np.ndarray
    lon: np.ndarray
    instrument: list[str | None]
    created: np.ndarray
    expires: np.ndarray
    closed: np.ndarray
    text: list[str]
    tags: list[list[str]]

    def __len__(self) -> int:
        return len(self.ids)


def write_posts(cast: Cast, now: datetime, rng: np.random.Generator) -> Posts:
    """Each member's planned needs and offers, written in their own voice."""
    rows: list[dict] = []
    for i in range(len(cast)):
        for side, services in (("need", cast.needs[i]), ("offer", cast.offers[i])):
            for service in services:
                rows.append(_post(cast, i, side, service, now, rng))
    n = len(rows)
    return Posts(
        ids=[f"p{k + 1:06d}" for k in range(n)],
        member=np.array([r["member"] for r in rows], dtype=np.int64),
        side=[r["side"] for r in rows],
        service=[r["service"] for r in rows],
        town=[r["town"] for r in rows],
        lat=np.array([r["lat"] for r in rows], dtype=float),
        lon=np.array([r["lon"] for r in rows], dtype=float),
        instrument=[r["instrument"] for r in rows],
        created=np.array([r["created"] for r in rows], dtype=float),
        expires=np.array([r["expires"] for r in rows], dtype=float),
        closed=np.array([r["closed"] for r in rows], dtype=bool),
        text=[r["text"] for r in rows],
        tags=[r["tags"] for r in rows],
    )


def _post(cast: Cast, i: int, side: str, service: str, now: datetime, rng: np.random.Generator):
    joined, until = float(cast.joined[i]), float(cast.present_until[i])
    town, lat, lon = TOWNS[int(cast.town[i])].name, float(cast.lat[i]), float(cast.lon[i])
    if side == "need":
        ago = float(rng.exponential(80.0))  # most needs are recent; old ones linger
        span = until - joined
        created = until - ago if ago < span else joined + span * float(rng.random())
        if rng.random() < AWAY_NEEDS.get(service, 0.0):
            away = _away_town(int(cast.town[i]), rng)
            town, lat, lon = away.name, away.latitude, away.longitude
        expires = created + float(rng.uniform(14, 90)) if rng.random() < 0.12 else np.nan
        closed = rng.random() < 0.03
    else:
        created = joined + float(rng.exponential(8.0))
        expires = created + float(rng.uniform(30, 150)) if rng.random() < 0.04 else np.nan
        closed = rng.random() < 0.04
    created = min(created, until, -0.02)
    instrument = _instrument(cast, i, side, service, rng)
    text = write_post(
        cast.authors[i],
        side,
        service,
        rng,
        place=town,
        instrument=instrument,
        created=now + timedelta(days=created),
    )
    return {
        "member": i,
        "side": side,
        "service": service,
        "town": town,
        "lat": lat,
        "lon": lon,
        "instrument": instrument,
        "created": created,
        "expires": expires,
        "closed": closed,
        "text": text,
        "tags": _tags(cast, i, service, instrument, rng),
    }


def _away_town(home: int, rng: np.random.Generator):
    """A tour stop: another town, usually in the same country."""
    country = TOWNS[home].country
    same = rng.random() < 0.75
    options = [
        k for k, t in enumerate(TOWNS) if k != home and (t.country == country or not same)
    ] or [k for k in range(len(TOWNS)) if k != home]
    weights = np.array([TOWNS[k].weight for k in options])
    return TOWNS[options[int(rng.choice(len(options), p=weights / weights.sum()))]]


def _instrument(cast: Cast, i: int, side: str, service: str, rng: np.random.Generator):
    """The instrument a post is about: a player's, a wanted player's, or one to learn."""
    plays = cast.instruments[i]
    if service in ROLE_INSTRUMENTS:
        own = [p for p in plays if INSTRUMENT_ROLE.get(p) == service]
        if side == "offer" and own:
            return own[0]
        options = ROLE_INSTRUMENTS[service]
        favoured = FAMILY_INSTRUMENTS.get(cast.authors[i].family, ())
        weights = np.array([4.0 if k == 0 else 2.0 if o in favoured else 0.4
                            for k, o in enumerate(options)])  # fmt: skip
        return options[int(rng.choice(len(options), p=weights / weights.sum()))]
    if service == "lessons":
        if side == "offer" and plays:
            return plays[0]
        options = [x for x in LEARNED if x not in plays]
        weights = np.array([LEARNED_P[LEARNED.index(x)] for x in options])
        return options[int(rng.choice(len(options), p=weights / weights.sum()))]
    return None


def _tags(cast: Cast, i: int, service: str, instrument: str | None, rng: np.random.Generator):
    """A post's tags: what it is about and a genre or two; now and then a little off."""
    tags = [instrument] if instrument else []
    if service in POST_TAG:
        tags.append(POST_TAG[service])
    genres = list(cast.genres[i])
    k = int(rng.integers(0, min(2, len(genres)) + 1))
    tags += [genres[int(j)] for j in rng.permutation(len(genres))[:k]]
    if rng.random() < 0.08 and len(tags) > 1:
        tags.pop(0)  # forgot the main tag
    if rng.random() < 0.07:
        tags.append(GENRES[int(rng.integers(len(GENRES)))])  # a genre they do not list
    return list(dict.fromkeys(tags))
