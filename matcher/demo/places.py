"""Towns of the demo scene (UK, Ireland, North America) with real coordinates and local genres."""

from __future__ import annotations

from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Town:
    """A town: where it is, how big its scene is, and the genres it is known for."""

    name: str
    country: str
    region: str
    latitude: float
    longitude: float
    weight: float
    scene: tuple[str, ...] = ()


TOWNS: tuple[Town, ...] = (
    # United Kingdom
    Town("London", "UK", "London", 51.5074, -0.1278, 10.0, ("grime", "jazz", "post-punk")),
    Town("Manchester", "UK", "North West", 53.4808, -2.2426, 6.0, ("post-punk", "indie rock")),
    Town("Leeds", "UK", "Yorkshire", 53.8008, -1.5491, 5.0, ("post-punk", "hardcore", "emo")),
    Town("Sheffield", "UK", "Yorkshire", 53.3811, -1.4701, 3.5, ("synthpop", "indie rock")),
    Town("Bristol", "UK", "South West", 51.4545, -2.5879, 5.0, ("drum and bass", "trip hop")),
    Town("Glasgow", "UK", "Scotland", 55.8642, -4.2518, 5.0, ("indie pop", "post-rock")),
    Town("Edinburgh", "UK", "Scotland", 55.9533, -3.1883, 3.5, ("folk", "indie folk")),
    Town("Birmingham", "UK", "Midlands", 52.4862, -1.8904, 4.0, ("metal", "doom", "soul")),
    Town("Liverpool", "UK", "North West", 53.4084, -2.9916, 4.0, ("psych", "indie rock")),
    Town("Newcastle upon Tyne", "UK", "North East", 54.9783, -1.6178, 3.0, ("folk", "punk")),
    Town("Nottingham", "UK", "Midlands", 52.9548, -1.1581, 3.0, ("hip hop", "indie rock")),
    Town("Brighton", "UK", "South East", 50.8225, -0.1372, 3.5, ("indie pop", "punk")),
    Town("Cardiff", "UK", "Wales", 51.4816, -3.1791, 3.0, ("indie rock", "psych")),
    Town("Belfast", "UK", "Northern Ireland", 54.5973, -5.9301, 3.0, ("punk", "trad")),
    Town("Norwich", "UK", "East of England", 52.6309, 1.2974, 1.5, ("noise", "experimental")),
    Town("Leicester", "UK", "Midlands", 52.6369, -1.1398, 1.5, ("indie rock", "soul")),
    Town("Oxford", "UK", "South East", 51.7520, -1.2577, 1.5, ("shoegaze", "indie rock")),
    Town("Hull", "UK", "Yorkshire", 53.7676, -0.3274, 1.2, ("punk", "indie rock")),
    Town("York", "UK", "Yorkshire", 53.9600, -1.0873, 1.2, ("folk", "singer-songwriter")),
    Town("Bradford", "UK", "Yorkshire", 53.7960, -1.7594, 1.2, ("hip hop", "punk")),
    Town("Southampton", "UK", "South Coast", 50.9097, -1.4044, 1.2, ("hardcore", "indie rock")),
    Town("Dundee", "UK", "Scotland", 56.4620, -2.9707, 1.0, ("indie rock", "folk")),
    Town("Swansea", "UK", "Wales", 51.6214, -3.9436, 1.0, ("emo", "indie rock")),
    # Ireland
    Town("Dublin", "Ireland", "Leinster", 53.3498, -6.2603, 6.0, ("indie folk", "post-punk")),
    Town("Cork", "Ireland", "Munster", 51.8985, -8.4756, 2.5, ("indie rock", "trad")),
    Town("Galway", "Ireland", "Connacht", 53.2707, -9.0568, 2.0, ("trad", "folk")),
    Town("Limerick", "Ireland", "Munster", 52.6638, -8.6267, 1.2, ("hip hop", "indie rock")),
    Town("Waterford", "Ireland", "Munster", 52.2593, -7.1101, 0.8, ("folk", "indie rock")),
    Town("Kilkenny", "Ireland", "Leinster", 52.6541, -7.2448, 0.6, ("trad", "singer-songwriter")),
    # United States
    Town("New York", "USA", "Northeast", 40.7128, -74.0060, 8.0, ("post-punk", "jazz", "hip hop")),
    Town("Philadelphia", "USA", "Northeast", 39.9526, -75.1652, 3.0, ("indie rock", "soul")),
    Town("Boston", "USA", "Northeast", 42.3601, -71.0589, 3.0, ("hardcore", "indie rock")),
    Town("Chicago", "USA", "Midwest", 41.8781, -87.6298, 5.0, ("house", "jazz", "post-rock")),
    Town("Minneapolis", "USA", "Midwest", 44.9778, -93.2650, 2.5, ("emo", "indie rock")),
    Town("Detroit", "USA", "Midwest", 42.3314, -83.0458, 2.0, ("techno", "garage rock")),
    Town("Nashville", "USA", "South", 36.1627, -86.7816, 3.5, ("americana", "country")),
    Town("Austin", "USA", "South", 30.2672, -97.7431, 3.5, ("psych", "garage rock")),
    Town("Athens", "USA", "South", 33.9519, -83.3576, 1.0, ("jangle pop", "indie rock")),
    Town("Atlanta", "USA", "South", 33.7490, -84.3880, 2.5, ("hip hop", "r&b")),
    Town("New Orleans", "USA", "South", 29.9511, -90.0715, 2.0, ("jazz", "funk", "soul")),
    Town("Seattle", "USA", "Pacific Northwest", 47.6062, -122.3321, 3.5, ("grunge", "indie rock")),
    Town("Portland", "USA", "Pacific Northwest", 45.5152, -122.6784, 3.0, ("indie folk", "punk")),
    Town("Olympia", "USA", "Pacific Northwest", 47.0379, -122.9007, 0.7, ("riot grrrl", "punk")),
    Town("Los Angeles", "USA", "West Coast", 34.0522, -118.2437, 6.0, ("synthpop", "hip hop")),
    Town("San Francisco", "USA", "West Coast", 37.7749, -122.4194, 3.0, ("psych", "electronic")),
    Town("Denver", "USA", "Mountain West", 39.7392, -104.9903, 2.0, ("bluegrass", "indie rock")),
    # Canada
    Town("Toronto", "Canada", "Ontario", 43.6532, -79.3832, 5.0, ("indie rock", "hip hop")),
    Town("Hamilton", "Canada", "Ontario", 43.2557, -79.8711, 1.0, ("punk", "indie rock")),
    Town("Montreal", "Canada", "Quebec", 45.5019, -73.5674, 4.0, ("post-rock", "indie pop")),
    Town("Vancouver", "Canada", "British Columbia", 49.2827, -123.1207, 3.0, ("shoegaze", "punk")),
    Town("Halifax", "Canada", "Maritimes", 44.6488, -63.5752, 1.5, ("indie pop", "folk")),
    Town("Winnipeg", "Canada", "Prairies", 49.8951, -97.1384, 1.0, ("folk", "indie rock")),
)

# Regions spoken of with "the" (the Midlands, the Midwest); the others without (Yorkshire).
REGIONS_WITH_THE = frozenset(
    {"North West", "North East", "South West", "South East", "Midlands", "South Coast"}
    | {"Northeast", "Midwest", "South", "Pacific Northwest", "West Coast", "Mountain West"}
    | {"Prairies", "Maritimes"}
)
CURRENCY = {"UK": "£", "Ireland": "€", "USA": "$", "Canada": "$"}
