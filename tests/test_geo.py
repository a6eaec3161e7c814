from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from matcher.geo import (
    central_point,
    fold_country,
    fold_place,
    fold_places,
    haversine_km,
    in_place,
    locate,
    looked_up,
    member_points,
    one_country,
    same_town,
    split_place,
)
from matcher.place_warnings import place_warnings


@pytest.mark.parametrize(
    "written",
    ["GB", "gb", "GBR", "United Kingdom", " united  kingdom ", "UK", "U.K.", "Scotland", "the UK"],
)
def test_one_country_written_many_ways_is_one_country(written):
    assert fold_country(written) == "GB"


@pytest.mark.parametrize(
    ("written", "code"),
    [("Republic of Ireland", "IE"), ("Éire", "IE"), ("México", "MX"), ("Cymru", "GB")],
)
def test_country_names_with_accents_or_in_their_own_language_fold_too(written, code):
    assert fold_country(written) == code


def test_a_country_iso_does_not_list_is_compared_as_written_and_unknown_is_empty():
    assert fold_country("Atlantis ") == fold_country("atlantis") == "atlantis"
    assert fold_country("The Netherlands") == fold_country("NL") == "NL"
    assert fold_country(None) == fold_country(float("nan")) == fold_country("  ") == ""


@pytest.mark.parametrize(
    ("typed", "town", "countries"),
    [
        ("London", "london", set()),
        ("Boston, U.S.A.", "boston", {"US"}),
        (" London ,  UK", "london", {"GB"}),  # a country's name: not Uttarakhand's code too
        ("London, Canada", "london", {"CA"}),
        ("London, Ontario", "london", {"CA"}),  # a province
        ("Montréal, Québec", "montréal", {"CA"}),
        ("London, ON", "london", {"CA", "NG", "NA"}),  # a region's code, in three countries
        ("Nashville, TN", "nashville", {"TN", "US", "IN", "IT"}),  # Tunisia, or Tennessee...
        ("Atlanta, Georgia", "atlanta", {"GE", "US"}),
        ("Washington, D.C.", "washington", {"US", "CO", "SD"}),
        ("Springfield, somewhere", "springfield, somewhere", set()),  # no place after it
        (", GB", ", gb", set()),
    ],
)
def test_a_typed_place_names_countries_after_a_comma_only_when_it_names_a_country_or_region(
    typed, town, countries
):
    assert split_place(typed) == (town, frozenset(countries))


def test_members_in_a_place_are_those_of_its_town_and_country_or_of_no_known_country():
    towns = np.array(["london", "london", "london", "leeds"], dtype=object)
    countries = np.array(["GB", "CA", "", "GB"], dtype=object)
    assert in_place(towns, countries, "London, United Kingdom").tolist() == [1, 0, 1, 0]
    assert in_place(towns, countries, "london").tolist() == [1, 1, 1, 0]


def test_a_blank_place_holds_no_one_not_the_members_who_gave_no_town():
    # A town typed as spaces ("town": "  " in a search, ?town=%20 as a filter) folded to "",
    # every townless member's town: a filter kept only them, and a search ranked them higher
    # as in its town and said town_known.
    towns, countries = fold_places(["", "", "Leeds"], ["", "UK", "UK"])
    assert in_place(towns, countries, "  ").tolist() == [0, 0, 0]
    assert not in_place(*fold_place("", ""), " ")


