"""Distances between members, from coordinates when known."""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pycountry

from matcher import gazetteer
from matcher.domain import fold_tag

EARTH_RADIUS_KM = 6371.0
# Members whose towns have the same name are in the same town unless they are known to be
# apart: farther than this from each other (London, UK and London, Ontario), or in different
# countries (both known).
SAME_TOWN_KM = 50.0
CENTRES = 256  # points tried as the centre of a place (`central_point`)
# Names that members write for a country and that ISO 3166 (pycountry) does not list as one:
# the UK's, short English names, and a few in the country's own language.
COUNTRY_ALIASES = {
    **dict.fromkeys(
        ("uk", "britain", "great britain", "england", "scotland", "wales", "cymru"),
        "GB",
    ),
    "northern ireland": "GB",
    **dict.fromkeys(("usa", "america", "united states of america"), "US"),
    **dict.fromkeys(("ireland", "eire", "republic of ireland"), "IE"),
    **dict.fromkeys(("holland", "nederland"), "NL"),
    **dict.fromkeys(("belgie", "belgique"), "BE"),
    **dict.fromkeys(("schweiz", "suisse", "svizzera"), "CH"),
    "russia": "RU",
    "turkey": "TR",
    "korea": "KR",
    "ivory coast": "CI",
    "macedonia": "MK",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "brunei": "BN",
    "palestine": "PS",
    "vatican": "VA",
    "micronesia": "FM",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    "deutschland": "DE",
    "espana": "ES",
    "italia": "IT",
    "osterreich": "AT",
    "brasil": "BR",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "polska": "PL",
}


def fold_country(name: object) -> str:
    """A country as compared: its ISO 3166 alpha-2 code when it is one that pycountry knows
    by a code or a name (GB, GBR, United Kingdom and UK are all "GB"), else the name
    stripped and case-folded; "" when unknown."""
    if not isinstance(name, str):
        return ""
    return _country(_squeezed(name).removeprefix("the "))


def known_country(name: str) -> bool:
    """Whether a country as written is one ISO 3166 (pycountry) or `COUNTRY_ALIASES` knows."""
    return _is_code(fold_country(name))


def _is_code(folded: str) -> bool:
    """Whether `fold_country` gave an ISO code (else the name as written, folded)."""
    return len(folded) == 2 and folded.isupper()


def likely_country(name: str) -> str | None:
    """The known country name closest to a misspelt one ("Englan": "England"), or None."""
    names = _country_names()
    found = difflib.get_close_matches(_unaccented(_squeezed(name)), names, n=1, cutoff=0.8)
    return names[found[0]] if found else None


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Every country name known, folded, to the name as written."""
    names = {alias: alias.title() for alias in COUNTRY_ALIASES if len(alias) > 3}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None)):
            if name:
                names[_unaccented(name.casefold())] = name
    return names


def _squeezed(name: str) -> str:
    """A place's name as compared: no dots ("U.S.A.", "D.C."), single spaces, case-folded."""
    return " ".join(name.replace(".", "").split()).casefold()


@lru_cache(maxsize=4096)
def _country(folded: str) -> str:
    if not folded:
        return ""
    for name in dict.fromkeys((folded, _unaccented(folded))):  # México as Mexico
        if name in COUNTRY_ALIASES:
            return COUNTRY_ALIASES[name]
        try:
            return pycountry.countries.lookup(name).alpha_2
        except LookupError:
            continue
    return folded


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def split_place(text: str) -> tuple[str, frozenset[str]]:
    """A place as typed in a filter or a search ("London", "London, GB", "London, Ontario",
    "Nashville, TN") as a folded town and the countries it may be in (empty when none is
    named). The part after the last comma names them only when `place_countries` knows it
    (else "Springfield, somewhere" is a town of that whole name)."""
    town, comma, after = text.rpartition(",")
    if comma and town.strip():
        countries = place_countries(after)
        if countries:
            return town_key(town, next(iter(countries)) if len(countries) == 1 else ""), countries
    return town_key(text, ""), frozenset()


