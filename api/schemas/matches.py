"""Matches: a member's matches and a typed need's, with their filters, scores and reasons."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Float, Integer, List, Nested, String
from apiflask.validators import Range

from api.fields import Choice, JsonInteger, QueryInteger, external_id, line, prose, tag_list
from api.schemas.common import Query
from matcher.domain import (
    DECLINE_DAYS,
    MAX_MATCH_LIMIT,
    MAX_TAG_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TOWN_LENGTH,
    MEMBER_KINDS,
)
from matcher.engine import DIRECTIONS

ROLES = ("helps_you", "you_help")
REASON_TYPES = (
    "need_offer",
    "you_could_help",
    "they_need",
    "they_offer",
    "mutual",
    "shared_tags",
    "same_town",
    "nearby",
    "far",
    "helped_others",
    "prior_help",
    "mutual_connections",
    "busy",
    "declined",
)


class Quote(Schema):
    """A need or offer quoted in a reason."""

    id = String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The post's id; null for the need typed in a search (no stored "
            "post), empty for help given before (whose need it was is not said)"
        },
    )
    quote = String(required=True)
    helped_before = Boolean(
        metadata={
            "description": "In place of an offer, help this member gave before, with a need like "
            "this one: its id and quote are empty (the need was another member's request)"
        }
    )


class Answered(Schema):
    """The seeker's post a match answers: `need` or `offer`, one of the two."""

    need = Nested(Quote)
    offer = Nested(Quote)


class Reason(Schema):
    """Why two members match; `type` says which other fields are present."""

    type = String(required=True, validate=Choice(REASON_TYPES))
    need = Nested(Quote)
    offer = Nested(Quote)
    similarity = Float()
    tags = List(String())
    town = String(allow_none=True)
    km = Float()
    count = Integer()
    capacity = Integer(metadata={"description": "busy: the introductions a week they take."})
    besides_you = Boolean(
        metadata={"description": "helped_others: they have helped you too (not counted)."}
    )
    by = String(
        validate=Choice(("them", "you")),
        metadata={"description": "declined: who said no to the other's request."},
    )
    days_ago = Integer(
        metadata={
            "description": "declined: how many whole days ago they last said no (0: less than "
            f"a day ago); a decline counts for {DECLINE_DAYS} days."
        }
    )


class Match(Schema):
    """A member who could help (or be helped), with the score and the reasons."""

    member_id = String(required=True)
    name = String(required=True)
    kind = String(required=True)
    town = String(allow_none=True)
    country = String(allow_none=True, metadata={"description": "As the member wrote it."})
    tags = List(String(), required=True)
    score = Float(
        required=True,
        metadata={
            "description": "0 to 1; 0.5 is as likely as a typical candidate of the build. A list "
            "is never empty for want of good matches: below 0.5 they are weaker than typical "
            "(a site may show only those above)."
        },
    )
    direction = String(required=True, validate=Choice(ROLES))
    mutual = Boolean(required=True)
    busy = Boolean(
        required=True,
        metadata={
            "description": "Asked lately as often as they take a week, or taking no requests "
            "(the `busy` reason says which): listed as if their score were lower "
            "(MATCHER_BUSY_WEIGHT in log-odds), a good match (score 0.5 or more) still before "
            "the poor ones, so a site that sorts by score should keep the list's order or "
            "show this."
        },
    )
    declined = Boolean(
        required=True,
        metadata={
            "description": "Whoever would help here said no to the other's request lately "
            "(the `declined` reason says who, and how many days ago): listed after every "
            "good match (score 0.5 or more) still to ask, and before the poor ones."
        },
    )
    contact = String(allow_none=True)
    answers = Nested(
        Answered,
        allow_none=True,
        metadata={
            "description": "Which of the seeker's posts this match answers: their need (it "
            "could help them) or their offer (they could help with it). A member's posts take "
            "turns in the list, each one's best match before any one's second, so a list is "
            "not in the order of its scores; this says whose turn each took."
        },
    )
    reasons = List(Nested(Reason), required=True)


