"""Towns as compared: members' towns and countries folded, located by the gazetteer, and
places as typed in a filter or a search."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from matcher import gazetteer
from matcher.domain import fold_tag
from matcher.geo.countries import (
    country_named,
    fold_country,
    is_code,
    place_countries,
)
from matcher.geo.distances import distance_km
from matcher.geo.written import (
    code_after,
    in_regions,
    region_as_code,
    region_country,
    region_town,
    region_written,
    with_region_comma,
    without_part_of_town,
)


def split_place(text: str) -> tuple[str, frozenset[str]]:
    """A place as typed in a filter or a search ("London", "London, GB", "London, Ontario",
    "Nashville, TN") as a folded town and the countries it may be in (empty when none is
    named). The part after the last comma names them only when `place_countries` knows it
    (else "Springfield, somewhere" is a town of that whole name)."""
    town, comma, after = with_region_comma(text).rpartition(",")
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
    are one town. Only a country named without doubt (`country_named`): "Portland, Oregon"
    and "Portland, Maine" stay two towns, as the members wrote them."""
    places = [fold_place(t, c) for t, c in zip(towns, countries, strict=True)]
    return (
        np.array([p[0] for p in places], dtype=object),
        np.array([p[1] for p in places], dtype=object),
    )


@lru_cache(maxsize=65536)
def fold_place(town: object, country: object) -> tuple[str, str]:
    """One member's town and country as compared (`fold_places`): the town as written, with
    its region, where the region places it far from the town its country alone gives
    ("Frankfurt, BB" in Brandenburg is not Frankfurt am Main)."""
    written, country = _member_place(town, country)
    if not written:
        return "", country
    in_region, in_country = region_town(town, country), _town(written, country)[1]
    # Kept with its region where that region is not where the country alone places it: its
    # town is far from the country's ("Frankfurt, BB"), or the region has none of that name
    # ("Richmond, QC" is not Richmond, British Columbia).
    if in_country and (
        _apart(in_region, in_country) if in_region else region_written(town, country)
    ):
        return fold_tag(without_part_of_town(str(town))), country
    return town_key(written, country), country


def _apart(one: gazetteer.Town, other: gazetteer.Town) -> bool:
    """Whether two of the gazetteer's towns are two towns (over APART_KM apart)."""
    km = distance_km(one.latitude, one.longitude, other.latitude, other.longitude)
    return bool(km > gazetteer.APART_KM)


def town_key(town: str, country: str) -> str:
    """A town as compared: the name of the town the gazetteer finds for it ("Caerdydd" and
    "Cardiff, UK" are Cardiff; see `locate`), or when it finds none (not a town of 5,000 or
    more, or in doubt, or found by another name while its own is in doubt in the country:
    "PDX"), the name as written; folded. A part of town in brackets is the
    town ("Bristol (Easton)" is Bristol)."""
    return _town(town, country)[0]


def locate(town: str, country: str) -> gazetteer.Town | None:
    """The town of that name in `country` (an ISO code, or "" when unknown) that the gazetteer
    finds (`gazetteer.locate`); None when it finds none or the country is known to no one
    ("Narnia": not one to look in)."""
    return gazetteer.locate(town, country) if _looked_in(country) else None


def _looked_in(country: str) -> bool:
    """Whether the gazetteer is asked about a town in `country`: unknown, or an ISO code."""
    return not country or is_code(country)


@lru_cache(maxsize=65536)
def _town(town: str, country: str) -> tuple[str, gazetteer.Town | None]:
    """A written town as compared (`town_key`) and the gazetteer's town for it, looked up
    once for both."""
    town = without_part_of_town(town)
    found = locate(town, country)
    if found and _name_in_doubt(found, town, country):
        return fold_tag(town), found
    return fold_tag(found.name if found else town), found


def _name_in_doubt(found: gazetteer.Town, town: str, country: str) -> bool:
    """Whether a town found in a member's country by another of its names ("PDX") goes by a
    name that is in doubt there (Portland: Oregon's or Maine's), so is compared as written."""
    if not country or gazetteer.key(found.name) == gazetteer.key(town):
        return False
    return locate(found.name, country) is None


