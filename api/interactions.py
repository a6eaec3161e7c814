"""What happened between two members: the labels of the next build; a block counts at once."""

from __future__ import annotations

from apiflask import APIBlueprint

from api.auth import auth
from api.idempotent import create_once, creating
from api.listing import member_listing, next_page, one_more, page
from api.schemas import InteractionIn, InteractionList, InteractionOut, InteractionQuery
from api.services import services
from matcher import community, public

bp = APIBlueprint("interactions", __name__, url_prefix="/v1", tag="Interactions")


@creating(
    bp,
    "/interactions",
    InteractionIn,
    "event",
    InteractionOut,
    made="what it recorded",
    description="`from_member_id` did `kind` to `to_member_id`: shown (the seeker was shown "
    "the helper), contacted (the seeker contacted the helper), accepted / declined / helped "
    "(the helper answered or helped the seeker), reported / blocked. `need_id` is the "
    "seeker's need, `offer_id` the helper's offer. A block or report keeps the two apart from "
    "now on. A closed member can no longer be shown or contacted, nor show or contact anyone, "
    "from the time they closed (409); a `shown` or `contacted` with an `occurred_at` before "
    "then is still recorded, as is what came of earlier contact.",
    responses={
        404: "No such member or post",
        409: "An interaction with this id exists, or a closed member is shown or contacted",
    },
)
def record_interaction(event: dict, headers: dict):
    """Record an interaction"""
    s = services()

    def create(external_id: str | None) -> dict:
        row = community.record_interaction(
            s.sessions,
            kind=event["kind"],
            from_member_id=event["from_member_id"],
            to_member_id=event["to_member_id"],
            need_id=event.get("need_id"),
            offer_id=event.get("offer_id"),
            occurred_at=event.get("occurred_at"),
            external_id=external_id,
            clock=s.clock,
        )
        return existing(row.external_id)  # as stored (a time in UTC), as a repeat reads it

    def existing(external_id: str) -> dict:
        with s.sessions() as session:
            return public.interaction(session, community.get_interaction(session, external_id))

    return create_once("interactions", event, headers, create, existing)


# Who reported or blocked whom is the site's to know, not any page's: reading interactions
# takes the write scope, which a key in a browser page should never hold (a read key may).
@member_listing(bp, "interactions", InteractionQuery, InteractionList, scope="write")
def member_interactions(member_id: str, query: dict) -> tuple[dict, dict[str, str]]:
    """A member's interactions

    What the member did and what was done to them (either end), newest first, a page at a
    time, or only those of `kind`: whom they contacted, whom they blocked. To read them all,
    give each next page `after` the last id of the one before (the `Link` header of a page
    with more after it is the next page's URI). Takes a key with the write scope: it says who
    reported or blocked whom.
    """
    with services().sessions() as session:
        member = community.get_member(session, member_id)
        rows, total = community.member_interactions(
            session,
            member,
            kind=query.get("kind"),
            limit=one_more(query["limit"]),
            offset=query["offset"],
            after=query.get("after"),
        )
        items, headers = next_page(public.interactions(session, rows), query["limit"])
        return page(member.external_id, "interactions", items, total, query), headers


@bp.delete("/interactions/<interaction_id>")
@bp.auth_required(auth, roles=["write"])
@bp.output(InteractionOut)
@bp.doc(
    responses={
        404: "No such interaction",
        409: "The interaction is with a member erased at their request",
    }
)
def withdraw_interaction(interaction_id: str) -> dict:
    """Withdraw an interaction

    Deletes an interaction recorded in error, or a block or report lifted: the two are no
    longer kept apart, from the next request on. Answers with what it deleted. An import
    whose file still holds the interaction records it again.
    """
    return community.withdraw_interaction(
        services().sessions, interaction_id, public.interaction, field="interaction_id"
    )
