"""How people ask for and offer gigs, acts, rooms, booking, live sound, floors and vans."""
# ruff: noqa: E501  (templates read best one to a line)

from __future__ import annotations

PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "gig": {
        "need": {
            "core": (
                "{We're} looking for gigs[ in {place}][ in {month}].",
                "Any promoters <need|looking for> a support act[ in {place}][ on {date}]?",
                "<Need|Looking for|After> a <support slot|gig|show|couple of shows> in {place}[ around {month}].",
                "{We're} touring in {month} and need a show in {place}[ - can play any night].",
                "Where's good to play in {place} for a <new|young|small|loud> {genre} {unit}?",
                "<Want|Hoping> to play <more|some> shows[ outside {town}] - anyone booking?",
                "Need a gig <to launch|for> {our} {record}[ in {month}].",
                "Can anyone help {us} get a <slot|gig|show> at a {genre} night in {place}?",
                "Looking for a <festival slot|gig|all-dayer slot> this <summer|autumn|spring>[, {place} or nearby].",
            ),
            "short": (
                "gig wanted - {place}[ - {genre}]",
                "Support slots in {place}?",
                "need a show {place} {month}",
                "{genre} {unit} seeks gigs ({place})",
            ),
            "extra": (
                "{We} <bring a crowd|always bring people|have a decent local following>.",
                "Can share backline[ and have {our} own drum kit].",
                "Happy to play for <door split|a fee|beer and petrol money>.",
                "<Clips|Videos|Recordings> on request.",
                "{We've} played {credit} nights before.",
            ),
        },
        "offer": {
            "core": (
                "<Booking|Now booking|Taking bookings for> {month}[ and beyond] - <bands|acts|artists> get in touch.",
                "{We're} {host} in {town} <looking for|after> <bands|acts|artists> to play.",
                "Support slots available <most weekends|on {days}|at {our} {genre} nights>.",
                "{We} run a monthly {genre} night and <always need|are booking> acts[ - {town}].",
                "Open mic every {day}[ - new faces welcome].",
                "Got a free <Friday|Saturday|weeknight> slot on {date} if anyone wants to play.",
                "Gigs for new bands: {we} give you a stage, a decent PA and a fair door split.",
                "Stage available for touring acts passing through {town}.",
                "{We} book <touring|local|new> bands into <small rooms|a {cap}-cap room|pubs and clubs> around {town}.",
            ),
            "short": (
                "Now booking - {town}",
                "Gig slots available[ ({genre})]",
                "Stage free {date}!",
            ),
            "extra": (
                "<Decent|Good|New> PA and in-house sound engineer.",
                "Door split <70/30|80/20> in favour of the band.",
                "Backline available.",
                "{We} pay <every act|all the acts|a guarantee>.",
                "All ages until 10pm.",
                "Step-free access and gender-neutral toilets.",
            ),
        },
    },
    "live_act": {
        "need": {
            "core": (
                "Looking for <bands|acts|artists|performers> to play <{genre} nights|shows|sessions> <in {place}|from {month}>.",
                "{We} need <a headliner|a support act|two support acts|a band> for {date}[ - {genre} preferred].",
                "Any {genre} <bands|acts|artists> want to play <a house show|a session|{our} night> in {place}?",
                "<Hosting|Putting on|Running> a <gig|show|fundraiser|all-dayer> in {month} and need <acts|bands|performers>.",
                "Booking <acts|bands|artists> for <a live session series|{our} sessions|a new night> in {place}.",
                "<Who wants to play|Want to play> {place}? {We've} got <a slot|a night|two slots> <free|open> on {date}.",
                "Seeking <local|touring|new> <bands|artists> for <a weekly residency|a monthly night|an acoustic evening>.",
            ),
            "short": (
                "Acts wanted - {place}[ - {genre}]",
                "Bands needed for {date}!",
                "Need a support band {month}",
            ),
            "extra": (
                "Good PA, friendly crowd.",
                "Send <links|a Bandcamp link|a video> please.",
                "Originals preferred.",
                "<Acoustic|Stripped back> sets work best.",
                "Small fee plus drinks.",
            ),
        },
        "offer": {
            "core": (
                "{We're} available for <gigs|shows|support slots>[ in {town}][ from {month}].",
                "<Book|Booking> {us}! {We're} a {genre} {unit} <looking to|keen to> play <more|anywhere|out of town>.",
                "Happy to play <house shows|festivals|benefits|all-dayers|anything>[ in and around {town}].",
                "{We} can do <a full set|acoustic sets|a 30-minute set|a 45-minute set>[ at short notice] - get {us} on your <bill|night|show>.",
                "<Need an act?|Need a band?|Short an act?> {We} play {genre} and <bring a crowd|are tight live|sound great in small rooms>.",
                "Available to <support|open for> touring bands <in {town}|around {the_region}>.",
                "Free to play <in {month}|most weekends|on weeknights>[ - {genre}].",
            ),
            "short": (
                "Available for gigs[ - {town}]",
                "{genre} {unit} to play your night[ ({town})]",
                "Will play for pizza[ lol]",
            ),
            "extra": (
                "Own backline[ and transport].",
                "{We've} played with {credit} and {credit2}.",
                "Videos on request.",
                "Can sort {our} own sound.",
            ),
        },
    },
    "venue_hire": {
        "need": {
            "core": (
                "Looking for a venue <to hire|for a night|for a launch party>[ in {place}][ on {date}].",
                "Need a room for <about|around|roughly> {cap} people[ in {place}][ on {date}].",
                "Anyone know a <cheap|decent|small|DIY> space to put on <gigs|a night|an all-dayer> in {place}?",
                "<Seeking|Need> a <new|regular> <venue|room|space> for {our} <monthly night|club night|gigs>[ - {place}].",
                "Venue hire in {place}: <who's good|recommendations|what's affordable>?",
            ),
            "short": ("Venue wanted - {place}", "room hire {place}? ~{cap} people"),
            "extra": (
                "Needs a PA[ and someone on the desk].",
                "Bar split is fine.",
                "Step-free access please.",
                "{cur}{fee} budget.",
            ),
        },
        "offer": {
            "core": (
                "{Our} <room|space|venue|back room> is available for hire[ - {cap} capacity].",
                "Hire {our} <space|room|hall> for <gigs|launches|club nights|private parties>[ in {town}].",
                "<Room|Venue|Space> hire from {cur}{fee}[ - PA and engineer included].",
                "<Promoters|Labels|Collectives>: {our} {cap}-cap room is <free|available> <most weeknights|on {days}>.",
                "Got a <DIY|small|beautiful old|basement> space to hire for events[ in {town}].",
            ),
            "short": ("Venue hire - {town}", "Room for hire ({cap} cap)"),
            "extra": (
                "Bar split available.",
                "In-house sound engineer.",
                "Fully accessible.",
                "Late licence on weekends.",
            ),
        },
    },
    "booking": {
        "need": {
            "core": (
                "Looking for a booking agent[ for {us}].",
                "Need someone to <book|help book> a <short|DIY|proper|first> tour[ in {month}].",
                "<Any|Are there any> promoters who'd <book|take on> a {genre} {unit}?",
                "{We} need a promoter to <run|book> <a night|{our} weekends|a monthly night>[ here].",
                "Help booking <shows|a tour|dates> around {the_region}?",
                "{We're} <drowning in emails|rubbish at booking> - need someone to book {our} <shows|tour|dates>.",
            ),
            "short": ("booking agent wanted", "Tour booking help - {region}"),
            "extra": (
                "Happy to pay a percentage.",
                "{We} have a van and a decent following.",
                "Dates: {month}.",
            ),
        },
        "offer": {
            "core": (
                "I book <tours|shows|dates> for <DIY|independent|touring> bands[ across {the_region}].",
                "{booker}[ in {town}] - <booking|putting on> {genre} shows[ for {years} years].",
                "Can help book <your tour|shows|a run of dates> <around {the_region}|in {the_region}|up and down the country>.",
                "{We} promote <gigs|nights|shows> in {town} and <love|always want> new <acts|bands> to book.",
                "Need help booking? {We've} got contacts at venues <all over {the_region}|in {town} and beyond>.",
            ),
            "short": ("Booking agent - {region}", "Tour booking[ for DIY bands]"),
            "extra": (
                "Worked with {credit} and {credit2}.",
                "Fair percentage, no upfront fees.",
                "Good relationships with venues.",
            ),
        },
    },
    "live_sound": {
        "need": {
            "core": (
                "Need a sound engineer for <a gig|a show|{our} night|a festival stage> on {date}[ in {place}].",
                "Looking for a <regular|freelance|reliable> sound <engineer|tech> <for {our} shows|for weekends|for {our} nights>.",
                "<Anyone|Who> can <do sound|run the desk|mix front of house> <on {date}|for {us}|this weekend>?",
                "{Our} <sound engineer|sound person|live engineer> <is away|quit|moved away> - need cover[ for {month}].",
                "Need someone on the <desk|PA|sound> who <knows|can handle> <a loud band|a folk night|a jazz trio>.",
            ),
            "short": ("Sound engineer needed {date}", "FOH engineer wanted[ ({place})]"),
            "extra": ("PA provided.", "Paid per gig.", "Must know <digital|analog> desks."),
        },
        "offer": {
            "core": (
                "Live sound engineer available[ in {town}][ - {years} years experience].",
                "I do <front of house|monitors|live sound> for <bands|venues|festivals>[ around {town}].",
                "<Can|Happy to> run the desk for your <gig|night|festival>[ - own PA available].",
                "Freelance sound engineer, <comfortable on|know my way around> <digital and analog|any> desks.",
                "Need someone on sound? I've done <hundreds of|loads of> gigs at <{credit} shows|small venues|festivals>.",
            ),
            "short": ("Live sound - {town}", "FOH / monitors[ for hire]"),
            "extra": (
                "Own small PA for <acoustic|small> gigs.",
                "Toured with {credit}.",
                "{cur}{fee} a night.",
            ),
        },
    },
    "accommodation": {
        "need": {
            "core": (
                "{We're} <touring|on tour|playing {place}> <on {date}|in {month}> and need <a floor|somewhere|sofas|a place> to <crash|stay|sleep>[ in {place}].",
                "Anyone in {place} got <a spare room|a floor|a couple of sofas> for a <touring|skint|tired> {unit} on {date}?",
                "<Need|Looking for> <cheap|free|any> accommodation in {place}[ for {n} people][ around {date}].",
                "Floor space in {place}? {We're} <quiet|house-trained|tidy>, promise.",
                "Playing {place} in {month} - could anyone put {us} up for the night?",
            ),
            "short": ("Floor needed - {place} {date}", "Sofa in {place}??[ {month}]"),
            "extra": (
                "{We'll} bring <beer|breakfast|merch>.",
                "<Just|Only> {n} people plus gear.",
                "Can pay a bit towards it.",
            ),
        },
        "offer": {
            "core": (
                "Got a spare room in {town} for touring bands[ - just ask].",
                "Floor space available for <touring|passing|skint> <bands|musicians> in {town}.",
                "Bands passing through {town} can crash at mine[ - {n} sofas and a dog].",
                "I can put up <a band|a couple of people|a small band> for a night or two[ in {town}].",
                "Happy to host touring musicians: <sofa|spare room|floor> and <breakfast|tea|a hot shower>.",
            ),
            "short": ("Sofa for touring bands - {town}", "Crash space ({town})"),
            "extra": (
                "No smoking inside please.",
                "Parking for a van[ outside].",
                "Vegan breakfast included lol.",
                "Near the venues.",
            ),
        },
    },
    "van": {
        "need": {
            "core": (
                "Need a van <for|on> {date}[ - {place} to <a gig|the gig|the studio>].",
                "Anyone got a van <to hire|to lend|for a weekend>[ in {place}]?",
                "Looking for <a lift|transport|a driver with a van> for {our} gear on {date}.",
                "Need <backline|a drum kit|amps> <to borrow|to hire> for a show in {place}[ on {date}].",
                "{Our} van <died|failed its MOT|got broken into> - need transport for {month} shows.",
            ),
            "short": ("Van hire {place}?", "need van + driver {date}"),
            "extra": ("Will pay for fuel[ and more].", "Just a day.", "{n} people plus gear."),
        },
        "offer": {
            "core": (
                "I've got a <van|Transit|big car> and can help bands get to gigs[ around {town}].",
                "Van <and driver|for hire|available> for <gigs|tours|gear runs>[ - {town}].",
                "Can drive <your band|your gear|you> to gigs <for fuel money|cheap|on weekends>[ in my van].",
            ),
            "short": ("Van available - {town}", "Van and driver[ - {town}]"),
            "extra": (
                "Clean licence[, careful driver].",
                "Fits {n} plus gear.",
                "{cur}{fee} a day plus fuel.",
            ),
        },
    },
    "backline": {
        "offer": {
            "core": (
                "Backline hire: <drums and amps|a full backline|cabs and a kit> available[ in {town}].",
                "{We} hire out <amps, cabs and drum kits|a full backline|PA and backline> for gigs[ around {town}].",
                "Need backline for a show? {We've} got <a spare kit and two amps|everything but the guitars|a van full of gear> to hire.",
                "<Drum kit|Bass amp|Full backline> hire[ - {cur}{fee} a day][, delivery in {town}].",
            ),
            "short": ("Backline hire - {town}", "Amps & kits for hire"),
            "extra": (
                "Delivery and pick-up available.",
                "Well looked after gear.",
                "Block discounts for tours.",
            ),
        },
    },
}
