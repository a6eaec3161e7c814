"""Members: the fields written, a member as shown, a page of them, and what erasing took out."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Email, Integer, List, Nested, String
from apiflask.validators import Length, Range

from api.fields import (
    Choice,
    JsonBoolean,
    JsonFloat,
    JsonInteger,
    external_id,
    line,
    prose,
    tag_list,
)
from api.schemas.common import Page, PageOf
from matcher.domain import (
    MAX_CONTACT_LENGTH,
    MAX_COUNTRY_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TOWN_LENGTH,
    MEMBER_KINDS,
)


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


class MemberPage(Page):
    """Which page of the members."""

    after = external_id(
        metadata={
            "description": "Begin after this member (the last id of the page before): unlike "
            "offset, a member who closes between two requests makes no one else be skipped."
        },
    )


class MemberList(PageOf):
    """A page of active members and how many there are in all."""

    members = List(Nested(ListedMember), required=True)
