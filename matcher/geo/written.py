"""A town as members write it with its region after it ("Portland, OR", "Olympia WA",
"Portland, Oregon", "Montréal, QC"): the region read, and the town it chooses."""

from __future__ import annotations

from functools import lru_cache

from matcher import gazetteer
from matcher.geo.countries import country_named, fold_country, is_code, place_countries
from matcher.geo.regions import admin1_codes


def without_part_of_town(town: str) -> str:
    """ "Bristol (Easton)" is Bristol."""
    before, bracket, _ = town.partition("(")
    return before if bracket and before.strip() else town


def with_region_comma(town: str) -> str:
    """A town followed by its region's code in capitals without a comma, as Americans type
    it ("Olympia WA"), as with one ("Olympia, WA"), when that region has a town so called
    and no listed town is called by the whole of it; else the town as written."""
    before, code = code_after(town) or ("", "")
    if not code:
        return town
    regions = admin1_codes(code).items()
    if gazetteer.listed(town) or not any(gazetteer.locate(before, *r) for r in regions):
        return town
    return f"{before}, {code}"


def code_after(town: str) -> tuple[str, str] | None:
    """A town and what may be its region's code after it without a comma ("Olympia WA":
    "Olympia", "WA"): a last word of up to 3 capitals; else None."""
    before, space, code = town.strip().rpartition(" ")
    if "," in town or not space or not before.strip() or not code.isupper() or len(code) > 3:
        return None
    return before, code


def region_as_code(town: str) -> str:
    """A town with its US state written as Americans write it, as with a comma and the
    state's code: "Olympia WA" and "Portland, Oregon" as "Olympia, WA" and "Portland, OR"
    (`with_region_comma`, `with_state_code`), so that the spellings are one town."""
    return with_state_code(with_region_comma(town))


def with_state_code(town: str) -> str:
    """A town followed by a US state's name ("Portland, Oregon") as followed by its code
    ("Portland, OR"), when the name is a state's only and the state has a town so called."""
    before, comma, after = town.rpartition(",")
    regions = admin1_codes(after) if comma and before.strip() else {}
    state = regions.get("US")
    if state is None or len(regions) > 1 or len(after.strip()) <= 3:
        return town
    if gazetteer.locate(without_part_of_town(before).strip(), "US", state) is None:
        return town
    return f"{before}, {state}"


def region_country(town: str, region: str, folded_country: str) -> str:
    """The country (ISO code) of a region or its code written after a member's town
    ("Montréal, QC", "Trois-Rivières, Québec", "Toronto, ON") when it is a region of their
    country (or of one country only, when they gave none) and the gazetteer finds the town in
    that country without doubt; else "": "Portland, Oregon" stays whole, as Portland in the
    US is in doubt, and so does "Springfield, CA" (Canada, or California)."""
    countries = place_countries(region)
    if is_code(folded_country):
        country = folded_country if folded_country in countries else ""
    else:
        country = next(iter(countries)) if len(countries) == 1 and not folded_country else ""
    if not country or gazetteer.locate(without_part_of_town(town), country) is None:
        return ""
    return country


@lru_cache(maxsize=65536)
def region_town(town: object, country: object) -> gazetteer.Town | None:
    """The town a member means by a town followed by a region of their country, or of one
    country when they gave none ("Portland, OR", "Perth, WA", "Newport, Wales"): the
    gazetteer's town of that name in that region without doubt, when one country's region
    has one (`regions.admin1_codes`); else None ("Portland, Narnia", or no region)."""
    found = [t for t in map(_located, in_regions(town, fold_country(country))) if t]
    return found[0] if len(found) == 1 else None


def region_written(town: object, country: object) -> bool:
    """Whether a member's town is followed by a region the gazetteer knows of their country
    (not by a country: "Frankfurt, DE" is Germany, not Delaware): then a town of that name
    elsewhere in the country is not theirs ("Richmond, QC" is not Richmond, British Columbia,
    the one the gazetteer lists)."""
    if not isinstance(town, str) or country_named(town.rpartition(",")[2]):
        return False
    return bool(in_regions(town, fold_country(country)))


def _located(place: tuple[str, str, str]) -> gazetteer.Town | None:
    return gazetteer.locate(*place)


def in_regions(town: object, folded_country: str) -> list[tuple[str, str, str]]:
    """The (town, country, GeoNames admin1 code) that a member's town followed by a region
    may be, in their country when they gave one ISO knows."""
    if not isinstance(town, str):
        return []
    before, comma, after = region_as_code(town).rpartition(",")
    before = without_part_of_town(before).strip()
    if not comma or not before or (folded_country and not is_code(folded_country)):
        return []
    regions = admin1_codes(after)
    return [
        (before, code, admin1)
        for code, admin1 in sorted(regions.items())
        if folded_country in ("", code)
    ]
