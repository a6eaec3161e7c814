"""Interactions: one recorded (a request, an acceptance, help given), and a page of a member's."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import List, Nested, String

from api.fields import Choice, external_id, when
from api.schemas.common import Page, PageOf
from matcher.domain import INTERACTION_KINDS


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
