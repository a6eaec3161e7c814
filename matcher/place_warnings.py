"""Warnings of a member's place that would cut them off: a country nobody knows by that name,
a town placed nowhere. Not problems (a member may write a place their way; a village is no
listed town), so said, not refused: one wording for the import's rows and the API's members."""

from __future__ import annotations

from matcher import gazetteer, geo


def unknown_country(country: str, where: str = "") -> str:
    """The warning of a country that neither ISO 3166 nor the usual names know ("Englan"), with
    the likely one when one is close; `where` follows its name (an import's " (row 2)")."""
    likely = geo.likely_country(country)  # difflib: only for the warnings shown
    return (
        f"country {country!r}{where} is not one ISO 3166 or the usual names know; members in "
        "one town count as the same town only when their countries match"
        f"{f': did you mean {likely!r}?' if likely else ''}"
    )


def unplaced_town(town: str, country: str, where: str = "") -> str:
    """The warning of a town without coordinates that no listed town is called (`town` and
    `country` as `geo.unlisted_town` gives them), with the likely town when one is close;
    `where` follows its name (an import's " (row 2)")."""
    likely = gazetteer.likely_town(town, country)  # difflib: only for the warnings shown
    return (
        f"town {town!r}{where} is placed nowhere: no town of 5,000 people or more is called "
        "so, and no latitude and longitude are given, so nobody counts as near them but "
        "members who wrote the same town (check its spelling, or give its latitude and "
        "longitude: a country does not place a town that no listed town is called)"
        f"{f'; did you mean {likely!r}?' if likely else ''}"
    )


def place_warnings(town: str | None, country: str | None, latitude: float | None) -> list[str]:
    """The warnings an import gives of one member's town and country (and their latitude: a
    member with coordinates is placed whatever their town is called)."""
    warnings = []
    if country and not geo.known_country(country):
        warnings.append(unknown_country(country))
    unlisted = geo.unlisted_town(town, country) if latitude is None else None
    if unlisted:
        warnings.append(unplaced_town(*unlisted))
    return warnings
