"""The create endpoints' `Idempotency-Key` header: a request sent again creates nothing new."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiflask import APIBlueprint
from apiflask.fields import String
from flask import url_for

from api.auth import auth, current_key
from api.schemas import IdempotencyHeaders
from api.services import services
from matcher import idempotency

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # on the answer to a repeat: what the first request made
# Where what a create made is (the 201's Location): the view that reads it, and its id's name.
# An interaction is only ever withdrawn by its URI (DELETE).
WHERE = {
    "members": ("members.get_member", "member_id"),
    "posts": ("posts.get_post", "post_id"),
    "interactions": ("interactions.withdraw_interaction", "interaction_id"),
}

DOC = (
    f"Send an `{HEADER}` header (any 1 to {idempotency.MAX_KEY_LENGTH} printable characters, "
    "new for each new request) to make a retry safe: a repeat of the request under the same "
    "key creates nothing new and answers 200 with what the first made, as it is now "
    f"(`{REPLAYED}: true`); a repeat while the first is still at work (after waiting for it "
    "two seconds) is a 409, to be sent again; another request under the same key is a 422. "
    "Without `id`, the id is derived from the key."
)


def creating(
    bp: APIBlueprint,
    path: str,
    body: type,
    arg_name: str,
    out: type,
    *,
    made: str,
    description: str,
    responses: dict[int, str],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The decorators of a create endpoint (POST `path`, the write scope): the JSON `body`
    (passed as `arg_name`) and the Idempotency-Key header (passed as `headers`), the 201
    with `out`, and a repeat's 200 with the same schema (`made`: what the first request
    made)."""
    replay = {
        "description": f"A repeat of an earlier request under its {HEADER}: {made}",
        "content": {"application/json": {"schema": out}},
        "headers": {REPLAYED: String(metadata={"description": "true"})},
    }
    stack = [
        bp.post(path),
        bp.auth_required(auth, roles=["write"]),
        bp.input(body, arg_name=arg_name),
        bp.input(IdempotencyHeaders, location="headers", arg_name="headers"),
        bp.output(
            out,
            status_code=201,
            headers={
                "Location": String(required=True, metadata={"description": f"The URI of {made}."})
            },
        ),
        bp.doc(
            description=f"{description} {DOC}",
            responses={
                200: replay,
                **responses,
                422: f"Invalid fields, or the {HEADER} came with another request before",
            },
        ),
    ]

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(stack):
            view = decorator(view)
        return view

    return decorate


def create_once(
    endpoint: str,
    body: dict[str, Any],
    headers: dict[str, Any],
    create: Callable[[str | None], dict[str, Any]],
    existing: Callable[[str], dict[str, Any]],
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """`create(id)` once per idempotency key (`headers`, as `IdempotencyHeaders` reads them;
    `matcher.idempotency.once`): a 201 says where what it made is (Location); a repeat answers
    200 with `existing(id)`."""
    key = headers.get("idempotency_key")
    if key is None:
        return _made(endpoint, create(body.get("id")))
    s = services()
    client = current_key()
    made, repeated = idempotency.once(
        s.sessions,
        key=key,
        client=str(client.id if client else ""),
        endpoint=endpoint,
        request=body,
        create=create,
        existing=existing,
        clock=s.clock,
    )
    return (made, 200, {REPLAYED: "true"}) if repeated else _made(endpoint, made)


def _made(endpoint: str, made: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The 201 of what a create made, with its URI in Location (RFC 9110: without one, the
    request's own URI would name it)."""
    view, name = WHERE[endpoint]
    return made, 201, {"Location": url_for(view, **{name: made["id"]})}