def fold_places(
    towns: Iterable[object], countries: Iterable[object]
) -> tuple[np.ndarray, np.ndarray]:
    """Members' towns and countries as compared (folded; "" where unknown). A town that names
    its country after a comma, as free text has it ("Leeds, UK", "Lisbon, Portugal"), is the
    town before the comma, in that country when the member gave none: "Leeds, UK" and "Leeds"
    are one town. Only a country named without doubt (`_country_named`): "Portland, Oregon"
    and "Portland, Maine" stay two towns, as the members wrote them."""
    places = [fold_place(t, c) for t, c in zip(towns, countries, strict=True)]
    return (
        np.array([p[0] for p in places], dtype=object),
        np.array([p[1] for p in places], dtype=object),
    )


@lru_cache(maxsize=65536)
def fold_place(town: object, country: object) -> tuple[str, str]:
    """One member's town and country as compared (`fold_places`)."""
    written, country = _member_place(town, country)
    return (town_key(written, country) if written else ""), country


def town_key(town: str, country: str) -> str:
    """A town as compared: the name of the town the gazetteer finds for it ("Caerdydd" and
    "Cardiff, UK" are Cardiff; see `locate`), or when it finds none (not a town of 5,000 or
    more, or in doubt), the name as written; folded. A part of town in brackets is the
    town ("Bristol (Easton)" is Bristol)."""
    return _town(town, country)[0]


def locate(town: str, country: str) -> gazetteer.Town | None:
    """The town of that name in `country` (an ISO code, or "" when unknown) that the gazetteer
    finds (`gazetteer.locate`); None when it finds none or the country is known to no one
    ("Narnia": not one to look in)."""
    return gazetteer.locate(town, country) if _looked_in(country) else None


def _looked_in(country: str) -> bool:
    """Whether the gazetteer is asked about a town in `country`: unknown, or an ISO code."""
    return not country or _is_code(country)


@lru_cache(maxsize=65536)
def _town(town: str, country: str) -> tuple[str, gazetteer.Town | None]:
    """A written town as compared (`town_key`) and the gazetteer's town for it, looked up
    once for both."""
    town = _without_part_of_town(town)
    found = locate(town, country)
    return fold_tag(found.name if found else town), found


def _without_part_of_town(town: str) -> str:
    """ "Bristol (Easton)" is Bristol."""
    before, bracket, _ = town.partition("(")
    return before if bracket and before.strip() else town


def looked_up(towns: Iterable[object], countries: Iterable[object]) -> set[tuple[str, str]]:
    """The (town, country) that comparing these members' towns asks the gazetteer about
    (`gazetteer.keep`)."""
    asked = set()
    for town, country in zip(towns, countries, strict=True):
        alone = _country_alone(town, fold_country(country))
        if alone:  # whether it is also a town of that very name in that country
            asked.add((town, alone))
        written, folded_country = _member_place(town, country)
        if written and _looked_in(folded_country):
            asked.add((_without_part_of_town(written), folded_country))
    return asked


