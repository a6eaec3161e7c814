"""Request and response schemas: the API's contract, published in /openapi.json."""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Dict, Email, Float, Integer, List, Nested, String
from apiflask.validators import Length, Range
from marshmallow import ValidationError, pre_load
from webargs.multidictproxy import MultiDictProxy

from api.fields import (
    Choice,
    JsonBoolean,
    JsonFloat,
    JsonInteger,
    QueryInteger,
    external_id,
    line,
    prose,
    tag_list,
    when,
)
from matcher.domain import (
    DECLINE_DAYS,
    INTERACTION_KINDS,
    MAX_CONTACT_LENGTH,
    MAX_COUNTRY_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_MATCH_LIMIT,
    MAX_NAME_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TOWN_LENGTH,
    MEMBER_KINDS,
    POST_STATUSES,
    POST_STATUSES_SHOWN,
    SIDES,
)
from matcher.engine import DIRECTIONS
from matcher.idempotency import MAX_KEY_LENGTH

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


# -- errors ----------------------------------------------------------------------------------


class Error(Schema):
    """Every error: the status code, its name, what went wrong and, if known, which field."""

    code = Integer(required=True, metadata={"example": 404})
    message = String(required=True, metadata={"example": "Not Found"})
    description = String(required=True, metadata={"example": "no member 'm-404'"})
    field = String(
        metadata={
            "description": "The field at fault: one that was invalid (422); one that names "
            "what does not exist (404) or clashes with what is stored (409: an id taken, a "
            "closed member), when the request sent it."
        }
    )
    errors = Dict(
        metadata={
            "description": "Every invalid field by where it was sent (json, query, headers, path),"
            " each with its problems: as `field`."
        }
    )


# -- query strings ---------------------------------------------------------------------------


class Query(Schema):
    """Parameters of a query string, each given once: the base of every query schema."""

    @pre_load
    def _each_once(self, data: Any, **kwargs: Any) -> Any:
        # webargs reads only the first value of a repeated parameter (?tag=bass&tag=drums
        # would filter by bass alone): refuse the request instead, naming the parameter.
        # Unknown parameters are left to the schema (unknown=RAISE).
        if isinstance(data, MultiDictProxy):
            known = {field.data_key or name for name, field in self.load_fields.items()}
            repeated = {
                key: [f"Sent {n} times; it takes one value."]
                for key in data.data
                if key in known
                and key not in data.multiple_keys
                and (n := len(data.data.getlist(key))) > 1
            }
            if repeated:
                raise ValidationError(repeated)
        return data


# -- members ---------------------------------------------------------------------------------


class MemberFields(Schema):
    """The fields of a member that can be written."""

    name = line(MAX_NAME_LENGTH, 1)
    kind = String(validate=Choice(MEMBER_KINDS))
    town = line(MAX_TOWN_LENGTH, allow_none=True)
    country = line(MAX_COUNTRY_LENGTH, allow_none=True)
    latitude = JsonFloat(allow_none=True, validate=Range(-90, 90))
    longitude = JsonFloat(allow_none=True, validate=Range(-180, 180))
    tags = tag_list()
    bio = prose(MAX_TEXT_LENGTH, allow_none=True)
    email = Email(
        allow_none=True,
        validate=Length(max=MAX_EMAIL_LENGTH),
        metadata={"description": "Private: used for the weekly email, never shown."},
    )
    email_consent = JsonBoolean(metadata={"description": "Wants the weekly email."})
    contact = line(
        MAX_CONTACT_LENGTH,
        allow_none=True,
        metadata={"description": "Shown to others only when share_contact is true."},
    )
    share_contact = JsonBoolean()
    capacity = JsonInteger(
        validate=Range(0, 10_000),
        metadata={"description": "Introductions a week they can take."},
    )


class MemberChanges(MemberFields):
    """Changes to a member: any of its fields, and whether it is open."""

    active = JsonBoolean(
        metadata={
            "description": "false closes the member (as DELETE does); true opens a closed one"
            " again, matchable at once with the posts they left open."
        }
    )


class MemberIn(MemberFields):
    """A new member; `id` is generated when not given."""

    id = external_id(metadata={"description": "Your stable id for the member."})
    name = line(MAX_NAME_LENGTH, 1, required=True)
    kind = String(required=True, validate=Choice(MEMBER_KINDS))


