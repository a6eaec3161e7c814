"""Regions written after a member's town ("Portland, OR", "Perth, Western Australia",
"Newport, Wales") as the GeoNames admin1 codes that the gazetteer's towns carry."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pycountry

# GeoNames numbers the admin1 regions of these countries (its admin1CodesASCII.txt), where
# ISO 3166-2 (pycountry) codes them by letters: ISO's code after the country's prefix to
# GeoNames'. US states and the UK's nations are coded alike in both.
GEONAMES_ADMIN1 = {
    "CA": {
        **{"AB": "01", "BC": "02", "MB": "03", "NB": "04", "NL": "05", "NS": "07", "ON": "08"},
        **{"PE": "09", "QC": "10", "SK": "11", "YT": "12", "NT": "13", "NU": "14"},
    },
    "AU": {"ACT": "01", "NSW": "02", "NT": "03", "QLD": "04"}
    | {"SA": "05", "TAS": "06", "VIC": "07", "WA": "08"},
    "DE": {
        **{"BW": "01", "BY": "02", "HB": "03", "HH": "04", "HE": "05", "NI": "06", "NW": "07"},
        **{"RP": "08", "SL": "09", "SH": "10", "BB": "11", "MV": "12", "SN": "13", "ST": "14"},
        **{"TH": "15", "BE": "16"},
    },
}
SAME_CODES = frozenset({"US", "GB"})  # GeoNames' admin1 code is ISO's ("US-OR": "OR")


def admin1_codes(text: str) -> dict[str, str]:
    """The regions that the part after a member's town's comma names, by ISO 3166-2 code or
    name, as {country: GeoNames admin1 code}: "WA" is {"US": "WA", "AU": "08"}, "Ontario"
    {"CA": "08"}, "Wales" {"GB": "WLS"}; only the top regions of the countries above."""
    folded = _folded(text)
    by_code, by_name = _regions()
    return by_name.get(folded) or (by_code.get(folded, {}) if len(folded) <= 3 else {})


@lru_cache(maxsize=1)
def _regions() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Each region's code ("on") and name ("ontario"), folded, to its {country: admin1}."""
    by_code: dict[str, dict[str, str]] = {}
    by_name: dict[str, dict[str, str]] = {}
    for region in pycountry.subdivisions:
        country, code = region.country_code, region.code.partition("-")[2]
        if region.parent_code is not None:
            continue
        admin1 = code if country in SAME_CODES else GEONAMES_ADMIN1.get(country, {}).get(code)
        if admin1:
            name = region.name.partition(" [")[0]  # "Wales [Cymru GB-CYM]"
            by_code.setdefault(_folded(code), {})[country] = admin1
            by_name.setdefault(_folded(name), {})[country] = admin1
    return by_code, by_name


def _folded(text: str) -> str:
    """A region as compared: no dots or accents, single spaces, case-folded."""
    folded = " ".join(text.replace(".", "").split()).casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