def test_a_town_typed_without_its_country_finds_members_whose_country_names_it_otherwise():
    # Members who wrote "New York" in the US are in the gazetteer's "New York City", and
    # "Frankfurt" in Germany is "Frankfurt am Main"; typed alone, or with a code that is also
    # a state's ("US"), neither is found (there are other New Yorks and Frankfurts): a town
    # filter or a search of "New York" found none of a community's New Yorkers.
    towns, countries = fold_places(
        ["New York", "NYC", "Frankfurt", "Leeds", "New York"], ["USA", "", "Germany", "UK", ""]
    )
    assert in_place(towns, countries, "New York").tolist() == [1, 0, 0, 0, 1]
    assert in_place(towns, countries, "New York, US").tolist() == [1, 0, 0, 0, 1]
    assert in_place(towns, countries, "New York, USA").tolist() == [1, 1, 0, 0, 1]
    assert in_place(towns, countries, "NYC").tolist() == [1, 1, 0, 0, 0]
    assert in_place(towns, countries, "Frankfurt").tolist() == [0, 0, 1, 0, 0]
    assert in_place(towns, countries, "Frankfurt, DE").tolist() == [0, 0, 1, 0, 0]
    assert in_place(towns, countries, "Leeds").tolist() == [0, 0, 0, 1, 0]
    assert in_place(towns, countries, "New York, GB").tolist() == [0, 0, 0, 0, 1]
    # One member as the live view checks them (a town and a country, not arrays).
    assert in_place(*fold_place("New York", "USA"), "New York")
    assert not in_place(*fold_place("New York", "USA"), "Frankfurt")


def test_a_town_written_with_its_state_is_found_as_written_and_by_its_country():
    towns = np.array(["nashville, tn", "nashville", "london, uk", "nashville"], dtype=object)
    countries = np.array(["US", "US", "", "GB"], dtype=object)
    assert in_place(towns, countries, "Nashville, TN").tolist() == [1, 1, 0, 0]
    assert in_place(towns, countries, "London, UK").tolist() == [0, 0, 1, 0]


def test_a_town_named_with_its_state_or_province_is_in_that_country():
    towns = np.array(["london", "london", "london", "paris", "paris"], dtype=object)
    countries = np.array(["GB", "CA", "", "FR", "US"], dtype=object)
    assert in_place(towns, countries, "London, ON").tolist() == [0, 1, 1, 0, 0]
    assert in_place(towns, countries, "London, Ontario").tolist() == [0, 1, 1, 0, 0]
    assert in_place(towns, countries, "Paris, TX").tolist() == [0, 0, 0, 0, 1]
    # Where the state's code is also a country's, the members of the town say which it is.
    assert one_country(split_place("London, ON")[1], countries[:3]) == "CA"
    assert one_country(split_place("London, CA")[1], np.array(["GB", "CA", "US"])) == ""  # tie
    assert one_country(split_place("London, CA")[1], np.array(["CA", "CA", "US"])) == "CA"
    # None of its members in any of them: no member's country, so none known is the same town.
    assert one_country(split_place("London, ON")[1], np.array(["GB", ""])) == "CA|NA|NG"
    assert one_country(frozenset(), np.array(["GB"])) == ""
    assert one_country(split_place("London, Canada")[1], np.array([], dtype=object)) == "CA"


def test_the_same_country_written_two_ways_keeps_a_town_the_same():
    countries = [fold_country(c) for c in ("United Kingdom", "GB", "Canada")]
    km = np.full(3, np.nan)
    assert same_town(
        "london", np.array(["london"] * 3), km, "GB", np.array(countries)
    ).tolist() == [
        True,
        True,
        False,
    ]


def test_a_place_is_where_most_of_its_members_are_or_nowhere_when_they_are_split():
    ontario = [(43.25, -79.87), (43.26, -79.85), (43.24, -79.90)]
    scotland = [(55.77, -4.04), (55.78, -4.05)]
    lats, lons = np.array(ontario + scotland).T
    assert central_point(lats, lons) == pytest.approx((43.25, -79.87))
    lats, lons = np.array(ontario[:2] + scotland).T  # two and two: which Hamilton?
    assert central_point(lats, lons) is None
    assert central_point(np.array([]), np.array([])) is None


