"""How people ask for and offer players, lessons and co-writing."""
# ruff: noqa: E501  (templates read best one to a line)

from __future__ import annotations

from matcher.demo.vocab import ROLE_INSTRUMENTS

_PLAYER_NEED = {
    "core": (
        "{We're} looking for a {player} to join {us}[ permanently].",
        "<Need|Looking for|Seeking|After> a {player}[ for <gigs|a few gigs|recording and gigs|a run of shows in {month}>].",
        "{Our} {player} <has moved away|has quit|is leaving|just had a baby|is off travelling for a year> so {we} need a new one[ asap].",
        "Anyone know a {player} <who'd be up for|interested in> <joining a {genre} {unit}|a few rehearsals with {us}|filling in on {date}>?",
        "{We} <need|could really use> someone on {instrument}[ for the {record}][ and some gigs].",
        "<Are there any|Any> {players} <around|in|near> {place} <who'd|that would> <be up for|want to> jam[ with {us}]?",
        "Dep {player} needed for <a gig on {date}|two shows in {month}|a festival slot in {month}>.",
        "{We're} <a {genre} {unit}|starting a new {genre} project> and need a {player} who <gets it|can commit|likes {ref}|isn't flaky>.",
        "<Searching for|Hunting for|In need of> a <solid|reliable|creative|good> {player}[ to complete the line-up].",
        "Need a {player} to <record on|feature on|add parts to> <a track|a few tracks|the {record}>.",
    ),
    "short": (
        "{player} wanted[ - {genre}][ - {place}]",
        "need {player}[ asap][ {place}]",
        "{genre} {unit} seeks {player}[ ({place})]",
        "{player}?? anyone??",
        "Looking for {player}, {place}",
    ),
    "extra": (
        "Rehearsals <weekly|twice a week|on {days}> in {town}.",
        "{We} have <a few gigs|gigs> booked <already|for {month}>.",
        "No time wasters please.",
        "Must be able to commit to <one rehearsal|two rehearsals> a week.",
        "Age doesn't matter, attitude does.",
        "Originals only, no covers.",
        "Gig fees split evenly.",
        "{We've} got <an EP|a single|an album> coming out in {month}.",
        "Must have own gear and transport[ ideally].",
    ),
}
_ROLE_NEED_EXTRAS = {
    "drummer": (
        "Must be ok playing to a click.",
        "Own kit ideal but the rehearsal room has one.",
        "Someone who hits hard but can play quiet too.",
        "Brushes a bonus!",
    ),
    "bassist": ("Melodic lines, not just root notes.", "Must have own amp.", "Upright a bonus."),
    "guitarist": ("Pedal nerds welcome.", "Mostly lead, some rhythm.", "Lap steel a bonus."),
    "keyboardist": (
        "Must have own <synth|keyboard|Nord>.",
        "Analog synth nerds to the front.",
        "Some backing vocals would be nice.",
    ),
    "singer": (
        "Harmonies a bonus.",
        "Lyrics already written but open to yours.",
        "Range matters less than character.",
    ),
    "string_player": (
        "Parts are written, just need someone to play them.",
        "Must read music[ a bit].",
    ),
    "horn_player": ("Two or three songs have horn parts.", "Reading charts a bonus."),
}
_PLAYER_OFFER = {
    "core": (
        "{player} available for <sessions|gigs|depping|recording and live work>[ in {town}].",
        "I play {instrument}[ ({years} years)] and I'm looking for a <band|project> to join[ or help out].",
        "Session {player}[ with {years} years experience] - <live|studio|both>[, happy to learn parts fast].",
        "Can dep on {instrument} at short notice[ in and around {town}].",
        "<Experienced|Versatile|Reliable> {player}, <own gear and transport|own kit and a car|read charts, learn fast>.",
        "If you need {instrument} on your <record|EP|tracks>, I can record remotely[ from my home setup].",
        "Keen {player} <looking for|up for> <gigs|a project|anything interesting>[ - love {genre}].",
        "I'm a {player} <who's played with|who used to be in|who's done sessions for> {credit}[ and {credit2}], <now free|available again|free for new stuff>.",
    ),
    "short": (
        "{player} for hire[ - {town}]",
        "Available: {player}[, {genre}]",
        "{instrument} for your band[ ({town})]",
    ),
    "extra": (
        "Played with {credit}[, {credit2}][ and others].",
        "Comfortable with <a click|charts|improvising|all of the above>.",
        "Can do harmonies too.",
        "Free most <evenings|weekends|weekdays>.",
        "Own <transport|gear|PA>.",
        "Links to stuff I've played on available on request.",
    ),
}


