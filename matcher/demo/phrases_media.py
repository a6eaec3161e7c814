"""How people ask for and offer photos, video, design, press, radio, labels, managers, referrals."""
# ruff: noqa: E501  (templates read best one to a line)

from __future__ import annotations

PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "photos": {
        "need": {
            "core": (
                "Need a photographer for <a gig|{our} next show|some press shots|a launch night|{our} {record} artwork>[ on {date}].",
                "Looking for <press|promo|live> photos[ - {place}].",
                "<Any|Are there any> photographers <in|around|near> {place} <who'd shoot|up for shooting> <a {genre} {unit}|{us}>?",
                "{We} badly need new <promo pics|photos|shots>[ - the old ones are from years ago lol].",
                "Would love someone to <photograph|shoot> {our} <gig|night|launch> on {date}.",
                "Photographer wanted for <portraits|a live shoot|behind-the-scenes stuff>.",
            ),
            "short": ("photographer wanted {place}", "Promo photos needed[ ({date})]"),
            "extra": (
                "Can pay {cur}{fee}.",
                "Happy to credit everywhere.",
                "Moody and <grainy|colourful> would be ideal.",
            ),
        },
        "offer": {
            "core": (
                "Photographer[ in {town}] - <live|press|promo|portrait> shots for <bands|artists|venues>.",
                "I shoot <gigs|live music|bands> <around {town}|all over {the_region}|most weekends>[ - {genre} mostly].",
                "<Need|Want> <press shots|promo photos|live photos>? I can help[ - {cur}{fee} a shoot].",
                "Music photographer <building a portfolio|with {years} years experience>[, shot for {credit}].",
                "<Film|Digital|35mm> photography for <band portraits|album covers|gig nights>.",
            ),
            "short": ("Gig photographer - {town}", "Promo shoots[ from {cur}{fee}]"),
            "extra": (
                "Quick turnaround on edits.",
                "Shot {credit} and {credit2}.",
                "Happy to shoot for free for community events.",
            ),
        },
    },
    "video": {
        "need": {
            "core": (
                "Looking for someone to make a music video[ for {our} single][ on a small budget].",
                "Need a videographer for <a live session|a gig|{our} launch>[ on {date}].",
                "<Anyone|Who> can <film|shoot> a <live session|music video|short doc> <in {place}|for {us}>?",
                "Want to film <a live session|a video> for {our} {record}[ - {genre}].",
                "Videographer wanted[ - {place}][ - {month}].",
            ),
            "short": ("music video needed", "videographer wanted {place}", "film a live session?"),
            "extra": (
                "Ideas ready, just need someone to shoot it.",
                "Budget {cur}{fee}.",
                "Think {ref} videos.",
            ),
        },
        "offer": {
            "core": (
                "I make music videos[ and live sessions][ - {town}].",
                "Videographer <available for|looking for> <gigs|live sessions|music videos>[ in {month}].",
                "Can film your <gig|live session|video>[ on a budget][ - {town} and around].",
                "Filmmaker with <a camera|two cameras and a drone|good audio kit> - <music videos|live sessions> from {cur}{fee}.",
                "Directed videos for {credit}[ and {credit2}] - open to new projects.",
            ),
            "short": ("Music videos - {town}", "Videographer for hire"),
            "extra": ("Editing included.", "Multi-camera live sessions.", "Colour grading too."),
        },
    },
    "design": {
        "need": {
            "core": (
                "Need <artwork|a cover|a logo|a poster> for {our} <{record}|gig|night|merch>.",
                "Looking for a designer to do {our} <gig posters|album art|t-shirt design|logo>[ - {genre} vibe].",
                "<Any|Are there any> illustrators who'd do a <cover|poster|tour poster> for <a small fee|{cur}{fee}|a trade>?",
                "Need someone to design <merch|a website|posters|flyers> for {us}[ by {month}].",
                "Graphic designer wanted for <a rebrand|{our} logo|ongoing poster work>.",
            ),
            "short": ("cover art needed", "Poster designer wanted[ ({month})]", "need a logo lol"),
            "extra": (
                "Something hand-drawn ideally.",
                "Think {ref} artwork.",
                "Ongoing work for the right person.",
            ),
        },
        "offer": {
            "core": (
                "Designer[ in {town}] - <gig posters|album art|logos|merch> for <bands|venues|labels>.",
                "I do <cover art|artwork|posters|t-shirt designs> for <bands|labels|promoters>[ - {genre} mostly].",
                "Illustrator <taking commissions|with space for new projects>[ from {month}] - covers, posters, merch.",
                "Need a <poster|logo|cover|website>? I can design it[ - quick and cheap].",
                "Graphic design[ and screen printing] for <DIY|independent> music.",
            ),
            "short": ("Gig posters & artwork", "Cover art - {cur}{fee}", "Logo design[ for bands]"),
            "extra": ("Portfolio on request.", "Done work for {credit}.", "Screen printing too."),
        },
    },
    "press": {
        "need": {
            "core": (
                "Looking for <blogs|writers|zines|press> to <review|cover|feature> {our} {record}[ - out {month}].",
                "Any writers want to <interview|review|write about> {us}?",
                "Need <PR|press|a press release> for {our} <release|{record}|tour>.",
                "<Anyone|Who> could write a <review|piece|feature> on <{our} new single|{our} night|the scene in {place}>?",
                "Hoping to get {our} {record} <reviewed|some press>[ before {month}].",
            ),
            "short": (
                "press wanted for {record}",
                "reviewers?",
                "Blog coverage[ for {genre} {unit}]",
            ),
            "extra": ("Press kit ready.", "Happy to do interviews.", "Links on request."),
        },
        "offer": {
            "core": (
                "I write about <new music|{genre}|local bands> for <a blog|a zine|a local mag>[ - send me stuff].",
                "Always looking for <bands|records|artists> to <review|write about|interview>[ - {genre}].",
                "Music writer[ in {town}] - <reviews|interviews|features> for <independent|local|DIY> music.",
                "Send me your <record|EP|single> and I'll <review it|write it up|give it a listen and write something>.",
                "Can write <press releases|bios|one-sheets> for bands[ - {cur}{fee}].",
            ),
            "short": (
                "Reviews & interviews[ - {genre}]",
                "Blog: send me music to review!",
                "Press releases written",
            ),
            "extra": (
                "{genre} especially.",
                "Written for {credit} zine.",
                "Monthly roundup of {town} releases.",
            ),
        },
    },
    "airplay": {
        "need": {
            "core": (
                "Looking for radio <play|airplay|shows> for {our} <new single|{record}>.",
                "<Any|Are there any> radio shows <that play|into> {genre}?",
                "Want to get {our} {record} <played on|onto> <community radio|college radio|the radio>.",
                "Need <radio plugging|airplay|some spins> for {our} <single|release> in {month}.",
                "Would love a <radio session|play on a local radio show>[ - {genre}].",
            ),
            "short": ("radio play wanted", "airplay for {record}?", "Radio shows into {genre}?"),
            "extra": (
                "Clean edit available.",
                "Single out {date}.",
                "Happy to do an interview on air.",
            ),
        },
        "offer": {
            "core": (
                "{We're} a <community|college|online|local> radio <station|show> playing {genre}[ - send {us} music].",
                "<Weekly|Monthly|Sunday night> radio show featuring <new|local|independent> {genre}[ - submissions open].",
                "{We} play <new bands|unsigned artists|local music> on air <every week|on {days}>.",
                "Radio <sessions|interviews> available for bands passing through {town}.",
                "Send {us} your <tracks|singles|records> for airplay[ - {genre} and {genre2}].",
            ),
            "short": ("Radio show - submissions open", "Airplay for {genre}"),
            "extra": (
                "Broadcasting since {year}.",
                "Sessions recorded live in studio.",
                "Mostly {genre}.",
            ),
        },
    },
    "new_music": {
        "need": {
            "core": (
                "Looking for new <bands|artists|music> to <play|feature|review|sign|work with>[ - {genre}].",
                "Send {us} your <demos|tracks|songs|EPs>[ - {genre} and {genre2} especially].",
                "<Any|Who are the> new {genre} <bands|artists> {we} should <know about|hear>?",
                "{We're} after <submissions|demos|new music> for <{our} next release|the show|a compilation>.",
                "Always hunting for <new|local|unsigned> music[ from {place}].",
                "Know a great unsigned {genre} act? Send them {our} way.",
            ),
            "short": ("Submissions open[ - {genre}]", "new music wanted!", "Demos wanted"),
            "extra": ("Bandcamp links best.", "Mostly {genre}.", "Local artists especially."),
        },
        "offer": {
            "core": (
                "New <single|EP|album> out <now|in {month}> - happy to send it to <radio|blogs|anyone who'll listen>.",
                "{We} have <new music|a new record|tracks> for <radio|reviewers|playlists>[ - {genre}].",
                "<Radio DJs|Bloggers|Curators>: {our} new {record} is <out|ready> - promos available.",
                "Got <a single|some songs|demos> ready if any labels or radio want a listen.",
                "Happy to share {our} music for <shows|playlists|compilations>[ - {genre}].",
            ),
            "short": ("New {record} out {month}", "Music for your show[ ({genre})]"),
            "extra": ("Promo links on request.", "Clean versions available.", "For fans of {ref}."),
        },
    },
    "street_team": {
        "need": {
            "core": (
                "Need help <putting up posters|flyering|spreading the word> for {our} <gig|night|{record} launch>[ in {place}].",
                "Looking for a street team[ in {place}][ for {month}].",
                "<Anyone|Who> fancies <flyering|postering|handing out flyers> for <free tickets|guestlist|beer>?",
                "Need people to <help promote|spread the word about|hype> {our} <night|shows|release> <around {place}|online>.",
                "Volunteers wanted to <help at|promote|run the merch desk at> {our} <gigs|festival|all-dayer>.",
            ),
            "short": ("Street team wanted {place}", "flyerers needed!"),
            "extra": ("Guestlist for helpers.", "Free merch!", "Only a couple of hours."),
        },
        "offer": {
            "core": (
                "Happy to <put up posters|flyer|help promote gigs> around {town}.",
                "Big {genre} fan[ in {town}] - can help spread the word about your <gigs|releases|nights>.",
                "I can <volunteer at|help run the merch desk at|promote> gigs[ in {town}].",
                "<Street team|Promo help|Poster runs> for bands I love - just ask.",
                "Can share your stuff with <loads of people|my big group chat|local music groups>[ - I know everyone on the {town} scene lol].",
            ),
            "short": ("Poster help - {town}", "Street team volunteer"),
            "extra": (
                "Free most weekends.",
                "Have a bike and a staple gun.",
                "Love {genre} stuff.",
            ),
        },
    },
    "release": {
        "need": {
            "core": (
                "Looking for a label to <release|put out> {our} {record}[ - {genre}].",
                "Any labels <doing|into> {genre}[ who'd <listen|take a chance>]?",
                "Need a <small|DIY|tape|vinyl> label for {our} <debut|next release|{record}>.",
                "<Want|Hoping> to put out {our} {record} on <vinyl|tape|cassette>[ - anyone?].",
                "Seeking <label support|a release deal|a label partner> for {our} {record}[ in {month}].",
            ),
            "short": ("label wanted for {record}", "Tape label?[ {genre}]", "release on vinyl?"),
            "extra": (
                "Mastered and ready.",
                "{We} can cover pressing costs.",
                "Fans of {ref} might dig it.",
            ),
        },
        "offer": {
            "core": (
                "{We're} a <small|DIY|independent|tape> label[ in {town}] releasing {genre}[ - demos welcome].",
                "<Small label|Label> <looking to|keen to> <release|put out> <singles|EPs|tapes|7-inches> by new {genre} acts.",
                "{We} put out <vinyl|cassettes|digital releases> for <new|local|independent> artists.",
                "Label <with distribution|doing small runs|that actually pays royalties> - open to <submissions|demos>.",
                "Releasing <{genre}|{genre} and {genre2}> since {year}[ - {credit} were {our} first release].",
            ),
            "short": ("Label - demos welcome", "Tape label[, {genre}]", "Releases for new bands"),
            "extra": (
                "Distribution via <Bandcamp|the usual places>.",
                "50/50 profit split.",
                "Small runs, big love.",
            ),
        },
    },
    "management": {
        "need": {
            "core": (
                "Looking for a manager[ - {genre} {unit}][ from {town}].",
                "Need someone to <manage {us}|look after {us} as manager|take {us} on as a manager>[ - {we're} drowning in admin].",
                "<Any|Are there any> managers <taking on|open to> new acts?",
                "{We're} at the point where {we} need <management|a manager|a manager for the business side>.",
                "Seeking management[ with experience in {genre}].",
            ),
            "short": ("manager wanted", "Management needed[ - {genre} {unit}]"),
            "extra": (
                "{We} have {n}k monthly listeners.",
                "Touring {month}.",
                "Label interest already.",
            ),
        },
        "offer": {
            "core": (
                "Artist manager <taking on|looking for> <one or two|new> acts[ - {genre}].",
                "I manage {credit}[ and {credit2}] and have room for <one more act|new artists>.",
                "Management for <DIY|independent|emerging> artists: <bookings|releases|admin|strategy>[ - {town}].",
                "Can help with <the business side|admin, releases and touring|everything that isn't music>[ for {genre} acts] - I manage bands.",
                "Experienced manager[ ({years} years)] open to new artists.",
            ),
            "short": ("Manager - new artists welcome", "Artist management[ ({town})]"),
            "extra": (
                "Fair commission.",
                "Good contacts in {the_region}.",
                "Worked with {credit}.",
            ),
        },
    },
    "clients": {
        "need": {
            "core": (
                "Looking for new clients for {craft}[ - {genre} especially].",
                "<Any|Know any> <bands|artists|people> who need {craft}? <Send them my way|I'd love referrals|Recommendations appreciated>.",
                "Quiet month - taking on <more|new> {craft} bookings[ at a discount][ until {month}].",
                "Need more <work|bookings|clients|projects> - {craft}[ in {place}].",
                "Trying to fill <the diary|the calendar|some gaps> for {month}: {craft} bookings.",
                "Referrals wanted: {craft}[ in {place}][, {genre}].",
            ),
            "short": ("Work wanted: {craft}", "{craft} - clients wanted"),
            "extra": (
                "Referral discount for you both.",
                "Happy to trade favours.",
                "Portfolio on request.",
            ),
        },
    },
    "referrals": {
        "offer": {
            "core": (
                "I know <loads of|a lot of|plenty of> <bands|artists|people> in {town} - happy to <recommend|refer|connect> good <studios|photographers|engineers|teachers>.",
                "Happy to <introduce|connect> people to <the right folks|{our} network|studios and engineers {we} trust>.",
                "{We} <work with|manage|book> <lots of|dozens of> acts and always need <good studios|photographers|designers|engineers> to <recommend|send them to>.",
                "If you're good at what you do, {we'll} <send|pass> work your way[ - {town}].",
                "Can <recommend|refer> you to <bands|artists|acts> {we} work with[ - {genre} mostly].",
            ),
            "short": ("Referrals - {town}", "Will recommend good people"),
            "extra": (
                "Just tell {us} what you do.",
                "{We} only recommend people {we've} worked with.",
            ),
        },
    },
}