def member_points(
    towns: Iterable[object], countries: Iterable[object], lats: np.ndarray, lons: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Members' coordinates (NaN where unknown): their own, or where they gave none, those of
    their town's centre when the gazetteer finds it (`locate`)."""
    lats = np.array(lats, dtype=np.float64)
    lons = np.array(lons, dtype=np.float64)
    for row, (town, country) in enumerate(zip(towns, countries, strict=True)):
        if np.isnan(lats[row]) or np.isnan(lons[row]):
            written, folded_country = _member_place(town, country)
            found = _town(written, folded_country)[1] if written else None
            if found:
                lats[row], lons[row] = found.latitude, found.longitude
    return lats, lons


def unlisted_town(town: object, country: object) -> tuple[str, str] | None:
    """A member's town as written (without a country after a comma or a part of town in
    brackets) and their country (an ISO code, or ""), when no town of the gazetteer's, in any
    country, is so named by any of its names: a misspelling ("Shefield"), or a village. None
    when one is, or no town is given."""
    written, folded_country = _member_place(town, country)
    written = _without_part_of_town(written).strip()
    if not written or gazetteer.listed(written):
        return None
    return written, folded_country if _is_code(folded_country) else ""


@lru_cache(maxsize=65536)
def _member_place(town: object, country: object) -> tuple[str, str]:
    """A member's town as written ("" when none) and their country as compared: a town that
    names its country after a comma is the town before it (`fold_places`), and one that
    names only a country without doubt ("Poland", "United States"; not "Georgia"), and no
    other country, is that country, and a town only where the gazetteer finds a town of that
    very name in it (Singapore, Monaco): not a town of that name elsewhere (Poland, Maine), nor
    one that goes by it among its other names (Concord, "USA"), nor one "town" shared by
    everyone in the country. Kept per (town, country), as `fold_place` and `_town` are: the
    request path places every candidate without coordinates through it (`member_points`)."""
    folded_country = fold_country(country)
    if not isinstance(town, str) or not town.strip():
        return "", folded_country
    alone = _country_alone(town, folded_country)
    if alone:
        found = locate(town, alone)
        own = found is not None and gazetteer.key(found.name) == gazetteer.key(town)
        return (town if own else ""), alone
    before, comma, after = town.rpartition(",")
    named = _country_named(after) if comma and before.strip() else ""
    return (before if named else town), folded_country or named


def _country_alone(town: object, folded_country: str) -> str:
    """The country (ISO code) that a member's town names alone, without doubt
    (`_country_named`), when they gave no other country; else ""."""
    if not isinstance(town, str) or not town.strip():
        return ""
    alone = _country_named(town)
    return alone if folded_country in ("", alone) else ""


def _country_named(text: str) -> str:
    """The country (ISO code) that the part after a member's town's comma names without
    doubt, else "": not a region's name too ("Georgia": the country, or the US state), nor a
    code that is also a US state's or a Canadian province's ("CA": Canada, or California;
    "DE"), which members of a music community write after their town."""
    code = fold_country(text)
    if not _is_code(code):
        return ""
    folded = _unaccented(_squeezed(text))
    by_code, by_name = _regions()
    if by_name.get(folded, set()) - {code}:
        return ""
    short = len(folded) <= 3 and folded not in COUNTRY_ALIASES
    if short and by_code.get(folded, set()) & {"US", "CA"}:
        return ""
    return code


def place_countries(text: str) -> frozenset[str]:
    """The countries (ISO codes) a place's last part may name: a country (`fold_country`),
    and those with a region so named or, for a short code, so coded (ISO 3166-2, as
    pycountry lists them: ON and Ontario are in Canada; TN is Tunisia, or Tennessee in the US
    among others; CA is Canada, or California; Georgia a country, or a state of the US; UK
    only the United Kingdom); empty when it names none."""
    code = fold_country(text)
    country = {code} if _is_code(code) else set()
    folded = _unaccented(_squeezed(text))
    by_code, by_name = _regions()
    found = country | by_name.get(folded, set())
    if not country or (len(folded) <= 3 and folded not in COUNTRY_ALIASES):
        found |= by_code.get(folded, set())
    return frozenset(found)


@lru_cache(maxsize=1)
def _regions() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The countries of each region's code (without the country's prefix: "on") and of each
    region's name ("ontario"), folded."""
    by_code: dict[str, set[str]] = {}
    by_name: dict[str, set[str]] = {}
    for region in pycountry.subdivisions:
        code = region.code.partition("-")[2].casefold()
        by_code.setdefault(code, set()).add(region.country_code)
        by_name.setdefault(_unaccented(region.name.casefold()), set()).add(region.country_code)
    return by_code, by_name


def place_label(town: str | None, country: str | None, reader_country: str | None) -> str | None:
    """Where someone is, as a reader reads it: the town, and the country too when it is not
    the reader's (London, Canada to a member in London, GB; both known)."""
    theirs, mine = fold_country(country), fold_country(reader_country)
    if not theirs or not mine or theirs == mine:
        return town
    return f"{town}, {country}" if town else country


