"""Names that look real: bands, people, venues, studios, labels, radio; emails and handles."""

from __future__ import annotations

import re

import numpy as np

FIRST_NAMES = (
    "Aoife", "Siobhan", "Niamh", "Ciaran", "Declan", "Orla", "Sean", "Roisin", "Eoin", "Cormac",
    "Molly", "Hannah", "Chloe", "Jess", "Rachel", "Lauren", "Sophie", "Amy", "Ellie", "Kate",
    "Tom", "Jack", "Harry", "Sam", "Joe", "Dan", "Matt", "Chris", "Rob", "Ben", "Luke", "Callum",
    "Jamie", "Alex", "Charlie", "Robin", "Sasha", "Jordan", "Taylor", "Riley", "Morgan", "Casey",
    "Priya", "Aisha", "Yusuf", "Imran", "Amara", "Kwame", "Tunde", "Zainab", "Femi", "Nia",
    "Mei", "Hana", "Kenji", "Jun", "Lin", "Arjun", "Ravi", "Leila", "Omar", "Nadia",
    "Marcus", "Tyler", "Brandon", "Kayla", "Madison", "Jasmine", "Dylan", "Austin", "Brooke",
    "Isabel", "Mateo", "Lucia", "Diego", "Camila", "Rosa", "Carlos", "Ines", "Pablo", "Elena",
    "Finn", "Freya", "Isla", "Rory", "Angus", "Fiona", "Euan", "Morag", "Gethin", "Rhys",
    "Cerys", "Dafydd", "Seren", "Owen", "Maeve", "Nora", "Theo", "Iris", "June", "Otis",
    "Mabel", "Ezra", "Wren", "Jude", "Ruby", "Stan", "Kit", "Bea", "Max", "Olu",
)  # fmt: skip
SURNAMES = (
    "Murphy", "Kelly", "O'Brien", "Byrne", "Ryan", "Walsh", "Doyle", "McCarthy", "Gallagher",
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright",
    "Hughes", "Green", "Hall", "Wood", "Clarke", "Turner", "Hill", "Moore", "Cooper", "Ward",
    "Patel", "Khan", "Singh", "Ahmed", "Begum", "Okafor", "Mensah", "Adeyemi", "Osei", "Nwosu",
    "Chen", "Wong", "Nguyen", "Kim", "Park", "Tanaka", "Sato", "Li", "Zhang", "Ito",
    "Garcia", "Martinez", "Rodriguez", "Lopez", "Hernandez", "Silva", "Costa", "Rossi", "Novak",
    "Johnson", "Williams", "Miller", "Davis", "Anderson", "Jackson", "White", "Harris", "Lewis",
    "Campbell", "Stewart", "MacLeod", "Fraser", "Robertson", "Reid", "Morrison", "Sinclair",
    "Tremblay", "Gagnon", "Roy", "Bouchard", "Lavoie", "Fortin", "Leblanc", "Pelletier",
    "Lowry", "Fairbairn", "Ashworth", "Holt", "Pennington", "Marsh", "Blackwood", "Thorne",
    "Price", "Pryce", "Llewellyn", "Vaughan", "Madden", "Quinn", "Foley", "Nolan", "Hayes",
)  # fmt: skip
ADJECTIVES = (
    "Velvet", "Quiet", "Golden", "Electric", "Paper", "Glass", "Silver", "Hollow", "Broken",
    "Secret", "Wild", "Pale", "Lucky", "Lazy", "Strange", "Tiny", "Violet", "Crimson", "Lunar",
    "Static", "Cosmic", "Gentle", "Heavy", "Soft", "Bitter", "Sweet", "Northern", "Western",
    "Midnight", "Neon", "Rusty", "Salty", "Sleepy", "Bright", "Dark", "Lost", "Last", "Future",
    "Faded", "Frozen", "Howling", "Burning", "Drifting", "Sunken", "Wandering", "Feral", "Holy",
    "Modern", "Analog", "Magnetic", "Polite", "Nervous", "Giant", "Little", "Honest", "Curious",
    "Blue", "Amber", "Copper", "Hazy", "Vacant", "Loud", "Slow", "Cold", "Warm", "Mellow",
)  # fmt: skip
NOUNS = (
    "Moth", "Harbour", "Engine", "Swan", "Lantern", "Orchard", "Signal", "Comet", "River",
    "Garden", "Tower", "Machine", "Ghost", "Wolf", "Fox", "Raven", "Crow", "Heron", "Magpie",
    "Anchor", "Compass", "Mirror", "Window", "Ladder", "Bridge", "Canal", "Meadow", "Forest",
    "Valley", "Island", "Ocean", "Tide", "Storm", "Thunder", "Ember", "Cinder", "Smoke", "Ash",
    "Echo", "Static", "Radio", "Tape", "Cassette", "Vinyl", "Needle", "Wire", "Circuit",
    "Satellite", "Planet", "Moon", "Sun", "Star", "Orbit", "Galaxy", "Pylon", "Lighthouse",
    "Chapel", "Cathedral", "Palace", "Kingdom", "Empire", "Parade", "Carnival", "Circus",
    "Honey", "Sugar", "Salt", "Pepper", "Lemon", "Cherry", "Peach", "Plum", "Fig", "Clover",
    "Thistle", "Heather", "Fern", "Willow", "Oak", "Birch", "Pine", "Cedar", "Ivy", "Rose",
    "Velvet", "Denim", "Leather", "Lace", "Marble", "Granite", "Iron", "Steel", "Chrome",
    "Dog", "Cat", "Horse", "Bear", "Hare", "Otter", "Badger", "Owl", "Gull", "Swallow",
)  # fmt: skip
PLURALS = (
    "Moths", "Wolves", "Foxes", "Ravens", "Crows", "Herons", "Magpies", "Ghosts", "Comets",
    "Rivers", "Gardens", "Towers", "Machines", "Lanterns", "Signals", "Satellites", "Planets",
    "Strangers", "Lovers", "Sisters", "Brothers", "Cousins", "Neighbours", "Saints", "Sinners",
    "Kids", "Girls", "Boys", "Dogs", "Cats", "Horses", "Bears", "Hares", "Owls", "Gulls",
    "Swallows", "Mirrors", "Windows", "Bridges", "Daydreams", "Nightmares", "Shadows", "Sparks",
    "Echoes", "Waves", "Tides", "Storms", "Embers", "Cinders", "Tapes", "Wires", "Pylons",
)  # fmt: skip
STREETS = (
    "Mill", "Church", "Station", "Market", "Bridge", "Canal", "Dock", "King", "Queen",
    "Union", "Victoria", "Albert", "Hope", "Bold", "Duke", "Wharf", "Chapel", "Foundry",
)  # fmt: skip
WORD_PAIRS = ("Salt & Pepper", "Crown & Anchor", "Fox & Hound", "Rose & Thistle", "Owl & Pussycat")


def pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    """One item, uniformly."""
    return items[int(rng.integers(len(items)))]


def person_name(rng: np.random.Generator) -> str:
    """A first name and surname."""
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, SURNAMES)}"


def band_name(rng: np.random.Generator) -> str:
    """A band name made from parts."""
    a, n, p = pick(rng, ADJECTIVES), pick(rng, NOUNS), pick(rng, PLURALS)
    forms = (
        f"The {a} {p}",
        f"{a} {p}",
        f"{n} {pick(rng, NOUNS)}",
        f"{p} of {n}",
        f"{a} {n}",
        f"{n}",
        f"{pick(rng, FIRST_NAMES)} and the {p}",
        f"{a} {n} {pick(rng, ('Club', 'Society', 'Parade', 'Machine', 'Orchestra', 'Band'))}",
        f"{n.lower()} {pick(rng, NOUNS).lower()}",
        f"The {p}",
        f"{a}{n.lower()}",
    )
    return pick(rng, forms)


def artist_name(rng: np.random.Generator) -> str:
    """A solo artist: a real-looking name or a stage name."""
    first, last = pick(rng, FIRST_NAMES), pick(rng, SURNAMES)
    forms = (
        f"{first} {last}",
        f"{first} {last}",
        f"{first} {pick(rng, NOUNS)}",
        f"{a_word(rng)}{pick(rng, NOUNS).lower()}",
        f"{first[0]}. {last}",
        f"{pick(rng, ADJECTIVES)} {first}",
        f"{first.lower()} {pick(rng, NOUNS).lower()}",
    )
    return pick(rng, forms)


def a_word(rng: np.random.Generator) -> str:
    """An adjective or noun to start a made-up word."""
    return pick(rng, ADJECTIVES + NOUNS)


