"""The cast of the demo scene: who the members are, where, what they play, and what they want."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.demo.names import contact_for, email_for, member_name
from matcher.demo.places import TOWNS
from matcher.demo.services import KIND_PROFILES, SESSION
from matcher.demo.slots import Author
from matcher.demo.vocab import (
    EXTRA_SKILLS,
    FAMILY_INSTRUMENTS,
    FAMILY_WEIGHTS,
    GENRE_FAMILIES,
    GENRE_FAMILY,
    GENRES,
    INSTRUMENT_ROLE,
    ROLE_INSTRUMENTS,
    ROLE_WEIGHTS,
    SERVICE_SKILL,
)

KINDS: tuple[str, ...] = tuple(KIND_PROFILES)
GENRE_BIT = {g: np.uint64(1) << np.uint64(i) for i, g in enumerate(GENRES)}
# What people learn, and what artists and teachers tend to play.
LEARNED = ("guitar", "piano", "drums", "vocals", "bass", "violin", "saxophone", "cello", "banjo")
LEARNED_P = (0.3, 0.16, 0.13, 0.13, 0.09, 0.07, 0.05, 0.04, 0.03)
ARTIST_PLAYS = ("guitar", "vocals", "piano", "keys", "synth", "bass", "banjo", "violin")
ARTIST_PLAYS_P = (0.32, 0.3, 0.12, 0.08, 0.08, 0.04, 0.03, 0.03)
_TONES = ("formal", "plain", "chatty")
_ORGS = {"venue", "studio", "label", "radio"}
_CAPACITY_P = (0.12, 0.28, 0.27, 0.15, 0.1, 0.08)
_VENUE_SIZES = (60, 80, 100, 120, 150, 200, 250, 300, 350, 450, 600, 900)


@dataclass
class Cast:
    """Every member's public profile and hidden traits, one entry per member, in id order.

    Times are in days relative to `now` (negative: in the past).
    """

    ids: list[str]
    kind: list[str]
    name: list[str]
    town: np.ndarray  # index into TOWNS
    lat: np.ndarray
    lon: np.ndarray
    genres: list[tuple[str, ...]]
    genre_mask: np.ndarray  # uint64 bits of GENRES
    instruments: list[tuple[str, ...]]
    authors: list[Author]
    needs: list[list[str]]  # planned need services
    offers: list[list[str]]  # planned offer services
    reliability: np.ndarray  # hidden: how often they follow through
    activity: np.ndarray  # hidden: how much they use the community
    active: np.ndarray
    joined: np.ndarray
    present_until: np.ndarray  # hidden: now for active members, when they left for the others
    last_visit: np.ndarray  # their last visit (last_active_at also counts what they did)
    capacity: np.ndarray
    email: list[str]
    email_consent: np.ndarray
    contact: list[str | None]
    share_contact: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def cast_members(n: int, rng: np.random.Generator) -> Cast:
    """`n` members in sensible proportions of kind, spread over the towns by scene size."""
    shares = np.array([KIND_PROFILES[k].share for k in KINDS])
    kind_idx = rng.choice(len(KINDS), size=n, p=shares / shares.sum())
    _ensure_every_kind(kind_idx, rng)
    weights = np.array([t.weight for t in TOWNS])
    town = rng.choice(len(TOWNS), size=n, p=weights / weights.sum())
    lat = np.array([TOWNS[t].latitude for t in town]) + rng.normal(0, 0.03, n)
    lon = np.array([TOWNS[t].longitude for t in town]) + rng.normal(0, 0.045, n)
    reliability = rng.beta(2.5, 1.5, n)
    activity = rng.beta(0.6, 2.4, n)
    active = rng.random(n) >= 0.1
    joined = -(1.0 + 729.0 * rng.random(n) ** 1.3)
    present_until, last_visit = _presence(joined, activity, active, rng)
    capacity = rng.choice(np.arange(1, 7), size=n, p=_CAPACITY_P)

    kinds, names, genres, masks, instruments, authors, needs, offers = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    emails, contacts = [], []
    email_consent = rng.random(n) < 0.78
    share_contact = rng.random(n) < 0.35
    for i in range(n):
        kind = KINDS[kind_idx[i]]
        t = TOWNS[town[i]]
        family, member_genres = _genres(t.scene, rng)
        plays = _instruments(kind, family, rng)
        profile = KIND_PROFILES[kind]
        voice = profile.voice if profile.voice != "mixed" else ("we", "I")[int(rng.integers(2))]
        name = member_name(kind, t.name, rng)
        tone_p = (0.35, 0.5, 0.15) if kind in _ORGS else (0.12, 0.5, 0.38)
        tone = _TONES[int(rng.choice(3, p=tone_p))]
        people = int(rng.choice(_VENUE_SIZES)) if kind == "venue" else int(rng.integers(30, 200))
        kinds.append(kind)
        names.append(name)
        genres.append(member_genres)
        masks.append(np.bitwise_or.reduce([GENRE_BIT[g] for g in member_genres]))
        instruments.append(plays)
        authors.append(
            Author(
                kind,
                name,
                voice,
                tone,
                t.country,
                t.region,
                t.name,
                member_genres,
                family,
                plays,
                people,
            )
        )
        needs.append(_plan(profile.needs, profile.n_needs, rng))
        offers.append(_offers(kind, plays, rng))
        emails.append(email_for(name, t.country, rng))
        has_contact = share_contact[i] or rng.random() < 0.75
        contacts.append(contact_for(name, t.country, rng) if has_contact else None)
    return Cast(
        ids=[f"m{i + 1:06d}" for i in range(n)],
        kind=kinds,
        name=names,
        town=town,
        lat=lat,
        lon=lon,
        genres=genres,
        genre_mask=np.array(masks, dtype=np.uint64),
        instruments=instruments,
        authors=authors,
        needs=needs,
        offers=offers,
        reliability=reliability,
        activity=activity,
        active=active,
        joined=joined,
        present_until=present_until,
        last_visit=last_visit,
        capacity=capacity,
        email=emails,
        email_consent=email_consent,
        contact=contacts,
        share_contact=share_contact,
    )


def member_tags(cast: Cast, i: int, offered: list[str], rng: np.random.Generator) -> list[str]:
    """A member's profile tags: genres, instruments, the skills of what they offer, a few extras."""
    tags = list(cast.genres[i]) + list(cast.instruments[i])
    tags += [SERVICE_SKILL[s] for s in offered if s in SERVICE_SKILL]
    extras = EXTRA_SKILLS.get(cast.kind[i], ())
    if extras and rng.random() < 0.6:
        tags.append(extras[int(rng.integers(len(extras)))])
    return list(dict.fromkeys(tags))


