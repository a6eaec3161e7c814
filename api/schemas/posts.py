"""Posts: a new need or offer, its changes, a post as shown, and a page of a member's."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import List, Nested, String

from api.fields import Choice, external_id, prose, tag_list, when
from api.schemas.common import Page, PageOf
from matcher.domain import MAX_TEXT_LENGTH, POST_STATUSES, POST_STATUSES_SHOWN, SIDES


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