# Organisation names by kind; {person} is a whole person's name.
BUSINESS_FORMS: dict[str, tuple[str, ...]] = {
    "venue": (
        "The {pair}",
        "The {adj} {noun}",
        "{noun} Rooms",
        "The {noun} Social",
        "{street} Street Social Club",
        "{noun} Hall",
        "The {noun} Bar",
        "{street} Works",
        "{last}'s",
    ),
    "studio": (
        "{noun} Studios",
        "{noun} Sound",
        "{adj} {noun} Recording",
        "Studio {noun}",
        "The {noun} Rooms",
        "{noun}house Studios",
        "{street} Street Studios",
    ),
    "label": (
        "{noun} Records",
        "{adj} {noun} Recordings",
        "{noun} Tapes",
        "{adj} Records",
        "{noun}{noun2} Records",
    ),
    "promoter": (
        "{noun} Presents",
        "{adj} {noun} Promotions",
        "{noun} Collective",
        "Club {noun}",
        "{town} {noun} Nights",
        "{person}",
    ),
    "radio": (
        "Radio {noun}",
        "{town} Community Radio",
        "{noun} FM",
        "{adj} {noun} Radio",
        "{call}",
    ),
    "writer": ("{person}", "{adj} {noun} Zine", "The {noun} Blog", "{noun} Magazine"),
    "photographer": ("{person}", "{person}", "{last} Photography", "{noun} Photo"),
    "videographer": ("{person}", "{noun} Films", "{adj} {noun} Pictures", "{last} Video"),
    "designer": ("{person}", "{noun} Design", "{noun} Print Co.", "{adj} {noun} Studio"),
    "teacher": ("{person}", "{person}", "{first}'s Music Lessons"),
    "engineer": ("{person}", "{person}", "{noun} Mastering", "{noun} Audio"),
    "producer": ("{person}", "{adj}{noun2}", "{first} {last} Productions"),
    "manager": ("{person}", "{person}", "{noun} Management"),
}


def business_name(kind: str, town: str, rng: np.random.Generator) -> str:
    """The name of a member of `kind` in `town`: a person, or an organisation's name."""
    form = pick(rng, BUSINESS_FORMS.get(kind, ("{person}",)))
    parts = {
        "noun": lambda: pick(rng, NOUNS),
        "noun2": lambda: pick(rng, NOUNS).lower(),
        "adj": lambda: pick(rng, ADJECTIVES),
        "first": lambda: pick(rng, FIRST_NAMES),
        "last": lambda: pick(rng, SURNAMES),
        "person": lambda: person_name(rng),
        "street": lambda: pick(rng, STREETS),
        "pair": lambda: pick(rng, WORD_PAIRS),
        "call": lambda: call_sign(rng),
        "town": lambda: town,
    }
    fields = re.findall(r"{(\w+)}", form)
    return form.format(**{f: parts[f]() for f in dict.fromkeys(fields)})


def call_sign(rng: np.random.Generator) -> str:
    """A North American style radio call sign, e.g. WXRT."""
    letters = "".join(pick(rng, tuple("ABCDEFGHJKLMNPRSTUVXYZ")) for _ in range(3))
    return pick(rng, ("K", "W")) + letters


def member_name(kind: str, town: str, rng: np.random.Generator) -> str:
    """A plausible name for a member of `kind`."""
    if kind == "band":
        return band_name(rng)
    if kind == "artist":
        return artist_name(rng)
    if kind in ("session_musician", "fan"):
        return person_name(rng)
    return business_name(kind, town, rng)


def slug(name: str, sep: str = "") -> str:
    """Lower-case letters and digits of `name`, words joined by `sep`."""
    return sep.join(re.findall(r"[a-z0-9]+", name.lower())) or "member"


def email_for(name: str, country: str, rng: np.random.Generator) -> str:
    """An email on a reserved example domain (never a real one)."""
    s = slug(name)
    n = int(rng.integers(1, 999))
    forms = (
        f"{s}@example.org",
        f"{s}{n}@example.com",
        f"hello@{s}.example",
        f"{slug(name, '.')}@example.net",
        f"{s}.music@example.com",
        f"{s}{n % 100}@mail.example",
    )
    return pick(rng, forms)


def contact_for(name: str, country: str, rng: np.random.Generator) -> str:
    """A contact handle: a social handle, a web page on a reserved domain, or a fictional phone."""
    s = slug(name, "_")
    n = int(rng.integers(100, 1000))
    # Ofcom's range for drama (UK) and 555-01xx (North America) are reserved for fiction.
    codes = ("416", "514", "604") if country == "Canada" else ("312", "415", "503", "615", "718")
    area = pick(rng, codes)
    phone = f"07700 900{n}" if country == "UK" else f"({area}) 555-01{n % 100:02d}"
    if country == "Ireland":
        phone = f"@{s}"
    forms = (f"@{s}", f"@{s}", f"instagram: @{s}", f"https://{slug(name)}.example", phone)
    return pick(rng, forms)