def _ensure_every_kind(kind_idx: np.ndarray, rng: np.random.Generator) -> None:
    """Give every kind at least one member (in a community big enough to hold them all)."""
    if len(kind_idx) < 4 * len(KINDS):
        return
    counts = np.bincount(kind_idx, minlength=len(KINDS))
    for k in np.flatnonzero(counts == 0):
        common = np.flatnonzero(kind_idx == int(np.argmax(np.bincount(kind_idx))))
        kind_idx[int(rng.choice(common))] = k


def _presence(joined, activity, active, rng) -> tuple[np.ndarray, np.ndarray]:
    """Until when each member is around, and their last visit (the keener, the more recent)."""
    n = len(joined)
    left = joined + (-joined) * rng.uniform(0.1, 0.9, n)  # inactive members stopped at some point
    until = np.where(active, 0.0, np.minimum(left, -30.0 * rng.random(n)))
    until = np.maximum(until, joined)
    gap = rng.exponential(1.0 + 40.0 * (1.0 - activity) ** 2)
    visit = np.maximum(until - gap, joined)
    return until, visit


def _genres(scene: tuple[str, ...], rng: np.random.Generator) -> tuple[str, tuple[str, ...]]:
    """A member's genre family and one to three genres, nudged towards their town's scene."""
    if scene and rng.random() < 0.35:
        first = scene[int(rng.integers(len(scene)))]
        family = GENRE_FAMILY[first]
    else:
        families = list(FAMILY_WEIGHTS)
        weights = np.array([FAMILY_WEIGHTS[f] for f in families])
        family = families[int(rng.choice(len(families), p=weights / weights.sum()))]
        first = GENRE_FAMILIES[family][int(rng.integers(len(GENRE_FAMILIES[family])))]
    chosen = [first]
    for _ in range(int(rng.choice(3, p=(0.35, 0.45, 0.2)))):
        pool = GENRE_FAMILIES[family] if rng.random() < 0.75 else GENRES
        genre = pool[int(rng.integers(len(pool)))]
        if genre not in chosen:
            chosen.append(genre)
    return family, tuple(chosen)