def test_a_members_town_with_its_country_is_that_town_but_one_with_its_state_stays_whole():
    # "Leeds, UK" is Leeds (a sign-up form's free text); "Portland, Oregon" and "Portland,
    # Maine" are two towns, not one Portland in the US (a reviewer), both in the US their
    # states name; "Springfield, CA" is California's as likely as Canada's; "Atlanta, Georgia"
    # no town of the country Georgia but Atlanta in the US, as "Atlanta" there is.
    written = ["Leeds, UK", "Leeds", "Portland, Oregon", "Portland, Maine", "Springfield, CA",
               "Atlanta, Georgia", "Lisbon, Portugal"]  # fmt: skip
    towns, countries = fold_places(written, [None, None, None, None, None, None, "Spain"])
    assert towns.tolist() == ["leeds", "leeds", "portland, or", "portland, me",
                              "springfield, ca", "atlanta", "lisbon"]  # fmt: skip
    assert countries.tolist() == ["GB", "", "US", "US", "", "US", "ES"]  # the member's own first
    km = np.full(len(written), np.nan)
    assert same_town(towns[0], towns, km, countries[0], countries).tolist()[:2] == [True, True]
    assert not same_town(towns[2], towns[3], np.nan, countries[2], countries[3])


def test_a_town_in_either_unicode_form_is_one_town():
    # "Montréal" typed as e + a combining accent (macOS) was another town than the one-letter
    # é of most forms (an integrator): compared in one form now.
    decomposed, composed = "Montre\u0301al", "Montr\u00e9al"
    towns, countries = fold_places([decomposed, composed], ["Canada", "CA"])
    assert towns[0] == towns[1]
    assert same_town(towns[0], towns[1:], np.array([np.nan]), countries[0], countries[1:])[0]
    assert in_place(towns, countries, composed).tolist() == [True, True]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("Caerdydd", None), ("Cardiff", "UK")),  # the Welsh name, no country given
        (("Abertawe", "Cymru"), ("Swansea", "GB")),
        (("Cardiff, UK", None), ("cardiff", "Wales")),
        (("München", "DE"), ("Munich", "Germany")),
        (("Montreal", "CA"), ("Montréal", "Canada")),  # written without its accent
        (("Bristol (Easton)", None), ("Bristol", "UK")),  # a part of town in brackets
    ],
)
def test_a_town_in_two_names_or_spellings_is_one_town(one, other):
    assert fold_place(*one)[0] == fold_place(*other)[0]


def test_a_town_is_located_only_without_doubt():
    leeds = locate("Leeds", "GB")
    assert leeds is not None and leeds.name == "Leeds"
    assert abs(leeds.latitude - 53.8) < 0.1 and abs(leeds.longitude + 1.55) < 0.1
    assert locate("Leeds", "") is None  # also in Alabama: a member with no country may be there
    assert locate("Newport", "GB") is None  # Wales, or the Isle of Wight
    assert locate("Caerdydd", "").name == "Cardiff"  # one town of that name in the world
    assert locate("Nowhere Springs", "") is None
    assert locate("Leeds", "Narnia") is None  # a country no one knows is no place to look in
    assert fold_place("Nowhere Springs", "UK") == ("nowhere springs", "GB")  # as written


@pytest.mark.parametrize(
    ("written", "country", "town"),
    [("Cologne", "DE", "Köln"), ("Roma", "IT", "Rome"), ("Hanover", "DE", "Hannover")],
)
def test_a_town_known_by_another_name_in_its_country_is_found_by_it(written, country, town):
    # "Cologne" is the own name of a town in Italy, "Roma" of towns in Lesotho, the US and
    # Australia, "Hanover" of towns in the US: the name was looked up among the towns' own
    # names everywhere before the country was, so a member in "Cologne, Germany" was placed
    # nowhere, and a `town` filter "Cologne" found no member in Köln.
    assert locate(written, country).name == town
    assert fold_place(written, country) == fold_place(town, country)
    members, countries = fold_places(["Köln", "Köln", "Cologne"], ["DE", "Germany", "Italy"])
    assert in_place(members, countries, "Cologne").tolist() == [True, True, True]
    assert in_place(members, countries, "Cologne, DE").tolist() == [True, True, False]


