"""Phrases every post can use: openings, closings, and clauses about sound, place, time and money.

Templates use `{slot}` for values, `<a|b|c>` for a choice and `[...]` for an optional part.
"""
# ruff: noqa: E501  (templates read best one to a line)

from __future__ import annotations

OPENINGS: dict[str, tuple[str, ...]] = {
    "formal": ("Hello,", "Hello all,", "Good afternoon,", "Dear community,", "Hi everyone,"),
    "plain": (
        "Hi all!",
        "Hey folks,",
        "Hi,",
        "Hey everyone,",
        "Quick one:",
        "Long shot:",
        "PSA:",
        "Morning all.",
        "Right then:",
        "Hey!",
        "Evening all,",
    ),
    "chatty": (
        "Heyyy!",
        "Yo!",
        "Ok so...",
        "Hiya!",
        "hey hey!",
        "Sooo...",
        "Help!",
        "Hey hey hey,",
        "Omg.",
    ),
}
REGIONAL_OPENINGS: dict[str, tuple[str, ...]] = {
    "UK": ("Alright all?", "Hiya,", "Alright?"),
    "Ireland": ("Howya folks,", "Well lads,", "Howaya,"),
    "USA": ("Hey y'all,", "Howdy!", "Hey guys,"),
    "Canada": ("Hey folks,", "Hi friends,", "Hey all, eh"),
    "Scotland": ("Awright,", "Hiya folks,"),
}
CLOSINGS: dict[str, tuple[str, ...]] = {
    "formal": (
        "Please get in touch via the site.",
        "Kind regards.",
        "Thank you.",
        "Please email if interested.",
        "Many thanks, {name}.",
        "Thanks for reading.",
    ),
    "plain": (
        "Get in touch!",
        "Drop {us} a message.",
        "DM if interested.",
        "Cheers!",
        "Thanks!",
        "Message here or email.",
        "Shout if interested.",
        "Any leads appreciated.",
        "Cheers, {name}",
        "Thanks in advance.",
    ),
    "chatty": ("cheers x", "ta!", "hmu", "x", "DM me!!", "pls share", "thx", "lmk!", "🙏", "<3"),
}

# What a member says about their own sound, by how they speak.
SOUND: dict[str, tuple[str, ...]] = {
    "act": (
        "{We're} a {genre} {unit} from {town}.",
        "{We} play <loud|scrappy|dreamy|heavy|lo-fi|melodic|slightly weird> {genre}.",
        "Think {ref} meets {ref2}.",
        "Influences: {ref}, {ref2}[ and a bit of {ref3}].",
        "Sound is somewhere between {genre} and {genre2}.",
        "{genre}/{genre2} vibes.",
        "[For reference ]{we} sound a bit like {ref}.",
        "<Genre|Style>: {genre}[, {genre2}].",
        "If you like {ref} you'll like {us}.",
    ),
    "org": (
        "{We} mostly <put on|cover|work with|champion|support> {genre} and {genre2}[ but {we're} open].",
        "{Our} thing is {genre}[, with some {genre2}].",
        "<Mainly|Mostly> {genre}[, some {genre2}].",
        "Genres: {genre}, {genre2}.",
        "Anything {genre}-adjacent <is welcome|goes|works for {us}>.",
    ),
    "person": (
        "I'm into {genre} and {genre2}.",
        "Big {genre} fan[, also love {ref}].",
        "Mostly {genre} but open to anything.",
        "Background in {genre}[ and {genre2}].",
        "<Love|Into|Obsessed with> {ref}[ and {ref2}].",
        "My stuff leans {genre}.",
    ),
}

NEED_PLACE = (
    "[Must be ]<in|near|around> {place}.",
    "{place} based[ ideally].",
    "({place})",
    "Anywhere near {place} <is fine|works>.",
    "<Location|Area>: {place}.",
    "Needs to be <local to|close to|within reach of> {place}.",
)
OFFER_PLACE = (
    "Based in {town}.",
    "{town}-based.",
    "<Covering|Serving> {town} and <around|{the_region}|surrounding areas>.",
    "Happy to travel[ within {the_region}].",
    "I'm in {town}[ but can travel].",
    "<Location|Area>: {town}[ / {region}].",
)
REMOTE_OFFER = (
    "<Work|Working> remotely, so location doesn't matter.",
    "Remote <is fine|works too|is how I work>[ - {town} based though].",
    "Can do everything online.",
    "Send files from anywhere.",
)
WHEN = (
    "<Asap|ASAP> <please|if possible|ideally>.",
    "<Ideally|Hopefully> before {month}.",
    "<Need it|Needed> <by|before> the end of {month}.",
    "No <rush|massive rush>[ tbh].",
    "For <a gig|a show|the launch|a thing> on {date}.",
    "Flexible on dates.",
    "Sometime in {month}[ ideally].",
    "Timescale: <a few weeks|next month|{month}>.",
)
NEED_PAY = (
    "<Paid|This is paid|Can pay>[ - {cur}{fee}].",
    "Small budget[ (around {cur}{fee})].",
    "Can't pay much <but will buy you a pint|yet, sorry|but will credit you everywhere>.",
    "Budget is <tight|flexible|about {cur}{fee}>.",
    "<Have|Got> {cur}{fee}[ or so] to spend.",
    "Happy to pay <a fair rate|properly|what it's worth>.",
)
OFFER_PAY = (
    "Rates from {cur}{fee}.",
    "Reasonable rates[, discounts for students].",
    "<Mates rates|Discount> for community members.",
    "First <chat|consultation|one> free.",
    "<Free|Discounted> for <charity|community|benefit> stuff.",
    "DIY <rates|prices>, just ask.",
    "Usually {cur}{fee} but <flexible|can be flexible for the right project>.",
    "Sliding scale - nobody turned away for lack of funds.",
)
