"""Where the library places towns as members type them (tests/data/typed_towns.csv: English
names of European cities, their own spellings, English-speaking towns of one name with and
without their country, and names that must stay unplaced), and how long a lookup takes.

Usage: PYTHONPATH=. .venv/bin/python bench/typed_towns.py [--repeat N] [--show]
A case is right when the member is placed within 30 km of the town meant, wrong when placed
elsewhere (or placed at all, when no town is meant), unplaced when not placed. Members are
placed as import and the API place them (`geo.member_points`, no coordinates given)."""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "typed_towns.csv"
NEAR_KM = 30.0


def read_cases(path: Path = CASES) -> list[dict[str, str]]:
    """The cases: town and country as typed, the town meant and its coordinates ("" if none)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def outcomes(cases: list[dict[str, str]]) -> list[str]:
    """Each case's outcome: "right", "wrong" or "unplaced"."""
    from matcher import geo

    nan = np.full(len(cases), np.nan)
    lats, lons = geo.member_points(
        [c["town"] for c in cases], [c["country"] for c in cases], nan, nan
    )
    found = []
    for case, lat, lon in zip(cases, lats, lons, strict=True):
        if np.isnan(lat):
            found.append("unplaced" if case["meant"] else "right")
        elif not case["meant"]:
            found.append("wrong")
        else:
            km = geo.haversine_km(lat, lon, float(case["latitude"]), float(case["longitude"]))
            found.append("right" if km <= NEAR_KM else "wrong")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="lookups of each case timed")
    parser.add_argument("--show", action="store_true", help="print every case")
    args = parser.parse_args()

    from matcher import gazetteer
    from matcher.geo import countries, fold_place

    cases = read_cases()
    start = time.perf_counter()
    gazetteer._towns(), gazetteer._by_other()
    print(f"list read: {time.perf_counter() - start:.2f} s")

    found = outcomes(cases)
    for outcome in ("right", "wrong", "unplaced"):
        print(f"{outcome}: {found.count(outcome)} of {len(cases)}")
    if args.show:
        for case, outcome in zip(cases, found, strict=True):
            key = fold_place(case["town"], case["country"])
            print(f"  {outcome:8} {case['town']!r:24} {case['country']!r:14} -> {key}")

    asked = [(c["town"], countries.fold_country(c["country"])) for c in cases]
    start = time.perf_counter()
    for _ in range(args.repeat):
        for town, country in asked:
            gazetteer.locate(town, country if len(country) == 2 else "")
    took = time.perf_counter() - start
    print(
        f"locate: {took / (args.repeat * len(asked)) * 1e6:.1f} us a lookup "
        f"({args.repeat * len(asked)} lookups, {took:.2f} s)"
    )


if __name__ == "__main__":
    main()