def test_a_name_a_far_larger_town_is_known_by_elsewhere_is_in_doubt_without_a_country():
    # "Cologne" alone was the town in Italy whose own name it is (7,000 people), not Köln
    # (a million, known by it in English): a typed search "Cologne" measured Berlin 812 km
    # away. "Saint Louis" alone was the one in Michigan (7,500), not St. Louis, Missouri.
    assert locate("Cologne", "") is None
    assert locate("Saint Louis", "") is None
    assert locate("Cologne", "IT").name == "Cologne"  # in its country, its own name
    assert locate("Prague", "").name == "Prague"  # New Prague, Minnesota, is far smaller
    assert locate("Quebec", "").name == "Québec"  # and New Britain, Connecticut
    assert locate("Caerdydd", "").name == "Cardiff"

    from matcher.places import TypedPlaces

    members = (["Köln", "Berlin"], ["DE", "DE"])
    towns, countries = fold_places(*members)
    lats, lons = member_points(*members, [np.nan] * 2, [np.nan] * 2)
    in_cologne = TypedPlaces(towns, countries, lats, lons).place_coordinates("Cologne")
    assert in_cologne == pytest.approx((50.93, 6.95), abs=0.05)  # where its members are
    towns, countries = fold_places(["Berlin"], ["DE"])
    nobody = TypedPlaces(towns, countries, lats[1:], lons[1:]).place_coordinates("Cologne")
    assert nobody == (None, None)  # unknown, not Italy


def test_no_town_a_member_types_is_placed_where_it_is_not():
    # tests/data/typed_towns.csv: 145 towns as a music community's members type them, with
    # the town meant ("" where none may be named: "Portland" alone), also measured by
    # bench/typed_towns.py. A town placed more than 30 km from the one meant is a member
    # measured that far from everyone; one in doubt is only compared by its name.
    path = Path(__file__).parent / "data" / "typed_towns.csv"
    with path.open(encoding="utf-8", newline="") as f:
        cases = list(csv.DictReader(f))
    nan = [np.nan] * len(cases)
    lats, lons = member_points([c["town"] for c in cases], [c["country"] for c in cases], nan, nan)
    wrong, placed = [], 0
    for case, lat, lon in zip(cases, lats, lons, strict=True):
        if np.isnan(lat):
            continue
        meant = case["meant"] and (float(case["latitude"]), float(case["longitude"]))
        if not meant or haversine_km(lat, lon, *meant) > 30:
            wrong.append((case["town"], case["country"]))
        placed += 1
    assert wrong == []  # "Cologne" alone was in Italy
    assert placed >= 120  # of the 132 that mean a town (125 now; 82 before regions chose)


def test_members_without_coordinates_are_placed_at_their_towns_centre():
    lats, lons = member_points(
        ["Bath", "Bath", "Leeds", None, "Leeds"],
        ["UK", "UK", None, "UK", "Narnia"],
        [np.nan, 51.0, np.nan, np.nan, np.nan],
        [np.nan, -2.0, np.nan, np.nan, np.nan],
    )
    assert abs(lats[0] - 51.38) < 0.05 and abs(lons[0] + 2.36) < 0.05
    assert (lats[1], lons[1]) == (51.0, -2.0)  # their own coordinates stay theirs
    assert np.isnan(lats[2:]).all() and np.isnan(lons[2:]).all()


def test_a_build_keeps_what_the_gazetteer_found_so_serving_it_reads_no_list(
    fresh_gazetteer, tmp_path
):
    """Every API worker read the whole list when it loaded a build (3.2 s, and 180 MB that
    stayed with it, on a 300-member demo), for towns the build had looked up already."""
    gazetteer = fresh_gazetteer
    asked = looked_up(
        ["Caerdydd", "Bristol (Easton)", "Nowhere Springs, UK", None], ["", "GB", "", ""]
    )
    as_keys = {(gazetteer.key(town), country) for town, country in asked}
    assert as_keys == {("caerdydd", ""), ("bristol", "GB"), ("nowhere springs", "GB")}
    assert gazetteer.keep(tmp_path / "towns.json", asked) == 3

    gazetteer.block_list()
    assert gazetteer.remember(tmp_path / "towns.json") == 3
    assert gazetteer.locate("caerdydd").name == "Cardiff"
    assert gazetteer.locate("Nowhere Springs", "GB") is None
    assert fold_places(["Bristol (Easton)"], ["United Kingdom"])[0].tolist() == ["bristol"]
    lat, _ = member_points(["Caerdydd"], [None], [np.nan], [np.nan])
    assert 51 < lat[0] < 52
    with pytest.raises(AssertionError, match="the list was read"):
        gazetteer.locate("Swansea")  # not one of the build's
    # The next build's towns replace them (a worker swapping builds all day kept them all).
    (tmp_path / "next.json").write_text(
        json.dumps(
            {
                "source": gazetteer.source(),
                "towns": [["swansea", "", "", "Swansea", "GB", 51.6, -3.9]],
            }
        )
    )
    assert gazetteer.remember(tmp_path / "next.json") == 1
    assert gazetteer.locate("Swansea").name == "Swansea"
    with pytest.raises(AssertionError, match="the list was read"):
        gazetteer.locate("Caerdydd")


