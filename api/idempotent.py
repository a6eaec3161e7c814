"""The create endpoints' `Idempotency-Key` header: a request sent again creates nothing new."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request

from api.auth import current_key
from api.services import services
from matcher import idempotency
from matcher.errors import MatcherError, NotFound

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"  # on the answer to a repeat: what the first request made

DOC = (
    f"Send an `{HEADER}` header (any 1 to {idempotency.MAX_KEY_LENGTH} printable characters, "
    "new for each new request) to make a retry safe: a repeat of the request under the same "
    f"key creates nothing new and answers 200 with what the first made (`{REPLAYED}: true`); "
    "another request under the same key is a 409. Without `id`, the id is derived from the "
    "key."
)


def create_once(
    endpoint: str,
    body: dict[str, Any],
    create: Callable[[str | None], dict[str, Any]],
    existing: Callable[[str], dict[str, Any]],
) -> dict[str, Any] | tuple[dict[str, Any], int, dict[str, str]]:
    """`create(id)` once per idempotency key (see `matcher.idempotency`); `existing(id)` is
    what a repeat answers with (NotFound when the first request made nothing)."""
    key = request.headers.get(HEADER)
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
        try:
            return existing(external_id), 200, {REPLAYED: "true"}
        except NotFound:
            pass  # the first request was cut off before it made anything: make it now
    try:
        return create(external_id)
    except MatcherError as refused:
        if claimed.repeated:  # the same request beside this one may have got in first
            try:
                return existing(external_id), 200, {REPLAYED: "true"}
            except NotFound:
                raise refused from None
        idempotency.release(s.sessions, claimed)
        raise
