"""How reasons quote what members wrote."""

from __future__ import annotations

import pytest

from matcher.explain import QUOTE_LENGTH, quote


@pytest.mark.parametrize(
    ("written", "quoted"),
    [
        ("Evening all, Flexible on dates. Mixing", "Flexible on dates. Mixing"),
        ("hey hey!! Based in Atlanta. Studio time", "Based in Atlanta. Studio time"),
        ("Dear community, Our thing is indie rock", "Our thing is indie rock"),
        ("PSA: anyone could write a piece on us?", "Anyone could write a piece on us?"),
        ("Hi all — studio free on Sundays", "Studio free on Sundays"),
        ("hey, hey, need drums", "Need drums"),
    ],
)
def test_a_quote_leaves_out_the_greeting_its_post_opens_with(written, quoted):
    """A quote of 90 characters spent a dozen on "Evening all," and was cut before its point
    (a reviewer of the weekly emails)."""
    assert quote(written) == quoted


@pytest.mark.parametrize(
    "written",
    [
        "hi-hat repairs, cymbals cleaned",  # a word, not a greeting
        "Hello world music night needs a drummer",  # no pause after it
        "Hi!",  # nothing else said
        "Morning all: x",
    ],
)
def test_what_is_no_greeting_or_all_there_is_is_quoted_as_written(written):
    assert quote(written) == written


def test_a_long_text_is_cut_at_a_word_after_its_greeting():
    text = "Hiya, " + "drummer wanted for a long tour of small rooms " * 4
    said = quote(text)
    assert said.startswith("Drummer wanted") and said.endswith("…")
    assert len(said) <= QUOTE_LENGTH + 1 and not said[:-1].endswith(" ")


def test_a_reason_ending_with_a_quote_that_ends_a_sentence_adds_no_full_stop():
    from matcher.explain import need_met_by_offer, they_need
    from matcher.wording import describe

    fit = need_met_by_offer("n", "Need a drummer.", "o", "Drums, gigs and tours", "offer", 0.8)
    assert describe(fit) == 'You need "Need a drummer."; they offer "Drums, gigs and tours".'
    ended = need_met_by_offer("n", "a drummer", "o", "I drum. Happy to pay properly.", "offer", 1)
    assert describe(ended) == 'You need "a drummer"; they offer "I drum. Happy to pay properly."'
    assert describe(they_need("n", "Anyone?")) == 'They need "Anyone?"'
    assert describe(they_need("n", "A bassist")) == 'They need "A bassist".'


def test_an_email_quotes_the_readers_own_need_in_full_once_then_shortly():
    """The reader's own need was quoted 3 or 4 times in 159 of a demo's 267 emails (a
    reviewer): in full for the first person, shortly "as above" after."""
    from matcher.explain import need_met_by_offer, shared_tags, you_could_help
    from matcher.wording import describe_each

    mine = "Looking for a drummer who likes shoegaze, Leeds area"
    first = need_met_by_offer("n1", mine, "o1", "Session drums", "offer", 0.8)
    second = need_met_by_offer("n1", mine, "o2", "I drum in two bands", "offer", 0.8)
    other = need_met_by_offer("n2", "A van for May", "o3", "Van with a driver", "offer", 0.8)
    helps = you_could_help("x", "Rehearsal space wanted", "my1", "We lend our room", "offer", 1)
    again = you_could_help("y", "A room to rehearse", "my1", "We lend our room", "offer", 1)
    said = describe_each([[first, shared_tags(["drums"])], [second], [other], [helps], [again]])
    assert said[0][0] == f'You need "{mine}"; they offer "Session drums".'
    assert said[0][1] == "Tags in common: drums."
    short = 'You need "Looking for a drummer who likes…" (as above)'
    assert said[1] == [f'{short}; they offer "I drum in two bands".']
    assert said[2] == ['You need "A van for May"; they offer "Van with a driver".']
    assert said[3] == ['They need "Rehearsal space wanted"; you offer "We lend our room".']
    assert said[4] == ['They need "A room to rehearse"; you offer "We lend our room" (as above).']