def test_answers_kept_from_another_list_or_rules_are_looked_up_again(fresh_gazetteer, tmp_path):
    gazetteer = fresh_gazetteer
    gazetteer.keep(tmp_path / "towns.json", {("Cardiff", "")})
    saved = json.loads((tmp_path / "towns.json").read_text())
    saved["source"] = saved["source"].replace("rules", "rules 0 and")
    saved["towns"] = [["cardiff", "", "", "Atlantis", "ZZ", 0.0, 0.0]]
    (tmp_path / "towns.json").write_text(json.dumps(saved))
    assert gazetteer.remember(tmp_path / "towns.json") == 0
    assert gazetteer.remember(tmp_path / "missing.json") == 0
    assert gazetteer.locate("Cardiff").name == "Cardiff"


def test_a_location_that_names_only_a_country_is_that_country_and_no_town():
    # Stack Exchange users write a country alone as their Location ("Poland", "United
    # States"). Taken for a town, two members who wrote "United States" were in the same town,
    # and the gazetteer placed "Poland" in Poland, Maine, "Ireland" in West Springfield (one
    # of its other names) and "India" in Inđija, Serbia: distances across an ocean or none.
    written = ["Poland", "Ireland", "India", "United States", "United States", "Canada"]
    towns, countries = fold_places(written, [None] * len(written))
    assert towns.tolist() == [""] * len(written)
    assert countries.tolist() == ["PL", "IE", "IN", "US", "US", "CA"]
    lats, lons = member_points(
        written, [None] * len(written), np.full(6, np.nan), np.full(6, np.nan)
    )
    assert np.isnan(lats).all() and np.isnan(lons).all()
    km = np.full(len(written), np.nan)
    assert not same_town(towns[3], towns, km, countries[3], countries).any()
    # Looked up only as a town of that very name in that country (kept by a build):
    assert looked_up(written, [None] * len(written)) == set(zip(written, countries, strict=True))
    # Only a country named without doubt, and only when the member gave no other country:
    # "Georgia" may be the US state, and "Poland" in the US is a town of Maine.
    assert fold_place("Georgia", None) == ("georgia", "")
    assert fold_place("Poland", "US") == ("poland", "US")
    assert fold_place("Germany", "DE") == ("", "DE")
    assert fold_place("USA", None) == ("", "US")  # not Concord, which GeoNames also calls so
    # A country that is also a town of that very name in it is that town: Singapore.
    assert fold_place("Singapore", None) == ("singapore", "SG")


def test_a_build_keeps_what_a_country_alone_was_looked_up_as(fresh_gazetteer, tmp_path):
    # Whether a country alone is also a town of that very name in it (Singapore) is a look-up
    # too: a build keeps its answer, so that serving it reads no list.
    gazetteer = fresh_gazetteer
    written, countries = ["Poland", "Singapore", "USA"], [None, None, None]
    asked = looked_up(written, countries)
    assert {(gazetteer.key(t), c) for t, c in asked} == {
        ("poland", "PL"),
        ("singapore", "SG"),
        ("usa", "US"),
    }
    gazetteer.keep(tmp_path / "towns.json", asked)
    gazetteer.block_list()
    gazetteer.remember(tmp_path / "towns.json")
    towns, folded = fold_places(written, countries)
    assert towns.tolist() == ["", "singapore", ""]
    assert folded.tolist() == ["PL", "SG", "US"]
    lats, _ = member_points(written, countries, np.full(3, np.nan), np.full(3, np.nan))
    assert np.isnan(lats[[0, 2]]).all() and 1 < lats[1] < 2


