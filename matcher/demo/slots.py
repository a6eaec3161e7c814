"""Who writes a post, and the values its template slots take in their voice and scene."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from matcher.demo.names import band_name, pick
from matcher.demo.places import CURRENCY, REGIONS_WITH_THE
from matcher.demo.vocab import (
    GENRE_FAMILIES,
    INFLUENCES,
    INSTRUMENTS,
    ROLE_INSTRUMENTS,
    ROLE_WORDS,
)

_PRONOUNS = {
    "we": {
        "We": "We",
        "we": "we",
        "us": "us",
        "our": "our",
        "Our": "Our",
        "we're": "we're",
        "We're": "We're",
        "we've": "we've",
        "We've": "We've",
        "we'll": "we'll",
        "We'll": "We'll",
    },
    "I": {
        "We": "I",
        "we": "I",
        "us": "me",
        "our": "my",
        "Our": "My",
        "we're": "I'm",
        "We're": "I'm",
        "we've": "I've",
        "We've": "I've",
        "we'll": "I'll",
        "We'll": "I'll",
    },
}
_UNITS = {
    "band": ("band", "band", "four-piece", "three-piece", "duo", "five-piece", "outfit"),
    "artist": ("solo project", "project", "songwriter", "artist"),
    "venue": ("venue",),
    "promoter": ("night",),
    "studio": ("studio",),
    "label": ("label",),
    "radio": ("show",),
    "writer": ("blog",),
}
_CRAFTS = {
    "studio": ("recording sessions", "studio time", "rehearsal room"),
    "photographer": ("photo shoots", "gig photography", "portraits and press shots"),
    "videographer": ("music videos", "live session filming", "video"),
    "designer": ("design work", "poster and cover design", "artwork"),
    "engineer": ("mixing and mastering", "live sound", "recording and mixing"),
    "producer": ("production", "production and mixing", "beats and production"),
}
_FEES = {
    "mixing": (40, 150),
    "mastering": (20, 70),
    "recording": (150, 450),
    "rehearsal": (10, 25),
    "production": (100, 500),
    "photos": (60, 250),
    "video": (150, 900),
    "design": (40, 300),
    "venue_hire": (100, 600),
    "live_sound": (80, 200),
    "lessons": (20, 45),
    "van": (60, 150),
    "backline": (40, 150),
    "press": (30, 120),
}
_RECORDS = ("EP", "album", "single", "debut EP", "new record", "LP", "demo", "first album")
_DAYS = ("Tuesday nights", "weekends", "weekday evenings", "Sunday afternoons", "Mondays")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Author:
    """Who writes a post: their kind, voice, tone and scene."""

    kind: str
    name: str
    voice: str  # "we" or "I"
    tone: str  # formal | plain | chatty
    country: str
    region: str
    town: str
    genres: tuple[str, ...]
    family: str
    instruments: tuple[str, ...]
    capacity_people: int


class Slots(dict):
    """Values of a template's `{slots}`, drawn on first use and then kept for the whole post."""

    def __init__(self, author: Author, rng: np.random.Generator, **known: object) -> None:
        super().__init__(_PRONOUNS[author.voice])
        self.author, self.rng = author, rng
        self.update({k: v for k, v in known.items() if v is not None})

    def __missing__(self, key: str) -> str:
        value = self._draw(key)
        self[key] = value
        return value

    def _draw(self, key: str) -> str:
        a, rng = self.author, self.rng
        if key == "genre":
            return pick(rng, a.genres)
        if key == "genre2":
            others = [g for g in a.genres if g != self["genre"]]
            family = [g for g in GENRE_FAMILIES[a.family] if g != self["genre"]]
            return pick(rng, others or family)
        if key in ("ref", "ref2", "ref3"):
            taken = {self.get(k) for k in ("ref", "ref2", "ref3") if k != key}
            return pick(rng, [r for r in INFLUENCES[a.family] if r not in taken])
        if key in ("credit", "credit2"):
            return band_name(rng)
        if key == "place":
            return a.town
        if key == "town":
            return a.town
        if key == "region":
            return a.region
        if key == "the_region":
            return f"the {a.region}" if a.region in REGIONS_WITH_THE else a.region
        if key == "booker":
            if a.kind == "promoter":
                return pick(rng, ("Promoter", "DIY promoter", "Gig promoter"))
            return pick(rng, ("Booking agent", "Manager and booker", "Tour booker"))
        if key == "player":
            return pick(rng, ROLE_WORDS[str(self["service"])])
        if key == "players":
            return self["player"] + "s"
        if key == "instrument":
            role = ROLE_INSTRUMENTS.get(str(self.get("service")))
            own = [i for i in a.instruments if role is None or i in role]
            return pick(rng, own or list(role or INSTRUMENTS))
        if key == "instrument2":
            others = [i for i in a.instruments if i != self["instrument"]]
            return pick(rng, others or ["theory"])
        if key == "unit":
            return pick(rng, _UNITS.get(a.kind, ("project",)))
        if key == "craft":
            if a.kind == "teacher":
                return f"{self['instrument']} lessons"
            if a.kind == "session_musician":
                return f"session {self['instrument']}"
            return pick(rng, _CRAFTS.get(a.kind, ("freelance work",)))
        if key == "record":
            return pick(rng, _RECORDS)
        if key == "month":
            return self._month(int(rng.integers(1, 4)))
        if key == "date":
            day = int(rng.integers(1, 29))
            nth = f"{day}{_ordinal(day)}"
            forms = (f"{pick(rng, _WEEKDAYS)} {nth}", f"the {nth}", f"{nth} {self['month']}")
            return pick(rng, forms)
        if key == "days":
            return pick(rng, _DAYS)
        if key == "day":
            return pick(rng, _WEEKDAYS)
        if key == "cur":
            return CURRENCY[a.country]
        if key == "fee":
            low, high = _FEES.get(str(self.get("service")), (50, 300))
            step = 5 if high <= 100 else 10 if high <= 300 else 50
            return str(int(rng.integers(low // step, high // step + 1)) * step)
        if key == "host":  # who puts the gig on
            if a.kind == "venue":
                return f"a {a.capacity_people}-cap venue"
            return pick(rng, ("a DIY promoter", "a small promoter", "an independent promoter"))
        if key == "cap":
            return str(a.capacity_people)
        if key == "n":
            return str(int(rng.integers(2, 6)))
        if key == "years":
            return str(int(rng.integers(2, 26)))
        if key == "year":
            return str(int(rng.integers(1995, 2023)))
        if key == "name":
            return a.name
        raise KeyError(key)

    def _month(self, ahead: int) -> str:
        created = self.get("created")
        month = created.month if isinstance(created, datetime) else 1
        return calendar.month_name[(month - 1 + ahead) % 12 + 1]


def _ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
