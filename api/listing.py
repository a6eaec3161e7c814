"""The read endpoints that list a member's things (posts, interactions) a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiflask import APIBlueprint
from marshmallow import RAISE

from api.auth import auth


def member_listing(
    bp: APIBlueprint, thing: str, query: type, out: type, scope: str = "read"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The decorators of GET /members/<member_id>/`thing` (for keys of `scope`): the query
    string (passed as `query`, unknown parameters refused) and the page as `out`."""
    stack = [
        bp.get(f"/members/<member_id>/{thing}"),
        bp.auth_required(auth, roles=[scope]),
        bp.input(query, location="query", arg_name="query", unknown=RAISE),
        bp.output(out),
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
