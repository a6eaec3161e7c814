"""Where a place typed in a search is: read from a build's members, else from the gazetteer."""

from __future__ import annotations

import numpy as np

from matcher import geo

PLACES_KEPT = 1024  # typed places whose coordinates a lookup keeps


class TypedPlaces:
    """Typed places ("Leeds", "London, CA") read against a build's members: their folded towns
    and countries and their coordinates (one per member row, NaN where unknown)."""

    def __init__(
        self, town: np.ndarray, country: np.ndarray, latitude: np.ndarray, longitude: np.ndarray
    ) -> None:
        self.town = town
        self.country = country
        self.latitude = latitude
        self.longitude = longitude
        self._places: dict[str, tuple[str, str, float | None, float | None]] = {}

    def typed_place(self, place: str | None) -> tuple[str, str]:
        """A typed place as a folded town and country: as `geo.split_place` reads it (the
        country the members of the town narrow it to, `geo.one_country`), unless a member's
        town is written as the whole of it ("Nashville, TN")."""
        return self._place(place)[:2] if place else ("", "")

    def knows_place(self, place: str) -> bool:
        """Whether the typed place brings anyone nearer: a member of the build is in it, or it
        is where the gazetteer knows a town."""
        return self.anyone_in(place) or self.place_coordinates(place)[0] is not None

    def anyone_in(self, place: str) -> bool:
        """Whether a member of the build is in the place, as a `town` filter reads it (one that
        names nobody's town, "Shefield" say, lists no one)."""
        return bool(geo.in_place(self.town, self.country, place).any())

    def place_coordinates(self, place: str | None) -> tuple[float | None, float | None]:
        """Where a typed place ("Leeds", "London, CA") is: where most of its members are, as
        built (`geo.central_point`), or with none of them located, the centre of the town the
        gazetteer finds (`geo.locate`); None when neither is known or its members are split
        between towns of one name (the place is then compared by name)."""
        return self._place(place)[2:] if place else (None, None)

    def _place(self, place: str) -> tuple[str, str, float | None, float | None]:
        """A typed place's town, country and coordinates, read from the build once per place
        (the build does not change; at most PLACES_KEPT kept)."""
        key = " ".join(place.split()).casefold()
        found = self._places.get(key)
        if found is None:
            if len(self._places) >= PLACES_KEPT:
                self._places.clear()
            found = self._places[key] = self._locate(place)
        return found

    def _locate(self, place: str) -> tuple[str, str, float | None, float | None]:
        """A typed place's town, country and coordinates, read from the build (as
        `typed_place` and `place_coordinates` tell)."""
        town, countries = self._typed_town(place)
        inside = geo.in_place(self.town, self.country, place)
        country = geo.one_country(countries, self.country[inside])
        located = self._located(inside, country)
        if located.any():
            point = geo.central_point(self.latitude[located], self.longitude[located])
        else:
            point = _gazetteer_point(town, country)
        return (town, country, *(point if point is not None else (None, None)))

    def _typed_town(self, place: str) -> tuple[str, frozenset[str]]:
        """A typed place's folded town and the countries it may be in: the whole place when a
        member's town is written so ("Nashville, TN"), else as `geo.split_place` reads it."""
        whole = geo.town_key(place, "")
        if (self.town == whole).any():
            return whole, frozenset()
        return geo.split_place(place)

    def _located(self, inside: np.ndarray, country: str) -> np.ndarray:
        """The members of a place (`inside`) with coordinates: those in its `country` when
        there are some (not also members of the town with no country given), else all."""
        known = inside & ~np.isnan(self.latitude)
        named = known & (self.country == country)
        return named if country and named.any() else known


def _gazetteer_point(town: str, country: str) -> tuple[float, float] | None:
    """The centre of the town the gazetteer finds, in `country` unless that is several
    codes none of the place's members is in ("CA|NA|NG": then looked up with none)."""
    found = geo.locate(town, country if "|" not in country else "")
    return (found.latitude, found.longitude) if found else None