def _instruments(kind: str, family: str, rng: np.random.Generator) -> tuple[str, ...]:
    """What a member plays (or teaches), given their kind and genre family."""
    if kind == "session_musician":
        roles = list(ROLE_WEIGHTS)
        weights = np.array([ROLE_WEIGHTS[r] for r in roles])
        favoured = FAMILY_INSTRUMENTS.get(family, ())
        weights = weights * [
            1.0 + 2.0 * any(i in favoured for i in ROLE_INSTRUMENTS[r]) for r in roles
        ]
        role = roles[int(rng.choice(len(roles), p=weights / weights.sum()))]
        options = ROLE_INSTRUMENTS[role]
        first = options[int(rng.choice(len(options), p=_tilt(options, favoured)))]
        plays = [first]
        if rng.random() < 0.45:
            plays.append(ARTIST_PLAYS[int(rng.choice(len(ARTIST_PLAYS), p=ARTIST_PLAYS_P))])
        return tuple(dict.fromkeys(plays))
    if kind == "artist":
        k = 1 + int(rng.random() < 0.5)
        picks = rng.choice(len(ARTIST_PLAYS), size=k, replace=False, p=ARTIST_PLAYS_P)
        return tuple(ARTIST_PLAYS[int(j)] for j in picks)
    if kind == "teacher":
        k = 1 + int(rng.choice(3, p=(0.5, 0.35, 0.15)))
        picks = rng.choice(len(LEARNED), size=k, replace=False, p=LEARNED_P)
        return tuple(LEARNED[int(j)] for j in picks)
    if kind == "producer" and rng.random() < 0.5:
        return (("synth", "keys", "guitar")[int(rng.integers(3))],)
    if kind == "fan" and rng.random() < 0.2:
        return ("guitar",)
    return ()


def _tilt(options: tuple[str, ...], favoured: tuple[str, ...]) -> np.ndarray:
    weights = np.array([3.0 if o in favoured else 1.0 for o in options])
    weights[0] *= 2.0  # the plain instrument of a role is the usual one
    return weights / weights.sum()


def _plan(weights: dict[str, float], counts: tuple[float, ...], rng: np.random.Generator):
    """Which services a member posts about: a count, then services drawn without repeats."""
    k = int(rng.choice(len(counts), p=np.array(counts) / sum(counts)))
    names = list(weights)
    w = np.array([weights[s] for s in names])
    k = min(k, len(names))
    return [names[int(j)] for j in rng.choice(len(names), size=k, replace=False, p=w / w.sum())]


def _offers(kind: str, plays: tuple[str, ...], rng: np.random.Generator) -> list[str]:
    """Offer services; "session" becomes the member's own player role(s)."""
    profile = KIND_PROFILES[kind]
    planned = _plan(profile.offers, profile.n_offers, rng)
    roles = list(dict.fromkeys(INSTRUMENT_ROLE[i] for i in plays if i in INSTRUMENT_ROLE))
    out: list[str] = []
    for service in planned:
        if service == SESSION:
            out.extend(roles[: 1 + int(rng.random() < 0.3)])
        else:
            out.append(service)
    if kind == "session_musician" and not any(r in out for r in roles):
        out.insert(0, roles[0])
    return list(dict.fromkeys(out))
