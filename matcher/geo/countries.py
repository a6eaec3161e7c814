"""Countries as compared: ISO 3166 codes from the names members write, and the regions a
place's last part may name."""

from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache

import pycountry

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
    return is_code(fold_country(name))


def is_code(folded: str) -> bool:
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


def country_named(text: str) -> str:
    """The country (ISO code) that the part after a member's town's comma names without
    doubt, else "": not a region's name too ("Georgia": the country, or the US state), nor a
    code that is also a US state's or a Canadian province's ("CA": Canada, or California;
    "DE"), which members of a music community write after their town."""
    code = fold_country(text)
    if not is_code(code):
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
    country = {code} if is_code(code) else set()
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