@pytest.mark.parametrize(
    ("written", "country"),
    [
        ("Montréal, QC", "Canada"),
        ("Montreal, Quebec", "Canada"),
        ("Montréal, Québec", "CA"),
        ("Montréal, QC", None),  # QC is a province of Canada only
    ],
)
def test_a_members_town_with_its_province_is_that_town(written, country):
    # A Montréal organiser's sign-up sheet: 7 of 18 Québec members wrote "Town, QC" or
    # "Town, Québec", and each was placed nowhere, near nobody but those who wrote the same.
    assert fold_place(written, country) == fold_place("Montréal", "Canada")
    lats, lons = member_points([written], [country], np.array([np.nan]), np.array([np.nan]))
    assert abs(lats[0] - 45.5) < 0.1 and abs(lons[0] + 73.6) < 0.1


def test_a_town_with_a_province_of_another_country_than_the_members_stays_whole():
    assert fold_place("Montréal, QC", "France") == ("montréal, qc", "FR")


def test_a_region_written_after_a_town_chooses_among_the_towns_of_its_name():
    # "Portland, OR" and "Portland, Maine" were placed nowhere, as Portland in the US is in
    # doubt, and "Frankfurt, BB" (Brandenburg: Frankfurt an der Oder) in Frankfurt am Main.
    written = [
        ("Portland, OR", ""),
        ("Portland, Maine", "USA"),
        ("Perth, WA", ""),  # Western Australia, not Washington (no Perth of 5,000 there)
        ("Newport, Wales", ""),  # not the Isle of Wight's
        ("London, ON", ""),
        ("Frankfurt, BB", "Germany"),
        ("Durham, NH", "US"),  # not Durham, North Carolina, ten times larger
        ("Portland, Narnia", ""),
        ("Portland, OR", "Canada"),  # no Oregon in Canada
    ]
    lats, lons = member_points(*zip(*written, strict=True), np.full(9, np.nan), np.full(9, np.nan))
    meant = [(45.52, -122.68), (43.66, -70.26), (-31.95, 115.86), (51.59, -3.0)]
    meant += [(42.98, -81.25), (52.34, 14.55), (43.13, -70.93)]
    assert haversine_km(lats[:7], lons[:7], *np.array(meant).T).max() < 30
    assert np.isnan(lats[7:]).all()
    # Placed, so the import does not warn that they are placed nowhere:
    assert place_warnings("Portland, Oregon", "", None) == []
    assert place_warnings("Springfield, IL", "US", None) == []
    assert "placed nowhere" in place_warnings("Portland, Narnia", "", None)[0]


def test_a_build_keeps_what_a_region_was_looked_up_as(fresh_gazetteer, tmp_path):
    gazetteer = fresh_gazetteer
    written, countries = ["Portland, OR", "Perth, WA"], ["", ""]
    asked = looked_up(written, countries)
    assert {("Portland", "US", "OR"), ("Perth", "US", "WA"), ("Perth", "AU", "08")} <= asked
    gazetteer.keep(tmp_path / "towns.json", asked)
    gazetteer.block_list()
    gazetteer.remember(tmp_path / "towns.json")
    lats, _ = member_points(written, countries, np.full(2, np.nan), np.full(2, np.nan))
    assert 45 < lats[0] < 46 and -32 < lats[1] < -31
    assert fold_places(written, countries)[0].tolist() == ["portland, or", "perth"]
    assert fold_places(written, countries)[1].tolist() == ["US", "AU"]  # the regions' countries


