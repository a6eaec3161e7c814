"""What members need and offer: the services of the scene, who asks for them, who provides them."""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.demo.vocab import ROLE_INSTRUMENTS


@dataclass(frozen=True)
class Service:
    """A kind of help: how far it travels, how much genre matters, and which services serve it.

    `reach_km` is the distance at which a helper is ~37% as good as one next door; `None` means
    the work travels (mastering, design): distance does not matter. `serves` names the offer
    services that meet this need, with how well (1.0 exactly; less, partly).
    """

    name: str
    reach_km: float | None
    genre_weight: float
    serves: dict[str, float] = field(default_factory=dict)
    family: str = ""  # services whose texts a naive word match confuses share a family


def _service(name: str, reach: float | None, genre: float, family: str, **serves: float):
    return Service(name, reach, genre, {name: 1.0, **serves}, family)


_ROLES = tuple(ROLE_INSTRUMENTS)

SERVICES: dict[str, Service] = {
    s.name: s
    for s in (
        *(_service(role, 35.0, 0.8, "players", songwriting=0.15) for role in _ROLES),
        _service("gig", 60.0, 0.7, "live", booking=0.5),
        _service("live_act", 80.0, 0.75, "live"),
        _service("venue_hire", 25.0, 0.2, "live", rehearsal=0.3),
        _service("booking", 250.0, 0.5, "live", gig=0.4, management=0.4),
        _service("live_sound", 40.0, 0.2, "live"),
        _service("rehearsal", 20.0, 0.1, "studio", venue_hire=0.3),
        _service("recording", 150.0, 0.4, "studio", production=0.7, mixing=0.2),
        _service("production", 500.0, 0.7, "studio", recording=0.4, mixing=0.3, songwriting=0.3),
        _service("mixing", None, 0.45, "studio", production=0.6, mastering=0.3),
        _service("mastering", None, 0.25, "studio", mixing=0.4),
        _service("songwriting", 120.0, 0.75, "players", production=0.4),
        _service("lessons", 15.0, 0.2, "players"),
        _service("photos", 60.0, 0.3, "visual", video=0.2),
        _service("video", 100.0, 0.35, "visual", photos=0.2),
        _service("design", None, 0.4, "visual"),
        _service("press", None, 0.7, "media", airplay=0.3),
        _service("airplay", None, 0.75, "media", press=0.3),
        _service("new_music", None, 0.85, "media"),
        _service("street_team", 30.0, 0.5, "media"),
        _service("release", 1500.0, 0.8, "business", management=0.2),
        _service("management", 400.0, 0.5, "business", booking=0.4),
        Service("clients", 300.0, 0.3, {"referrals": 1.0}, "business"),
        _service("referrals", 300.0, 0.3, "business"),
        _service("accommodation", 15.0, 0.1, "touring"),
        _service("van", 40.0, 0.1, "touring", backline=0.8),
        _service("backline", 40.0, 0.1, "touring"),
    )
}

# Needs that are usually somewhere else (a tour stop): probability the place is not home.
AWAY_NEEDS: dict[str, float] = {"accommodation": 1.0, "gig": 0.25, "van": 0.1}

_PLAYER_NEEDS = {
    "drummer": 3.0,
    "bassist": 2.5,
    "guitarist": 1.5,
    "keyboardist": 1.2,
    "singer": 1.2,
    "string_player": 0.5,
    "horn_player": 0.5,
}


@dataclass(frozen=True)
class KindProfile:
    """A member kind: its share of the scene, how many needs and offers, and of what."""

    share: float
    voice: str  # "we" for groups and organisations, "I" for people, "mixed" for either
    needs: dict[str, float]
    offers: dict[str, float]
    n_needs: tuple[float, ...]  # probabilities of 0, 1, 2, ... needs
    n_offers: tuple[float, ...]