class MemberOut(Schema):
    """A member as anyone may see them: never the email; contact only if they agreed."""

    id = String(required=True)
    name = String(required=True)
    kind = String(required=True)
    town = String(allow_none=True)
    country = String(allow_none=True)
    tags = List(String(), required=True)
    bio = String(allow_none=True)
    capacity = Integer(allow_none=True)
    contact = String(allow_none=True)
    active = Boolean(required=True)


class WrittenMember(MemberOut):
    """A member as a create or an edit leaves them, with what the request should know."""

    warnings = List(
        String(),
        metadata={
            "description": "Present when the request gave a place that cuts the member off, "
            "in the words of `matcher import`'s warnings: a town that no town of 5,000 people "
            "or more is called, without latitude and longitude (placed nowhere: nobody counts "
            "as near them), or a country nobody knows by that name; with the likely one when "
            "one is close (\"Shefield\": did you mean 'Sheffield'?). Written all the same."
        },
    )


class ErasureOut(Schema):
    """What erasing a member took out. Their id is no one's from then on."""

    member_id = String(required=True, metadata={"description": "The id the member had."})
    posts = Integer(required=True, metadata={"description": "Their posts, emptied."})
    vectors = Integer(
        required=True,
        metadata={
            "description": "Cached vectors deleted: of their words, and of any text no post "
            "holds any more (earlier versions of edited posts, anyone's), so a member with no "
            "posts may count some."
        },
    )
    digests = Integer(
        required=True, metadata={"description": "Records of weekly emails to them, deleted."}
    )
    suggestions = Integer(
        required=True,
        metadata={"description": "Records of their being suggested to others, deleted."},
    )
    quotes = Integer(
        required=True,
        metadata={
            "description": "Quotes of their posts taken out of the records of others' emails."
        },
    )
    emails = Integer(
        required=True, metadata={"description": "Their emails deleted from the outbox folder."}
    )


class ListedMember(MemberOut):
    """A member in a list (its own class: APIFlask cannot nest a schema it also returns)."""


class Page(Query):
    """Which page of a list."""

    limit = QueryInteger(load_default=50, validate=Range(1, MAX_MATCH_LIMIT))
    offset = QueryInteger(load_default=0, validate=Range(0, 10_000_000))


class MemberPage(Page):
    """Which page of the members."""

    after = external_id(
        metadata={
            "description": "Begin after this member (the last id of the page before): unlike "
            "offset, a member who closes between two requests makes no one else be skipped."
        },
    )


class PageOf(Schema):
    """A page of a list: how many there are in all, and which page this is."""

    total = Integer(required=True)
    limit = Integer(required=True)
    offset = Integer(required=True)


class MemberList(PageOf):
    """A page of active members and how many there are in all."""

    members = List(Nested(ListedMember), required=True)


# -- posts -----------------------------------------------------------------------------------


class PostIn(Schema):
    """A new need or offer of a member."""

    id = external_id(metadata={"description": "Your stable id for the post."})
    member_id = external_id(required=True)
    side = String(required=True, validate=Choice(SIDES))
    text = prose(MAX_TEXT_LENGTH, 1, required=True)
    tags = tag_list()
    expires_at = when(
        allow_none=True, metadata={"description": "When it stops matching (later than now)."}
    )


class PostPatch(Schema):
    """Changes to a post; a new text is matchable at once."""

    text = prose(MAX_TEXT_LENGTH, 1)
    tags = tag_list()
    status = String(validate=Choice(POST_STATUSES))
    expires_at = when(
        allow_none=True,
        metadata={"description": "When it stops matching (later than now); null: never."},
    )


class PostOut(Schema):
    """A post as anyone may see it."""

    id = String(required=True)
    member_id = String(required=True)
    side = String(required=True)
    text = String(required=True)
    tags = List(String(), required=True)
    status = String(
        required=True,
        validate=Choice(POST_STATUSES_SHOWN),
        metadata={
            "description": "open; closed; or expired: left open, but its expires_at has "
            "passed, so it no longer matches (a PATCH with a later expires_at, or null, makes "
            "it match again). A PATCH sets only open or closed."
        },
    )
    created_at = String(required=True, metadata={"format": "date-time"})
    expires_at = String(allow_none=True, metadata={"format": "date-time"})


