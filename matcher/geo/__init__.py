"""Where members are: countries and towns as compared, and the distances between them."""

from matcher.geo.countries import (
    COUNTRY_ALIASES,
    fold_country,
    known_country,
    likely_country,
    place_countries,
)
from matcher.geo.distances import (
    CENTRES,
    EARTH_RADIUS_KM,
    SAME_TOWN_KM,
    central_point,
    distance_km,
    haversine_km,
    proximity,
    same_town,
)
from matcher.geo.towns import (
    fold_place,
    fold_places,
    in_place,
    locate,
    looked_up,
    member_points,
    one_country,
    place_label,
    split_place,
    town_key,
    unlisted_town,
)

__all__ = [
    "CENTRES",
    "COUNTRY_ALIASES",
    "EARTH_RADIUS_KM",
    "SAME_TOWN_KM",
    "central_point",
    "distance_km",
    "fold_country",
    "fold_place",
    "fold_places",
    "haversine_km",
    "in_place",
    "known_country",
    "likely_country",
    "locate",
    "looked_up",
    "member_points",
    "one_country",
    "place_countries",
    "place_label",
    "proximity",
    "same_town",
    "split_place",
    "town_key",
    "unlisted_town",
]