def _with_extras(block: dict[str, tuple[str, ...]], extras: tuple[str, ...]):
    return {**block, "extra": block["extra"] + extras}


PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    **{
        role: {"need": _with_extras(_PLAYER_NEED, _ROLE_NEED_EXTRAS[role]), "offer": _PLAYER_OFFER}
        for role in ROLE_INSTRUMENTS
    },
    "lessons": {
        "need": {
            "core": (
                "I'd love to learn {instrument}[ - complete beginner].",
                "Looking for a {instrument} teacher[ in {place}][ for <me|my kid|my daughter|my son>].",
                "<Want to|Wanna|Hoping to> <finally learn|learn> {instrument}[ properly] - any teachers about?",
                "Any recommendations for {instrument} lessons <in|near|around> {place}?",
                "After a {instrument} <tutor|teacher> who can help me with <theory|reading music|technique|{genre} stuff>.",
                "Adult beginner seeking {instrument} lessons[ - <evenings|weekends> only].",
                "Can anyone teach me {instrument}? I've <tried YouTube|been self-taught for years|got a {instrument} and no clue>.",
            ),
            "short": (
                "{instrument} lessons wanted[ ({place})]",
                "{instrument} teacher?",
                "learn {instrument} - help!",
            ),
            "extra": (
                "I can do <evenings|weekends|Tuesday nights>.",
                "Have my own {instrument}[ (a cheap one)].",
                "Mostly want to play {genre} stuff.",
                "Online lessons are fine too.",
            ),
        },
        "offer": {
            "core": (
                "{instrument} lessons <in {town}|online|in {town} or online>[ - all ages and levels].",
                "I teach {instrument}[ and {instrument2}] <to beginners and improvers|at all levels|from scratch to grade 8>.",
                "<Qualified|Experienced|Patient|Friendly> {instrument} teacher[ with {years} years experience] taking new students.",
                "Learn {instrument} <the fun way|without the boring bits|with someone who's actually in bands>.",
                "Spaces for new {instrument} students <on {days}|from {month}|this term>.",
                "Tutor: {instrument}[, theory][, songwriting]. <Home studio in {town}|Can come to you|Online or in person>.",
            ),
            "short": ("{instrument} lessons - {town}", "Teaching {instrument}[, all levels]"),
            "extra": (
                "<First lesson free|Trial lesson half price>.",
                "Grades or just for fun, up to you.",
                "Fully vetted and insured.",
                "I also teach <theory|music production|songwriting>.",
            ),
        },
    },
    "songwriting": {
        "need": {
            "core": (
                "Looking for someone to co-write with[ - {genre}].",
                "<Anyone up for|Anyone fancy> a songwriting session[ in {place}]?",
                "I've got <loads of lyrics|a pile of melodies|half-finished songs> and need a co-writer to <finish them|help shape them|bounce ideas off>.",
                "Need a <lyricist|topline writer|songwriting partner> for <a few tracks|the {record}|some pop stuff>.",
                "Seeking a co-writer who <loves {ref}|gets {genre}|can write hooks>.",
            ),
            "short": ("co-writer wanted[ ({genre})]", "Songwriting partner?[ {place}]"),
            "extra": (
                "I do music, you do words[ (or the other way round)].",
                "Splits 50/50 obviously.",
                "Can meet up or do it remotely.",
            ),
        },
        "offer": {
            "core": (
                "Happy to co-write[ - {genre} mostly].",
                "Songwriter[ with {years} years of writing] - available for co-writes[ and toplines].",
                "I write <lyrics|melodies|hooks|toplines> and <love collaborating|want people to write with>.",
                "Stuck on a song? I can help you <finish it|with lyrics|with structure>.",
                "Co-writing sessions in {town}[ or remote].",
            ),
            "short": ("Co-writes available[ ({town})]", "Lyricist for hire"),
            "extra": ("Credits with {credit}.", "Splits always fair."),
        },
    },
}