class PostQuery(Page):
    """Which of a member's posts, a page at a time."""

    after = external_id(
        metadata={
            "description": "Begin with the posts older than this one of theirs (the last id of "
            "the page before): unlike offset, a post written between two requests makes none "
            "show twice."
        },
    )

    side = String(validate=Choice(SIDES), metadata={"description": "Only needs or offers."})
    status = String(
        validate=Choice(POST_STATUSES_SHOWN),
        metadata={"description": "Only open, closed or expired posts (as PostOut's status)."},
    )


class PostList(PageOf):
    """A page of a member's posts, newest first, and how many there are in all."""

    member_id = String(required=True)
    posts = List(Nested(PostOut), required=True)


# -- matches ---------------------------------------------------------------------------------


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
OFFSET = {
    "description": "How many of the best to skip: the next page begins at offset + limit. "
    "The list is ranked anew at each request, so a page may repeat or miss a member whom a "
    "change since (a new post, a request that made them busy) moved across its edge."
}


class MatchQuery(Query):
    """Filters and size of a member's matches."""

    limit = QueryInteger(
        validate=Range(1, MAX_MATCH_LIMIT),
        metadata={"description": "How many; the default is the match_limit setting (20)."},
    )
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
    limit = JsonInteger(
        validate=Range(1, MAX_MATCH_LIMIT),
        metadata={"description": "How many; the default is the match_limit setting (20)."},
    )
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


# -- interactions ----------------------------------------------------------------------------


class InteractionIn(Schema):
    """What `from_member_id` did to `to_member_id`, optionally about a need and an offer."""

    id = external_id(metadata={"description": "Your stable id; a repeat is a 409."})
    kind = String(required=True, validate=Choice(INTERACTION_KINDS))
    from_member_id = external_id(required=True)
    to_member_id = external_id(required=True)
    need_id = external_id(allow_none=True, metadata={"description": "The seeker's need."})
    offer_id = external_id(allow_none=True, metadata={"description": "The helper's offer."})
    occurred_at = when(metadata={"description": "Default: now; not later (but for a day)."})


class InteractionOut(Schema):
    """A recorded interaction."""

    id = String(required=True)
    kind = String(required=True)
    from_member_id = String(required=True)
    to_member_id = String(required=True)
    need_id = String(allow_none=True)
    offer_id = String(allow_none=True)
    occurred_at = String(required=True, metadata={"format": "date-time"})


class InteractionQuery(Page):
    """Which of a member's interactions, a page at a time."""

    kind = String(validate=Choice(INTERACTION_KINDS), metadata={"description": "Only this kind."})
    after = external_id(
        metadata={
            "description": "Begin with the interactions older than this one of theirs (the last "
            "id of the page before): unlike offset, one recorded between two requests makes "
            "none show twice."
        },
    )


class InteractionList(PageOf):
    """A page of what a member did and what was done to them, newest first, and how many
    there are in all."""

    member_id = String(required=True)
    interactions = List(Nested(InteractionOut), required=True)


# -- service ---------------------------------------------------------------------------------


class Health(Schema):
    """The process is up."""

    status = String(required=True)


class Ready(Schema):
    """The store answers and a model build is loaded."""

    status = String(required=True)
    build = String(required=True)


class Model(Schema):
    """The build serving matches: its id, when it was built, what it holds and its metrics."""

    build = String(required=True)
    created_at = String(required=True, metadata={"format": "date-time"})
    encoder = Dict(required=True)
    corpus = Dict(required=True)
    ranker = Dict(required=True)
    metrics = Dict(
        required=True,
        metadata={
            "description": "What serves matches (`served`: ranker or content score) and why:"
            " the MRR of the ranker and of the content score on the most recent labelled needs"
            " (`ranker_validation_mrr` null when too few labels trained none)."
        },
    )
    code = Dict(required=True)


class UnsubscribeQuery(Query):
    """The signed token from the weekly email."""

    token = String(required=True, validate=Length(1, 500))


class Unsubscribed(Schema):
    """Whether the member still gets the weekly email (false once unsubscribed)."""

    member_id = String(required=True)
    email_consent = Boolean(required=True)
    message = String(required=True)


class IdempotencyHeaders(Schema):
    """The header that makes a create request safe to retry (`matcher.idempotency`)."""

    idempotency_key = line(
        MAX_KEY_LENGTH,
        1,
        data_key="Idempotency-Key",
        metadata={
            "description": "Any 1 to 255 characters on one line, new for each new request: a "
            "repeat under the same key creates nothing new."
        },
    )
