"""Distances between members, from coordinates when known, else by town name."""

from __future__ import annotations

import numpy as np
from sklearn.metrics.pairwise import haversine_distances

EARTH_RADIUS_KM = 6371.0


def distance_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in km from one point to many; NaN where a coordinate is missing."""
    lats = np.asarray(lats, dtype=np.float64)
    lons = np.asarray(lons, dtype=np.float64)
    out = np.full(len(lats), np.nan)
    known = ~(np.isnan(lats) | np.isnan(lons))
    if np.isnan(lat) or np.isnan(lon) or not known.any():
        return out
    here = np.radians([[lat, lon]])
    there = np.radians(np.column_stack([lats[known], lons[known]]))
    out[known] = haversine_distances(here, there)[0] * EARTH_RADIUS_KM
    return out


def proximity(km: np.ndarray, same_town: np.ndarray, scale_km: float = 50.0) -> np.ndarray:
    """Closeness in [0, 1]: 1 in the same town, decaying with distance, 0 when unknown."""
    km = np.asarray(km, dtype=np.float64)
    close = np.where(np.isnan(km), 0.0, np.exp(-np.nan_to_num(km) / scale_km))
    return np.where(np.asarray(same_town, dtype=bool), 1.0, close)