def in_place(town: np.ndarray, country: np.ndarray, place: str) -> np.ndarray:
    """Whether members (folded towns and countries, as `fold_country` gives them) are in a
    place as typed: their town written as the whole of it ("Nashville, TN" as a member wrote
    it), or, when the place names countries (see `split_place`), the town before the comma
    in one of them or in none known (as `same_town`: not known to be elsewhere)."""
    town, country = np.asarray(town), np.asarray(country)
    whole = town_key(place, "")
    if not whole:  # a blank place is no town, not the town of every member who gave none
        return np.zeros(town.shape, dtype=bool)
    inside = town == whole
    place_town, countries = split_place(place)
    if countries:
        known_elsewhere = (country != "") & ~np.isin(country, sorted(countries))
        inside |= (town == place_town) & (town != "") & ~known_elsewhere
    # A member's town is keyed in their country ("New York" in the US is the gazetteer's New
    # York City, "Frankfurt" in Germany Frankfurt am Main), where the typed town alone, or
    # with a code that is also a state's ("US"), is found nowhere (other New Yorks): key it
    # as a member in each country it may be in, or who gave none, would have it.
    written = place.rpartition(",")[0] if countries else place
    compared = {whole, place_town if countries else ""}
    if countries and (alone := town_key(written, "")) not in compared:
        inside |= (town == alone) & (country == "")
    for code in sorted(countries or set(np.ravel(country).tolist()) - {""}):
        if (key := town_key(written, str(code))) not in compared and key:
            inside |= (town == key) & (country == code)
    return inside


def one_country(countries: frozenset[str], of_members: np.ndarray) -> str:
    """The one country of a typed place, as `same_town` compares it: the one it names, or of
    those it may name ("London, ON": Canada, Nigeria or Namibia) the one most of its members
    are in; "" when two are as often (any may be); when none of its members is in any of
    them, the codes together ("CA|NA|NG"), which are no member's, so that a member in London,
    GB is not in the same town and one who gave no country may be."""
    if len(countries) == 1:
        return next(iter(countries))
    found = Counter(c for c in np.asarray(of_members).tolist() if c in countries).most_common(2)
    if not found:
        return "|".join(sorted(countries))
    return found[0][0] if len(found) == 1 or found[0][1] > found[1][1] else ""


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distances in km, elementwise; NaN where a coordinate is missing."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(a, dtype=np.float64)) for a in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def central_point(
    lats: np.ndarray, lons: np.ndarray, km: float = SAME_TOWN_KM
) -> tuple[float, float] | None:
    """Where most of these points are: the median of the largest group of them within `km`
    of one of them, if it holds more than half; None when they are split between places
    (members in Hamilton, Ontario and in Hamilton, Scotland) or there are none."""
    lats, lons = np.asarray(lats, dtype=np.float64), np.asarray(lons, dtype=np.float64)
    if len(lats) == 0:
        return None
    # Centres tried: every point, or an even sample of CENTRES of them (a town of thousands
    # of members is asked on every search that names it).
    tried = np.unique(np.linspace(0, len(lats) - 1, min(len(lats), CENTRES)).astype(np.int64))
    near = haversine_km(lats[tried, None], lons[tried, None], lats[None, :], lons[None, :]) <= km
    counts = near.sum(axis=1)
    best = int(np.argmax(counts))
    if counts[best] * 2 <= len(lats):
        return None
    return float(np.median(lats[near[best]])), float(np.median(lons[near[best]]))


def distance_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in km from one point to many; NaN where a coordinate is missing."""
    return haversine_km(np.float64(lat), np.float64(lon), lats, lons)


def same_town(
    town: np.ndarray,
    other_town: np.ndarray,
    km: np.ndarray,
    country: np.ndarray,
    other_country: np.ndarray,
) -> np.ndarray:
    """Whether pairs are in the same town: the same town name, and not known to be apart
    (`km`: NaN where unknown). Towns and countries are folded names, "" where unknown;
    either side may be one value for all pairs."""
    town, other_town = np.asarray(town), np.asarray(other_town)
    country, other_country = np.asarray(country), np.asarray(other_country)
    same_name = (town == other_town) & (town != "")
    different = (country != "") & (other_country != "") & (country != other_country)
    return same_name & ~(np.asarray(km) > SAME_TOWN_KM) & ~different


def proximity(km: np.ndarray, same_town: np.ndarray, scale_km: float = 50.0) -> np.ndarray:
    """Closeness in [0, 1]: 1 in the same town, decaying with distance, 0 when unknown."""
    km = np.asarray(km, dtype=np.float64)
    close = np.where(np.isnan(km), 0.0, np.exp(-np.nan_to_num(km) / scale_km))
    return np.where(np.asarray(same_town, dtype=bool), 1.0, close)
