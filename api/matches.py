"""Who could help whom: a member's matches, and members who could help with a typed need."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, jsonify
from marshmallow import RAISE

from api.auth import auth
from api.errors import NO_BUILD
from api.schemas import MatchQuery, MemberMatches, SearchIn, SearchResult
from api.services import services
from matcher import community
from matcher.errors import BuildError
from matcher.filters import Filters, anyone_in

bp = APIBlueprint("matches", __name__, url_prefix="/v1", tag="Matches")

# The hot paths answer with the engine's JSON-ready dicts as they are: the schemas below
# document them (and the contract tests hold them to it), but re-serializing twenty matches
# with their reasons through marshmallow would cost ~4 ms a request.


@bp.get("/members/<member_id>/matches")
@bp.auth_required(auth, roles=["read"])
@bp.input(MatchQuery, location="query", arg_name="query", unknown=RAISE)
@bp.output(MemberMatches)
@bp.doc(responses={404: "No such active member", 503: NO_BUILD})
def member_matches(member_id: str, query: dict) -> Response:
    """A member's matches

    Members who could help this member (`direction=helps_you`), whom they could help
    (`you_help`) or both, best first. Each match has a score, whether it is mutual, and its
    reasons: which need met which offer, shared tags, same town, history. Posts written and
    blocks recorded through the API count at once.
    """
    try:
        matcher = services().matcher()
    except BuildError:
        with services().sessions() as session:  # an unknown member is a 404 all the same
            community.get_member(session, member_id)
        raise
    filters = Filters(query.get("kind"), query.get("tag"), query.get("town"), query.get("mutual"))
    found = matcher.for_member(
        member_id,
        limit=query.get("limit"),
        offset=query["offset"],
        direction=query["direction"],
        filters=filters,
    )
    town = query.get("town")
    return jsonify(
        member_id=member_id,
        build=matcher.build_id,
        direction=query["direction"],
        matches=[m.as_dict() for m in found],
        town_known=anyone_in(matcher.view, town) if town else None,
    )


@bp.post("/search")
@bp.auth_required(auth, roles=["read"])
@bp.input(SearchIn, arg_name="need")
@bp.output(SearchResult)
@bp.doc(responses={404: "No such active member (`member_id`)", 503: NO_BUILD})
def search(need: dict) -> Response:
    """Search by need

    Members who could help with a need typed by anyone (a visitor of the site, say), best
    first, with the reasons. Nothing is stored.
    """
    matcher = services().matcher()
    found = matcher.for_text(
        need["text"],
        tags=need.get("tags", ()),
        town=need.get("town"),
        limit=need.get("limit"),
        offset=need["offset"],
        filters=Filters(kind=need.get("kind")),
        searcher=need.get("member_id"),
    )
    town = need.get("town")
    return jsonify(
        build=matcher.build_id,
        matches=[m.as_dict() for m in found],
        town_known=matcher.view.knows_place(town) if town else None,
    )