def test_help_given_is_said_once_not_twice():
    """An email card said "They helped with a need before." and, two lines on, "They have
    helped 2 members before." (134 of a 2,000-member demo's 4,866 weekly suggestions): the
    closest "offer" of a match that claims no fit was help given, which is not quoted, so the
    line told only what the count tells. It is left out when the count is said; the data
    keeps it."""
    from matcher.explain import helped_others, prior_help, they_need, they_offer
    from matcher.wording import describe_each

    helped = they_offer("", "", "helped")
    need = they_need("n1", "Photographer wanted for a live shoot")
    said = describe_each([[helped, need, helped_others(2)], [helped, prior_help(1)], [helped]])
    assert said[0] == [
        'They need "Photographer wanted for a live shoot".',
        "They have helped 2 members before.",
    ]
    assert said[1] == ["They have helped you before."]
    assert said[2] == ["They helped with a need before."]  # nothing else says it: kept
    offered = they_offer("o1", "Session drums", "offer")  # an offer in words is kept
    assert describe_each([[offered, helped_others(1)]])[0][0] == 'They offer "Session drums".'


def test_a_decline_says_how_long_ago_it_was():
    """A decline of the day read "in the last 90 days", and the API's `days: 90` as "declined
    90 days ago" on a site (an integrator): the reason says how many whole days ago."""
    from matcher.explain import declined
    from matcher.wording import describe

    assert declined(by_them=True, days_ago=0) == {"type": "declined", "by": "them", "days_ago": 0}
    assert describe(declined(by_them=True, days_ago=0)) == (
        "They said no to a request of yours less than a day ago."
    )
    assert describe(declined(by_them=False, days_ago=1)) == (
        "You said no to a request of theirs 1 day ago."
    )
    assert describe(declined(by_them=False, days_ago=40)).endswith(" 40 days ago.")
    # A week's digest recorded before the reason said it is still sent.
    recorded = {"type": "declined", "by": "them", "days": 90}
    assert describe(recorded) == "They said no to a request of yours lately."


def test_a_distance_reads_in_miles_to_a_reader_of_miles_and_never_as_about_0():
    # Members in the US read "They are about 13 km away (Vancouver, WA)", and two members
    # placed in one town under two spellings ("PDX", "Portland, Oregon") "about 0 km away".
    from matcher.wording import describe

    near = {"type": "nearby", "km": 13.1, "town": "Vancouver, WA"}
    assert describe(near, miles=True) == "They are about 8 miles away (Vancouver, WA)."
    assert describe(near) == "They are about 13 km away (Vancouver, WA)."
    here = {"type": "nearby", "km": 0.0, "town": "PDX"}
    assert describe(here, miles=True) == "They are less than a mile away (PDX)."
    assert describe(here) == "They are less than 1 km away (PDX)."
    far = {"type": "far", "km": 4081.3, "town": "Portland, ME"}
    assert describe(far, miles=True) == "They are about 2,536 miles away (Portland, ME)."
    assert describe({**far, "km": 1.7}, miles=True) == "They are about 1 mile away (Portland, ME)."


@pytest.mark.parametrize(
    ("country", "miles"),
    [("US", True), ("USA", True), ("United States", True), ("U.S.", True), ("Canada", False),
     ("UK", False), ("", False), (None, False)],
)  # fmt: skip
def test_members_in_the_us_read_miles(country, miles):
    from matcher.geo import reads_miles

    assert reads_miles(country) is miles


def test_a_member_who_gave_no_country_reads_miles_by_the_state_after_their_town():
    # A member of "Portland, Oregon" with the country column empty read km.
    from matcher.geo import reads_miles

    assert reads_miles("", "Portland, Oregon") and reads_miles(None, "Olympia WA")
    assert not reads_miles("", "Vancouver, BC") and not reads_miles("", "Leeds")
    assert not reads_miles("Canada", "Portland, Oregon")  # their country says otherwise


def test_a_distance_that_rounds_to_0_is_less_than_1_not_about_0():
    # A reason keeps km to 0.1 (`explain.distance`): members 450 to 549 m apart are 0.5 km,
    # which read "about 0 km away", as "about %(num)s" rounds half to even (so does round()).
    from matcher.translation import language
    from matcher.wording import distance_words

    fr = language("fr")
    assert distance_words(0.5) == "less than 1 km"
    assert distance_words(0.5, fr) == "moins de 1 km"
    assert distance_words(0.804672, miles=True) == "less than a mile"  # half a mile
    assert distance_words(0.804672, fr, miles=True) == "moins d\u2019un mile"
    assert distance_words(2.5) == "about 2 km" and distance_words(1.5) == "about 2 km"
