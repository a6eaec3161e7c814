"""How people ask for and offer rehearsal rooms, recording, production, mixing and mastering."""
# ruff: noqa: E501  (templates read best one to a line)

from __future__ import annotations

PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "rehearsal": {
        "need": {
            "core": (
                "Looking for a rehearsal <room|space|studio> in {place}[ - {days}].",
                "Need somewhere to <practise|rehearse|jam> <once a week|on {days}|before {our} tour>[ in {place}].",
                "Any <cheap|decent|soundproofed> rehearsal rooms <around|in|near> {place}?",
                "<Want|Need> a regular <rehearsal|practice> slot[ on {days}][ in {place}].",
                "Where do bands rehearse in {place} <these days|now the old place has closed|that isn't a damp basement>?",
                "Need a small room to <teach|practise|rehearse> in[ near {place}].",
            ),
            "short": ("Rehearsal space {place}?", "practice room needed[ {days}]"),
            "extra": (
                "With a drum kit ideally.",
                "Storage would be amazing.",
                "Budget about {cur}{fee} a session.",
            ),
        },
        "offer": {
            "core": (
                "Rehearsal rooms in {town}[ - from {cur}{fee} a session].",
                "{We} have {n} rehearsal rooms with <full backline|PA and drum kit|air con (finally)>.",
                "<Cheap|Affordable|Decent> practice space <available|free> <on {days}|most evenings|weekday afternoons>.",
                "Need somewhere to rehearse? {Our} rooms <are soundproofed|have great PAs|are open till midnight>.",
                "Regular rehearsal slots <available|opening up> from {month}[ - {town}].",
            ),
            "short": ("Rehearsal rooms - {town}", "Practice space free {days}"),
            "extra": (
                "Storage lockers available.",
                "Block booking discounts.",
                "Parking out back.",
            ),
        },
    },
    "recording": {
        "need": {
            "core": (
                "Looking for a studio to record {our} {record}[ in {month}].",
                "Need to record <a few tracks|{n} songs|a single|a demo>[ - {genre}][ - {place}].",
                "<Anyone recommend|Recommendations for> a <decent|affordable|live-room> recording studio <in|near|around> {place}?",
                "{We} want to record <live|to tape|as live as possible> - who can help?",
                "Need an engineer to record {us}[ over a weekend][ in {place}].",
                "<After|Want> <a couple of days|a day|a weekend> in a studio to <track|record> {our} {record}.",
                "Got the songs, need someone to record them[ properly].",
            ),
            "short": (
                "Studio needed - {record}",
                "recording {place}?",
                "need to record {record} asap",
            ),
            "extra": (
                "Budget {cur}{fee}ish.",
                "Would love a good live room.",
                "{n} songs, mostly live takes.",
                "Happy to travel for the right studio.",
            ),
        },
        "offer": {
            "core": (
                "Recording <studio|space> in {town}[ - from {cur}{fee} a day].",
                "{We} record <bands|artists|everything from folk to metal|{genre} and {genre2}>[ in {town}].",
                "<Book|Booking> studio time for {month}[ - day rates and block deals].",
                "I can record your <band|EP|album|demo> <in my studio|on location|live>[ in {town}].",
                "Tracking, overdubs, <vocal sessions|live sessions> - <big live room|tape machine|great mic collection>.",
                "Need to record? {We've} got <a big live room|vintage gear|a tape machine> and <fair rates|a kettle|a lovely engineer>.",
            ),
            "short": ("Recording studio - {town}", "Studio time available {month}"),
            "extra": (
                "Engineer included.",
                "Recorded {credit} and {credit2}.",
                "Tape or digital.",
            ),
        },
    },
    "production": {
        "need": {
            "core": (
                "Looking for a producer for {our} {record}[ - {genre}].",
                "Need someone to produce <a few tracks|{our} songs|my demos>[ into something release-ready].",
                "<Any|Looking for> producers who <get|love|know> {genre}[ and {ref}]?",
                "I have <demos|voice memos|songs> and need a producer to <help shape them|bring them to life|flesh them out>.",
                "After a producer with <ideas|a sound|good taste> for {our} <next release|{record}>.",
                "Need beats[ for a {genre} project][ - {place}].",
            ),
            "short": ("producer wanted[ - {genre}]", "Need a producer for {record}"),
            "extra": (
                "Thinking <lush|raw|big|minimal> production.",
                "Reference tracks: {ref}, {ref2}.",
                "Remote is fine.",
            ),
        },
        "offer": {
            "core": (
                "Producer[ in {town}] - <taking on|looking for> <new artists|projects|{genre} acts>.",
                "I produce {genre}[ and {genre2}] - <from demo to master|start to finish|full arrangements>.",
                "Can turn your demos into <finished tracks|release-ready songs|something special> - production from {cur}{fee}.",
                "Producer with credits for {credit}[ and {credit2}] <has space in|free from> {month}.",
                "<Beats|Production> <for sale|for hire|for rappers and singers>[ - {genre}].",
                "I'll produce your <single|EP|record> <in my studio|remotely|in {town}>.",
            ),
            "short": ("Producer for hire[ - {genre}]", "Production, {town}"),
            "extra": (
                "Can also mix.",
                "Credits: {credit}, {credit2}.",
                "I play most instruments myself.",
            ),
        },
    },
    "mixing": {
        "need": {
            "core": (
                "Need someone to mix {our} {record}[ - {n} tracks].",
                "Looking for a mix engineer[ who gets {genre}].",
                "<Anyone|Who> can mix <a single|{n} songs|an EP|a live recording> <by {month}|on a budget|this month>?",
                "{We've} recorded everything and now need it mixed[ properly].",
                "Mixing engineer wanted for <a {genre} {record}|some tracks|a project>.",
                "My mixes sound <muddy|flat|awful|ok but not great> - need a proper mix engineer.",
            ),
            "short": ("mix engineer wanted", "need mixing for {record}", "Mixing help?"),
            "extra": (
                "Stems ready to send.",
                "Reference: {ref}.",
                "{n} tracks, mostly live drums and guitars.",
            ),
        },
        "offer": {
            "core": (
                "Mix engineer taking on new projects[ - {genre}].",
                "I mix <records|EPs|singles> <remotely|from my studio|in {town}>[ - {cur}{fee} per track].",
                "Mixing for <bands|artists|independent releases>[: {genre}, {genre2}].",
                "Send me your stems and I'll <mix|do a test mix of> one track free.",
                "<Analog|Hybrid|In-the-box> mixing[ with {years} years experience].",
                "Mixed records for {credit}[ and {credit2}] - space for new <projects|clients> from {month}.",
            ),
            "short": ("Mixing - {cur}{fee}/track", "Mixing services[ ({genre})]"),
            "extra": ("Unlimited revisions.", "Quick turnaround.", "Can also master."),
        },
    },
    "mastering": {
        "need": {
            "core": (
                "Need {our} {record} mastered[ by {month}].",
                "Looking for mastering[ for {n} tracks][ - {genre}].",
                "<Anyone|Who> does <affordable|vinyl|streaming> mastering?",
                "Need a mastering engineer for <a single|an EP|an album>[ - vinyl and digital].",
                "{Our} mixes are done, just need mastering[ for release in {month}].",
            ),
            "short": ("mastering wanted", "need mastering asap", "Mastering for {record}?"),
            "extra": (
                "Vinyl master needed too.",
                "Budget is {cur}{fee} total.",
                "Reference tracks on request.",
            ),
        },
        "offer": {
            "core": (
                "Mastering from {cur}{fee} per track[ - quick turnaround].",
                "I master <records|music> <for vinyl and streaming|of all genres|for independent artists>.",
                "<Affordable|Analog|Online> mastering[ - {genre} a speciality].",
                "Mastering engineer with {years} years experience[, credits include {credit}].",
                "Send me your mix and I'll master a <track|sample> free.",
            ),
            "short": ("Mastering - {cur}{fee}/track", "Online mastering[, all genres]"),
            "extra": (
                "Vinyl cuts arranged.",
                "DDP and all formats.",
                "Attended sessions available.",
            ),
        },
    },
}