KIND_PROFILES: dict[str, KindProfile] = {
    "band": KindProfile(
        0.2,
        "we",
        {
            **_PLAYER_NEEDS,
            "gig": 4.0,
            "recording": 3.0,
            "mixing": 2.5,
            "mastering": 2.0,
            "production": 1.0,
            "photos": 2.0,
            "video": 1.5,
            "design": 2.0,
            "press": 1.5,
            "airplay": 1.2,
            "release": 1.0,
            "management": 1.0,
            "booking": 1.2,
            "street_team": 0.8,
            "accommodation": 1.0,
            "van": 1.0,
            "rehearsal": 2.0,
            "live_sound": 0.4,
        },
        {"live_act": 3.0, "new_music": 2.0},
        (0.0, 0.45, 0.35, 0.2),
        (0.25, 0.6, 0.15),
    ),
    "artist": KindProfile(
        0.14,
        "I",
        {
            **{r: w * 0.6 for r, w in _PLAYER_NEEDS.items()},
            "gig": 3.0,
            "production": 2.5,
            "recording": 2.0,
            "mixing": 2.0,
            "mastering": 1.8,
            "songwriting": 1.2,
            "photos": 1.5,
            "video": 1.5,
            "design": 1.5,
            "press": 1.5,
            "airplay": 1.2,
            "release": 1.2,
            "management": 1.0,
            "lessons": 0.4,
            "accommodation": 0.5,
            "rehearsal": 0.6,
        },
        {"live_act": 2.0, "new_music": 1.5, "songwriting": 1.0, "session": 1.0},
        (0.05, 0.5, 0.3, 0.15),
        (0.3, 0.55, 0.15),
    ),
    "session_musician": KindProfile(
        0.12,
        "I",
        {
            "clients": 2.0,
            "rehearsal": 1.0,
            "recording": 1.0,
            "photos": 1.0,
            "design": 0.7,
            "lessons": 0.3,
        },
        {"session": 5.0, "lessons": 1.5, "songwriting": 0.5},
        (0.35, 0.5, 0.15),
        (0.0, 0.7, 0.3),
    ),
    "producer": KindProfile(
        0.05,
        "I",
        {
            "singer": 1.5,
            "string_player": 0.7,
            "horn_player": 0.5,
            "clients": 2.0,
            "mastering": 1.5,
            "songwriting": 1.0,
            "design": 0.5,
        },
        {"production": 4.0, "mixing": 2.5, "recording": 1.5, "songwriting": 0.6},
        (0.2, 0.55, 0.25),
        (0.0, 0.6, 0.4),
    ),
    "engineer": KindProfile(
        0.04,
        "I",
        {"clients": 3.0, "design": 0.5},
        {"mixing": 3.0, "mastering": 2.5, "live_sound": 2.5, "recording": 2.0},
        (0.35, 0.55, 0.1),
        (0.0, 0.55, 0.45),
    ),
    "venue": KindProfile(
        0.05,
        "we",
        {
            "live_act": 5.0,
            "live_sound": 2.0,
            "photos": 1.0,
            "design": 1.5,
            "street_team": 1.5,
            "booking": 1.5,
            "video": 0.5,
            "press": 0.7,
        },
        {"gig": 5.0, "venue_hire": 2.5},
        (0.05, 0.45, 0.35, 0.15),
        (0.0, 0.6, 0.4),
    ),
    "promoter": KindProfile(
        0.04,
        "mixed",
        {
            "live_act": 4.0,
            "venue_hire": 2.5,
            "design": 2.0,
            "photos": 1.5,
            "street_team": 2.0,
            "live_sound": 1.0,
            "press": 1.0,
        },
        {"gig": 3.0, "booking": 2.5, "referrals": 1.0},
        (0.05, 0.45, 0.35, 0.15),
        (0.0, 0.65, 0.35),
    ),
    "studio": KindProfile(
        0.04,
        "we",
        {"clients": 4.0, "design": 1.0, "photos": 0.8, "street_team": 0.5, "video": 0.5},
        {"recording": 3.0, "rehearsal": 3.0, "mixing": 1.0, "backline": 0.6, "venue_hire": 0.5},
        (0.3, 0.55, 0.15),
        (0.0, 0.5, 0.4, 0.1),
    ),
    "label": KindProfile(
        0.025,
        "we",
        {
            "new_music": 4.0,
            "mastering": 1.5,
            "design": 2.0,
            "press": 2.0,
            "photos": 1.0,
            "video": 0.8,
            "airplay": 1.5,
            "street_team": 1.0,
        },
        {"release": 4.0, "referrals": 1.0, "new_music": 0.7},
        (0.05, 0.5, 0.3, 0.15),
        (0.0, 0.7, 0.3),
    ),
    "manager": KindProfile(
        0.025,
        "I",
        {
            "new_music": 2.0,
            "gig": 2.0,
            "recording": 1.0,
            "photos": 1.0,
            "press": 1.5,
            "airplay": 1.0,
            "booking": 1.0,
        },
        {"management": 4.0, "booking": 2.0, "referrals": 2.0},
        (0.1, 0.5, 0.3, 0.1),
        (0.0, 0.65, 0.35),
    ),
    "photographer": KindProfile(
        0.04, "I", {"clients": 4.0, "design": 0.6}, {"photos": 5.0}, (0.3, 0.6, 0.1), (0.0, 1.0)
    ),
    "videographer": KindProfile(
        0.025,
        "I",
        {"clients": 4.0, "live_act": 1.0, "design": 0.5},
        {"video": 5.0},
        (0.25, 0.6, 0.15),
        (0.0, 1.0),
    ),
    "designer": KindProfile(
        0.035, "I", {"clients": 4.0, "photos": 0.5}, {"design": 5.0}, (0.3, 0.6, 0.1), (0.0, 1.0)
    ),
    "teacher": KindProfile(
        0.03, "I", {"clients": 4.0, "rehearsal": 1.0}, {"lessons": 5.0}, (0.3, 0.6, 0.1), (0.0, 1.0)
    ),
    "writer": KindProfile(
        0.03,
        "mixed",
        {"new_music": 4.0, "photos": 1.0, "design": 0.7},
        {"press": 5.0},
        (0.2, 0.6, 0.2),
        (0.0, 1.0),
    ),
    "radio": KindProfile(
        0.015,
        "we",
        {"new_music": 4.0, "live_act": 2.0, "design": 0.5},
        {"airplay": 5.0},
        (0.1, 0.6, 0.3),
        (0.0, 1.0),
    ),
    "fan": KindProfile(
        0.1,
        "I",
        {"lessons": 3.0, "live_act": 1.5, "venue_hire": 0.5},
        {"street_team": 3.0, "accommodation": 3.0, "van": 1.5},
        (0.6, 0.4),
        (0.25, 0.6, 0.15),
    ),
}

# "session" in an offer list stands for the member's own instrument role (drummer, bassist, ...).
SESSION = "session"