# How far into a list of matches a page may begin: every member is ranked, so the list ends
# well before (a member's candidates are the few hundred nearest of each of their posts).
MAX_MATCH_OFFSET = 10_000
LIMIT = {"description": "How many; the default is the match_limit setting (20)."}
OFFSET = {
    "description": "How many of the best to skip: the next page begins at offset + limit. "
    "The list is ranked anew at each request, so a page may repeat or miss a member whom a "
    "change since (a new post, a request that made them busy) moved across its edge."
}


class MatchQuery(Query):
    """Filters and size of a member's matches."""

    limit = QueryInteger(validate=Range(1, MAX_MATCH_LIMIT), metadata=LIMIT)
    offset = QueryInteger(load_default=0, validate=Range(0, MAX_MATCH_OFFSET), metadata=OFFSET)
    direction = String(
        load_default="helps_you",
        validate=Choice(DIRECTIONS),
        metadata={"description": "Who could help them, whom they could help, or both."},
    )
    kind = String(validate=Choice(MEMBER_KINDS))
    tag = line(
        MAX_TAG_LENGTH,
        1,
        metadata={
            "description": "Only members with this tag, of what they can do (listed, on an "
            "open offer or on a need they helped with) in who could help (helps_you), of what "
            "they need (listed or on an open need) in whom they could help (you_help), either "
            "in both."
        },
    )
    town = line(
        MAX_TOWN_LENGTH,
        1,
        metadata={
            "description": "Only members in this town. After a comma, a country (ISO code or "
            'name) or a state or province of one narrows it: "London, GB" or "London, United '
            'Kingdom", not London, Ontario; "London, ON" or "London, Ontario" (members who '
            "gave no country pass)."
        },
    )
    mutual = Boolean(metadata={"description": "Only mutual (true) or one-way (false) matches."})


class MemberMatches(Schema):
    """A member's matches from one build, best first."""

    member_id = String(required=True)
    build = String(required=True)
    direction = String(required=True)
    matches = List(Nested(Match), required=True)
    town_known = Boolean(
        allow_none=True,
        metadata={
            "description": "With a `town` filter: whether any member of the build is in that "
            "town (false: nobody is, a misspelt town say, so no match can pass it); null "
            "without one."
        },
    )


class SearchIn(Schema):
    """A need typed by anyone."""

    text = prose(MAX_TEXT_LENGTH, 1, required=True)
    tags = tag_list(
        metadata={"description": "The need's tags: shared ones rank a member higher (no filter)."}
    )
    town = line(
        MAX_TOWN_LENGTH,
        allow_none=True,
        metadata={
            "description": 'Where the need is ("Leeds"; "London, Canada" or "London, ON" with '
            "its country or province): nearer members rank higher (no filter)."
        },
    )
    limit = JsonInteger(validate=Range(1, MAX_MATCH_LIMIT), metadata=LIMIT)
    offset = JsonInteger(load_default=0, validate=Range(0, MAX_MATCH_OFFSET), metadata=OFFSET)
    kind = String(validate=Choice(MEMBER_KINDS), metadata={"description": "Only this kind."})
    member_id = external_id(
        metadata={
            "description": "The member searching, when signed in on the site: they are not "
            "listed, nor are members kept apart from them (blocks and reports)."
        }
    )


class SearchResult(Schema):
    """Members who could help with the typed need, best first."""

    build = String(required=True)
    matches = List(Nested(Match), required=True)
    town_known = Boolean(
        allow_none=True,
        metadata={
            "description": "Whether the need's `town` was found: a member of the build is in it, "
            "or the gazetteer knows a town of that name (Reykjavik, with no member there: the "
            "members nearest to it come first). False: the town brought no one nearer, as if "
            "none were given; null: none given."
        },
    )