def test_a_town_whose_region_places_it_elsewhere_than_its_country_would_keeps_its_name():
    # "Frankfurt, BB" (Brandenburg) was compared as Frankfurt am Main, which the country
    # alone gives, and "Durham, NH" as Durham, North Carolina: a town filter "Frankfurt am
    # Main" listed a member in Frankfurt an der Oder.
    assert fold_place("Frankfurt, BB", "Germany") == ("frankfurt, bb", "DE")
    assert fold_place("Durham, NH", "US") == ("durham, nh", "US")
    assert fold_place("Durham, NC", "US") == ("durham", "US")  # the country's Durham
    assert fold_place("Newport, Wales", None) == ("newport", "GB")  # the country has none
    assert fold_place("Montreal, QC", None) == fold_place("Montréal", "CA")


def test_a_town_whose_region_the_gazetteer_has_no_town_of_that_name_in_is_not_placed_elsewhere():
    """A reviewer: "Richmond, QC" (a small town the gazetteer does not list) was placed in
    Richmond, British Columbia, 3,700 km away, and told "you are both in Richmond" beside it."""
    nan = [np.nan] * 2
    lats, _ = member_points(["Richmond, QC", "Richmond, BC"], ["Canada"] * 2, nan, nan)
    assert np.isnan(lats[0]) and lats[1] == pytest.approx(49.17, abs=0.05)
    assert fold_place("Richmond, QC", "Canada") != fold_place("Richmond, BC", "Canada")
    assert fold_place("Frankfurt, DE", "") == ("frankfurt, de", "")  # a country, not Delaware


@pytest.mark.parametrize(
    ("written", "with_comma"),
    [("Olympia WA", "Olympia, WA"), ("Portland OR", "Portland, OR"), ("Austin TX", "Austin, TX")],
)
def test_a_town_and_its_states_code_without_a_comma_is_that_town(written, with_comma):
    # "Olympia WA", as Americans type it, was placed nowhere (the import warned so) and was
    # not the town of a member who wrote "Olympia, WA".
    assert fold_place(written, "US") == fold_place(with_comma, "US")
    assert fold_place(written, "") == fold_place(with_comma, "")
    lats, lons = member_points(
        [written, with_comma], ["US", ""], np.full(2, np.nan), np.full(2, np.nan)
    )
    assert not np.isnan(lats).any() and haversine_km(lats[0], lons[0], lats[1], lons[1]) < 1
    assert place_warnings(written, "US", None) == []


def test_a_town_whose_name_ends_in_capitals_is_not_read_as_a_region():
    assert fold_place("Olympia wa", "US") == ("olympia wa", "US")  # not a code in capitals
    assert fold_place("Narnia WA", "US") == ("narnia wa", "US")  # no Narnia in Washington


def test_a_town_found_by_another_name_whose_own_name_is_in_doubt_is_compared_as_written():
    # "PDX" (Portland, Oregon) was compared as "portland", the name of two towns in the US:
    # a town filter "Portland, ME" listed members in PDX, and a search typed "Portland,
    # Maine" was placed in Oregon, where two PDX members outnumbered one in Maine.
    assert fold_place("PDX", "US") == ("pdx", "US")
    assert fold_place("NYC", "US") == ("new york city", "US")  # no doubt: as before
    towns, countries = fold_places(["PDX", "Portland, ME", "Portland, Maine"], ["US", "US", ""])
    assert in_place(towns, countries, "Portland, ME").tolist() == [False, True, True]
    assert in_place(towns, countries, "Portland, Maine").tolist() == [False, True, True]
    assert in_place(towns, countries, "PDX").tolist() == [True, False, False]
    lats, _ = member_points(["PDX"], ["US"], np.full(1, np.nan), np.full(1, np.nan))
    assert 45 < lats[0] < 46  # still placed in Portland, Oregon
    assert ("Portland", "US") in looked_up(["PDX"], ["US"])  # a build keeps whether in doubt


def test_a_place_typed_with_its_states_code_without_a_comma_is_that_town():
    # A town filter "Olympia WA" found nobody ("town_known": false) where "Olympia, WA" found
    # the members of Olympia.
    towns, countries = fold_places(["Olympia WA", "Olympia, WA", "Tacoma, WA"], ["US", "USA", ""])
    assert in_place(towns, countries, "Olympia WA").tolist() == [True, True, False]
    assert split_place("Olympia WA") == split_place("Olympia, WA")


