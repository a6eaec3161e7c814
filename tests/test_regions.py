from __future__ import annotations

from matcher import gazetteer
from matcher.geo.regions import GEONAMES_ADMIN1, admin1_codes


def test_a_region_is_read_by_its_code_or_name_as_its_geonames_admin1_code():
    assert admin1_codes("WA") == {"US": "WA", "AU": "08"}  # Washington, Western Australia
    assert admin1_codes("Ontario") == admin1_codes("on") == {"CA": "08"}
    assert admin1_codes("Québec") == admin1_codes("Quebec") == {"CA": "10"}
    assert admin1_codes("Wales") == {"GB": "WLS"}  # ISO: "Wales [Cymru GB-CYM]"
    assert admin1_codes("Sachsen-Anhalt") == {"DE": "14"}
    assert admin1_codes("UK") == admin1_codes("Narnia") == {}


def test_every_numbered_region_has_the_gazetteers_towns():
    # A code missing or mistyped in GEONAMES_ADMIN1 would place no town of that region.
    towns = gazetteer._towns()
    for country, codes in GEONAMES_ADMIN1.items():
        held = set(towns.admin1[towns.country == country])
        assert set(codes.values()) == held - {"", "00"}, country
