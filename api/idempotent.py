"""The create endpoints' `Idempotency-Key` header: a request sent again creates nothing new."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from apiflask import APIBlueprint
from apiflask.fields import String

from api.auth import auth, current_key
from api.schemas import IdempotencyHeaders
from api.services import services
from matcher import idempotency
from matcher.errors import Conflict, MatcherError, NotFound

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # on the answer to a repeat: what the first request made

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
        bp.output(out, status_code=201),
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
) -> dict[str, Any] | tuple[dict[str, Any], int, dict[str, str]]:
    """`create(id)` once per idempotency key (`headers`, as `IdempotencyHeaders` reads them;
    see `matcher.idempotency`); `existing(id)` is what a repeat answers with (NotFound when
    the first request made nothing)."""
    key = headers.get("idempotency_key")
    if key is None:
        return create(body.get("id"))
    s = services()
    client = current_key()
    claimed = idempotency.claim(
        s.sessions,
        key=key,
        client=str(client.id if client else ""),
        endpoint=endpoint,
        request=body,
        clock=s.clock,
    )
    external_id = body.get("id") or claimed.external_id
    if claimed.repeated:
        # What the first request made; while it is still at work, wait for it a little.
        deadline = time.monotonic() + idempotency.IN_FLIGHT_WAIT
        while True:
            replay = _replay(existing, external_id)
            if replay is not None:
                idempotency.done(s.sessions, claimed, s.clock)  # if it was cut off after
                return replay
            if claimed.done or claimed.stale or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if not (claimed.done or claimed.stale):
            raise Conflict(
                f"a request under the {HEADER} {key!r} is still at work: send it again in a "
                "moment (it will answer with what that request made)"
            )
        # else the first request was cut off before it made anything: make it now
    try:
        made = create(external_id)
    except MatcherError:
        if not claimed.repeated:
            idempotency.release(s.sessions, claimed)  # refused: the mended request may use it
        raise
    idempotency.done(s.sessions, claimed, s.clock)
    return made


def _replay(
    existing: Callable[[str], dict[str, Any]], external_id: str
) -> tuple[dict[str, Any], int, dict[str, str]] | None:
    try:
        return existing(external_id), 200, {REPLAYED: "true"}
    except NotFound:
        return None