def test_a_town_with_its_states_name_or_code_is_one_town():
    # "Portland, OR" and "Portland, Oregon" were two towns: two members placed in one
    # Portland read "about 0 km away" and not "You are both in Portland", and a town filter
    # "Portland, Oregon" left out those who wrote "Portland, OR".
    written = ["Portland, OR", "Portland, Oregon", "Portland, ME", "Portland, Maine"]
    towns, countries = fold_places(written, ["US", "USA", "U.S.", ""])
    assert towns.tolist() == ["portland, or", "portland, or", "portland, me", "portland, me"]
    km = np.zeros(4)
    assert (
        same_town(towns[0], towns, km, countries[0], countries).tolist() == [True] * 2 + [False] * 2
    )
    assert in_place(towns, countries, "Portland, Oregon").tolist() == [True, True, False, False]
    assert fold_place("Tbilisi, Georgia", None) == ("tbilisi, georgia", "")  # as before


def test_a_town_with_a_states_name_keeps_the_country_the_name_gives():
    # "Denver, Colorado" and "Olympia, Washington" with the country column empty were
    # Denver and Olympia in the US; read as "Denver, CO" ("CO": Colombia too) and "Olympia,
    # WA" (Western Australia too) they lost it: another town than "Denver" given the US, and
    # left out of a town filter "Denver" (a reviewer).
    written = ["Denver, Colorado", "Denver", "Olympia, Washington", "Olympia, WA"]
    towns, countries = fold_places(written, ["", "US", None, "US"])
    assert towns.tolist() == ["denver", "denver", "olympia", "olympia"]
    assert countries.tolist() == ["US"] * 4
    assert in_place(towns, countries, "Denver").tolist() == [True, True, False, False]


def test_a_build_keeps_whether_a_town_and_capitals_is_a_towns_whole_name(fresh_gazetteer, tmp_path):
    # A member's "Olympia WA" (or "Bristol UK") asked the list whether a town bears the whole
    # name (`with_region_comma`): every worker serving the build read the list again.
    gazetteer = fresh_gazetteer
    written, countries = ["Olympia WA", "Bristol UK", "Portland, Oregon"], ["", "", ""]
    want = fold_places(written, countries)[0].tolist()
    gazetteer.keep(tmp_path / "towns.json", looked_up(written, countries))
    gazetteer.block_list()
    gazetteer.remember(tmp_path / "towns.json")
    assert fold_places(written, countries)[0].tolist() == want
    lats, _ = member_points(written, countries, np.full(3, np.nan), np.full(3, np.nan))
    assert 47 < lats[0] < 48 and 45 < lats[2] < 46


@pytest.mark.parametrize(
    ("written", "country"),
    [("Adelaide, SA", "AU"), ("Berlin, BE", "DE"), ("Mannheim, BW", "DE"), ("Paris, FR", "FR")],
)
def test_a_region_code_that_is_a_countrys_too_is_the_region_where_its_town_is(written, country):
    # A reviewer: "Adelaide, SA" with no country was placed in Adelaide but compared as a town
    # of Saudi Arabia, so not the same town as "Adelaide" in Australia at 0 km.
    assert fold_place(written, "")[1] == country
    assert fold_place("Frankfurt, DE", "") == ("frankfurt, de", "")  # no Frankfurt in Delaware


@pytest.mark.parametrize(
    ("written", "country"),
    [("Olympia, WA", "USA"), ("Olympia WA", "US"), ("Portland, OR", "US"), ("Perth, WA", "AU")],
)
def test_a_town_with_its_region_and_no_country_is_as_if_the_regions_country_were_given(
    written, country
):
    # A US organiser: "Olympia, WA" with the country column empty and with "USA" were two
    # towns, so two members there read "less than a mile away", not "You are both in Olympia".
    assert fold_place(written, "") == fold_place(written, country)
