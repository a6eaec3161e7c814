"""The read endpoints that list a member's things (posts, interactions) a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiflask import APIBlueprint
from apiflask.fields import String
from flask import request, url_for
from marshmallow import RAISE

from api.auth import auth

# The Link header of a page with more after it (RFC 8288), as the OpenAPI document states it.
NEXT_PAGE = {
    "Link": String(
        metadata={
            "description": '`<URI>; rel="next"`, where more follow this page: the request\'s '
            "own path and query, with `after` the last id of this page (and no `offset`)."
        }
    )
}


def member_listing(
    bp: APIBlueprint, thing: str, query: type, out: type, scope: str = "read"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The decorators of GET /members/<member_id>/`thing` (for keys of `scope`): the query
    string (passed as `query`, unknown parameters refused) and the page as `out`."""
    stack = [
        bp.get(f"/members/<member_id>/{thing}"),
        bp.auth_required(auth, roles=[scope]),
        bp.input(query, location="query", arg_name="query", unknown=RAISE),
        bp.output(out, headers=NEXT_PAGE),
        bp.doc(responses={404: f"No such member, or `after` is none of their {thing}"}),
    ]

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(stack):
            view = decorator(view)
        return view

    return decorate


def page(member_id: str, thing: str, items: list[dict], total: int, query: dict) -> dict:
    """A page of a member's `thing` as the list schemas have it."""
    return {
        "member_id": member_id,
        thing: items,
        "total": total,
        "limit": query["limit"],
        "offset": query["offset"],
    }


def one_more(limit: int) -> int:
    """How many to read for a page of `limit`: one more says whether another page follows."""
    return limit + 1


def next_page(items: list[dict], limit: int) -> tuple[list[dict], dict[str, str]]:
    """A page read with `one_more(limit)` as it is answered, and its headers: the Link to the
    next page where more follow (RFC 8288), the request's own URI with `after` its last id."""
    if len(items) <= limit:
        return items, {}
    items = items[:limit]
    query = {k: v for k, v in request.args.items() if k != "offset"}
    query["after"] = items[-1]["id"]
    uri = url_for(str(request.endpoint), **(request.view_args or {}), **query)
    return items, {"Link": f'<{uri}>; rel="next"'}
