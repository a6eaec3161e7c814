"""Distances between members, from coordinates when known."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0
# Members whose towns have the same name are in the same town unless they are known to be
# apart: farther than this from each other (London, UK and London, Ontario), or in different
# countries (both known).
SAME_TOWN_KM = 50.0
CENTRES = 256  # points tried as the centre of a place (`central_point`)


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
