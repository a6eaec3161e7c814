"""Genres (in families), instruments, skills and influences: the tags of the demo scene."""

from __future__ import annotations

# Genres in families: a member's genres mostly come from one family, so overlap means something.
GENRE_FAMILIES: dict[str, tuple[str, ...]] = {
    "indie": (
        "indie rock",
        "indie pop",
        "shoegaze",
        "dream pop",
        "post-punk",
        "garage rock",
        "psych",
        "post-rock",
        "math rock",
        "jangle pop",
        "grunge",
    ),
    "heavy": ("punk", "hardcore", "emo", "metal", "doom", "riot grrrl", "noise"),
    "roots": (
        "folk",
        "indie folk",
        "americana",
        "alt-country",
        "country",
        "bluegrass",
        "trad",
        "singer-songwriter",
        "blues",
    ),
    "electronic": (
        "electronic",
        "techno",
        "house",
        "ambient",
        "synthpop",
        "drum and bass",
        "trip hop",
        "experimental",
    ),
    "groove": ("hip hop", "grime", "soul", "r&b", "funk", "jazz"),
}
FAMILY_WEIGHTS: dict[str, float] = {
    "indie": 0.36,
    "heavy": 0.16,
    "roots": 0.2,
    "electronic": 0.15,
    "groove": 0.13,
}
GENRES: tuple[str, ...] = tuple(g for family in GENRE_FAMILIES.values() for g in family)
GENRE_FAMILY: dict[str, str] = {g: f for f, family in GENRE_FAMILIES.items() for g in family}

# Musician roles: the instruments each is played on.
ROLE_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    "drummer": ("drums", "percussion"),
    "bassist": ("bass", "double bass"),
    "guitarist": ("guitar", "pedal steel", "banjo", "mandolin"),
    "keyboardist": ("keys", "synth", "piano", "organ"),
    "singer": ("vocals",),
    "string_player": ("violin", "cello", "fiddle", "viola"),
    "horn_player": ("trumpet", "saxophone", "trombone"),
}
ROLE_WEIGHTS: dict[str, float] = {
    "drummer": 1.4,
    "bassist": 1.2,
    "guitarist": 1.6,
    "keyboardist": 1.0,
    "singer": 1.2,
    "string_player": 0.5,
    "horn_player": 0.5,
}
INSTRUMENT_ROLE: dict[str, str] = {i: r for r, ins in ROLE_INSTRUMENTS.items() for i in ins}
INSTRUMENTS: tuple[str, ...] = tuple(INSTRUMENT_ROLE)
# Instruments that belong to some families more than others.
FAMILY_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    "roots": ("fiddle", "banjo", "mandolin", "pedal steel", "double bass", "violin"),
    "groove": ("saxophone", "trumpet", "trombone", "keys", "double bass"),
    "electronic": ("synth", "keys", "percussion"),
}

# Names people use for a player and the instrument, in text.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "drummer": ("drummer", "drummer", "drummer", "drummer/percussionist"),
    "bassist": ("bassist", "bass player", "bass player", "bassist"),
    "guitarist": ("guitarist", "guitar player", "second guitarist", "lead guitarist"),
    "keyboardist": ("keys player", "keyboardist", "synth player", "keys player"),
    "singer": ("singer", "vocalist", "lead vocalist", "singer", "backing vocalist"),
    "string_player": ("violinist", "cellist", "string player", "fiddle player"),
    "horn_player": ("trumpet player", "sax player", "horn player", "brass player"),
}

# Skills (as tags) that go with each service a member offers.
SERVICE_SKILL: dict[str, str] = {
    "recording": "recording",
    "rehearsal": "rehearsal space",
    "production": "production",
    "mixing": "mixing",
    "mastering": "mastering",
    "live_sound": "live sound",
    "photos": "photography",
    "video": "videography",
    "design": "graphic design",
    "lessons": "teaching",
    "press": "journalism",
    "airplay": "radio",
    "release": "label",
    "management": "management",
    "booking": "booking",
    "street_team": "street team",
    "accommodation": "spare room",
    "van": "van",
    "backline": "backline hire",
    "gig": "gigs",
    "venue_hire": "venue hire",
    "songwriting": "songwriting",
    "referrals": "networking",
}
EXTRA_SKILLS: dict[str, tuple[str, ...]] = {
    "designer": ("illustration", "screen printing", "web design", "typography"),
    "photographer": ("portraits", "live photography", "film photography"),
    "videographer": ("editing", "music videos", "live sessions"),
    "promoter": ("social media", "pr"),
    "manager": ("tour management", "pr", "social media"),
    "writer": ("pr", "social media", "interviews"),
    "producer": ("beats", "sound design"),
    "engineer": ("pro tools", "analog tape"),
    "studio": ("backline hire", "analog tape"),
    "venue": ("lighting", "bar"),
    "radio": ("dj", "interviews"),
    "fan": ("dj", "social media"),
}

# Well-known reference artists per family, for "think X meets Y" influences.
INFLUENCES: dict[str, tuple[str, ...]] = {
    "indie": (
        "Slowdive",
        "Pixies",
        "The Smiths",
        "Yo La Tengo",
        "Wet Leg",
        "Big Thief",
        "Pavement",
        "Mazzy Star",
        "Joy Division",
        "IDLES",
        "Alvvays",
        "Sonic Youth",
        "Television",
        "The Cure",
    ),
    "heavy": (
        "Fugazi",
        "Bikini Kill",
        "Black Flag",
        "Turnstile",
        "Sleater-Kinney",
        "Converge",
        "Black Sabbath",
        "American Football",
        "Sunny Day Real Estate",
        "Electric Wizard",
    ),
    "roots": (
        "Joni Mitchell",
        "Gillian Welch",
        "Bonny Light Horseman",
        "Lankum",
        "Nick Drake",
        "Townes Van Zandt",
        "The Staves",
        "Lucinda Williams",
        "Christy Moore",
        "Phoebe Bridgers",
    ),
    "electronic": (
        "Boards of Canada",
        "Aphex Twin",
        "Burial",
        "Massive Attack",
        "Portishead",
        "Four Tet",
        "Depeche Mode",
        "Kraftwerk",
        "Caribou",
        "Roni Size",
    ),
    "groove": (
        "J Dilla",
        "Erykah Badu",
        "Little Simz",
        "Kamasi Washington",
        "Sault",
        "Skepta",
        "D'Angelo",
        "Ezra Collective",
        "Nina Simone",
        "The Meters",
    ),
}
