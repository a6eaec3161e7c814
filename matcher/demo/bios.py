"""One- or two-line profile bios, in the member's own voice."""
# ruff: noqa: E501  (templates read best one to a line)

from __future__ import annotations

import numpy as np

from matcher.demo.names import pick
from matcher.demo.slots import Author, Slots
from matcher.demo.writing import expand, tidy_sentence

BIOS: dict[str, tuple[str, ...]] = {
    "band": (
        "<Four-piece|Three-piece|Noisy|Dreamy|Scrappy> {genre} band from {town}.[ Influenced by {ref} and {ref2}.]",
        "{We're} {name}, a {genre} {unit} from {town}.[ New {record} out {month}.]",
        "{genre}/{genre2} from {town}. <Loud|Sad|Fun|Sweaty> songs[ for <sad|loud|nice> people].",
        "Formed in {year} in {town}. {We} play {genre}[ and a bit of {genre2}].",
    ),
    "artist": (
        "Singer-songwriter from {town} making {genre}[ with a bit of {genre2}].",
        "{genre} artist based in {town}.[ For fans of {ref}.]",
        "I write <sad|weird|warm|loud> {genre} songs in my bedroom in {town}.",
        "Making {genre} since {year}.[ {town}.]",
    ),
    "session_musician": (
        "Session {instrument} player in {town}.[ {years} years gigging.]",
        "{instrument} for hire - {genre}, {genre2}, whatever you need.",
        "Freelance musician ({instrument}) based in {town}.",
    ),
    "producer": (
        "Producer in {town}. {genre} mostly.[ Credits: {credit}.]",
        "I make records[ and beats] in a small studio in {town}.",
    ),
    "engineer": (
        "Mix, mastering and live sound engineer, {town}.",
        "Engineer with {years} years behind desks[ in {town}].",
    ),
    "venue": (
        "{cap}-capacity venue in {town}. Live music <most nights|every weekend|since {year}>.",
        "Independent music venue and bar in {town}[ - {genre} and more].",
        "Grassroots venue, {town}. {cap} cap, good PA, great bar.",
    ),
    "promoter": (
        "Putting on {genre} shows in {town}[ since {year}].",
        "DIY promoter, {town}. Gigs, all-dayers and club nights.",
    ),
    "studio": (
        "Recording and rehearsal studio in {town}.[ Since {year}.]",
        "{n} rehearsal rooms and a live room in {town}.",
    ),
    "label": (
        "Independent label from {town} releasing {genre}[ and {genre2}].",
        "Small {genre} label. Tapes, vinyl and love, since {year}.",
    ),
    "manager": (
        "Artist manager in {town}[ - {genre}].",
        "I look after bands[ in {town}] so they can get on with the music.",
    ),
    "photographer": (
        "Music photographer in {town}.[ Live, press and portraits.]",
        "I take photos at gigs around {town}.",
    ),
    "videographer": (
        "Music videos and live sessions, {town}.",
        "Filmmaker in {town}[ who loves {genre}].",
    ),
    "designer": (
        "Designer and illustrator in {town}. Posters, covers, merch.",
        "I draw gig posters and album covers[ in {town}].",
    ),
    "teacher": (
        "{instrument} teacher in {town}[, {years} years teaching].",
        "Music tutor ({instrument}) - {town} and online.",
    ),
    "writer": (
        "Writing about {genre} and new music[ from {town}].",
        "Music writer and zine maker, {town}.",
    ),
    "radio": (
        "Community radio from {town}. New {genre} every week.",
        "Independent radio show playing {genre}[ and {genre2}] since {year}.",
    ),
    "fan": (
        "Gig-goer in {town}. Love {genre}[ and {genre2}].",
        "Just here for the music.[ {town}.]",
        "Big {genre} fan, {town}.[ Go to too many gigs.]",
        "",
    ),
}


def write_bio(author: Author, rng: np.random.Generator) -> str:
    """A short bio for a member's profile (fans sometimes leave it empty)."""
    template = pick(rng, BIOS[author.kind])
    if not template:
        return ""
    return tidy_sentence(expand(template, Slots(author, rng), rng))