def looked_up(towns: Iterable[object], countries: Iterable[object]) -> set[tuple[str, ...]]:
    """What comparing these members' towns asks the gazetteer (`gazetteer.keep`): (town,
    country) or (town, country, region) to `locate`, (town,) whether it is `listed`."""
    asked = set()
    for town, country in zip(towns, countries, strict=True):
        alone = _country_alone(town, fold_country(country))
        if alone:  # whether it is also a town of that very name in that country
            asked.add((town, alone))
        written, folded_country = _member_place(town, country)
        if written and _looked_in(folded_country):
            asked.add((without_part_of_town(written), folded_country))
            found = _town(written, folded_country)[1] if folded_country else None
            if found and gazetteer.key(found.name) != gazetteer.key(written):
                asked.add((found.name, folded_country))  # whether its name is in doubt
        # The regions the town was read in: the member's country's, or every country's when
        # they gave none (`_member_place` then takes the country of the one that has it).
        asked |= set(in_regions(town, fold_country(country))) | set(
            in_regions(town, folded_country)
        )
        if isinstance(town, str) and code_after(town):
            asked.add((town,))  # whether a town bears the whole name (`with_region_comma`)
    return asked


def member_points(
    towns: Iterable[object], countries: Iterable[object], lats: np.ndarray, lons: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Members' coordinates (NaN where unknown): their own, or where they gave none, those of
    their town's centre when the gazetteer finds it: in the region written after it
    (`region_town`), else in their country (`locate`)."""
    lats = np.array(lats, dtype=np.float64)
    lons = np.array(lons, dtype=np.float64)
    for row, (town, country) in enumerate(zip(towns, countries, strict=True)):
        if np.isnan(lats[row]) or np.isnan(lons[row]):
            written, folded_country = _member_place(town, country)
            found = region_town(town, country)
            if found is None and written and not region_written(town, country):
                found = _town(written, folded_country)[1]
            if found:
                lats[row], lons[row] = found.latitude, found.longitude
    return lats, lons


def unlisted_town(town: object, country: object) -> tuple[str, str] | None:
    """A member's town as written (without a country after a comma or a part of town in
    brackets) and their country (an ISO code, or ""), when no town of the gazetteer's, in any
    country, is so named by any of its names: a misspelling ("Shefield"), or a village. None
    when one is, or no town is given."""
    written, folded_country = _member_place(town, country)
    written = without_part_of_town(written).strip()
    if not written or gazetteer.listed(written) or region_town(town, country):
        return None
    return written, folded_country if is_code(folded_country) else ""


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
    written_region = with_region_comma(town).rpartition(",")[2]  # "Colorado": the US alone
    as_written, town = town, region_as_code(town)  # "Denver, CO" ("CO": Colombia too)
    alone = _country_alone(town, folded_country)
    if alone:
        found = locate(town, alone)
        own = found is not None and gazetteer.key(found.name) == gazetteer.key(town)
        return (town if own else ""), alone
    before, comma, after = town.rpartition(",")
    named = country_named(after) if comma and before.strip() else ""
    if comma and before.strip() and not folded_country and not (named and locate(before, named)):
        # With no country, the region's where it has the town: "Olympia, WA" is in the US
        # (Western Australia is "WA" too, and has none), as "Olympia, WA" in "USA" is; a code
        # that is a country's too where that country has no such town ("Adelaide, SA": South
        # Australia, not Saudi Arabia; "Berlin, BE").
        in_region = region_town(as_written, "")
        if in_region is not None:  # as if they had given that country
            return _member_place(as_written, in_region.country)
    if comma and before.strip() and not named:
        region_of = region_country(before, written_region, folded_country)
        if region_of:
            return before, region_of
    return (before if named else town), folded_country or named


def _country_alone(town: object, folded_country: str) -> str:
    """The country (ISO code) that a member's town names alone, without doubt
    (`country_named`), when they gave no other country; else ""."""
    if not isinstance(town, str) or not town.strip():
        return ""
    alone = country_named(town)
    return alone if folded_country in ("", alone) else ""


def place_label(town: str | None, country: str | None, reader_country: str | None) -> str | None:
    """Where someone is, as a reader reads it: the town, and the country too when it is not
    the reader's (London, Canada to a member in London, GB; both known)."""
    theirs, mine = fold_country(country), fold_country(reader_country)
    if not theirs or not mine or theirs == mine:
        return town
    return f"{town}, {country}" if town else country


MILES_COUNTRIES = frozenset({"US"})  # whose members read distances in miles


def reads_miles(country: object, town: object = None) -> bool:
    """Whether a member reads distances in miles: one in the US, by their country or, when
    they gave none, by the region written after their town ("Portland, Oregon")."""
    return _member_place(town, country)[1] in MILES_COUNTRIES


def in_place(town: np.ndarray, country: np.ndarray, place: str) -> np.ndarray:
    """Whether members (folded towns and countries, as `fold_country` gives them) are in a
    place as typed: their town written as the whole of it ("Nashville, TN" as a member wrote
    it), or, when the place names countries (see `split_place`), the town before the comma
    in one of them or in none known (as `same_town`: not known to be elsewhere)."""
    town, country = np.asarray(town), np.asarray(country)
    place = region_as_code(place)  # "Olympia WA" and "Olympia, Washington": "Olympia, WA"
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
