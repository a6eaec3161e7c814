"""Writes that may be sent again: a request repeated under the same idempotency key (a client
retrying after a timeout) creates nothing new.

The key names the request: the id of what it creates is derived from the key (unless the
request gives one), so two deliveries of it can never make two members, posts or
interactions, whichever comes first and even if one of them is cut off half-way. The first
request under a key records a hash of its body (its text stripped, as it is stored); another
body under the same key is refused. A repeat that comes while the first request is still at
work waits for it a little (IN_FLIGHT_WAIT) and is then told to come back (the draft's 409),
rather than racing it; a claim not done after STALE_SECONDS is taken for a request cut off
before it made anything.
Keys are kept KEEP_DAYS: after that a repeat still creates nothing new (the derived id is
taken), but another body under an old key is no longer told apart.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matcher.community import Clock
from matcher.errors import Conflict, InvalidInput, MatcherError, NotFound
from matcher.store import IdempotencyKey, utcnow

MAX_KEY_LENGTH = 255
T = TypeVar("T")
KEEP_DAYS = 7  # the IETF draft asks for at least a day
STALE_SECONDS = 60  # a first request not done by then was cut off (no request takes that long)
IN_FLIGHT_WAIT = 2.0  # seconds a repeat waits for the first request to be done
# The first letter of a derived id says what it is, as the ids the service makes do.
PREFIXES = {"members": "m", "posts": "p", "interactions": "i"}


@dataclass(frozen=True)
class Claim:
    """A request's claim on its key: the id derived for what it creates, and whether the
    same request came under this key before (then what it created may exist already)."""

    key_hash: str
    external_id: str
    repeated: bool
    done: bool = False  # the first request under the key made what it asked for
    stale: bool = False  # claimed so long ago, and not done: that request was cut off


def claim(
    sessions: sessionmaker[Session],
    *,
    key: str,
    client: str,
    endpoint: str,
    request: Mapping[str, Any],
    clock: Clock = utcnow,
) -> Claim:
    """Claim `key` for this request to `endpoint` (one of PREFIXES) by `client` (keys of two
    clients never meet). Raises `InvalidInput` when the key came with another request
    before (the IETF draft's 422)."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            f"the Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters",
            field="Idempotency-Key",
        )
    key_hash = _sha256(f"{client}\n{endpoint}\n{key}")
    request_hash = _sha256(json.dumps(_as_stored(request), sort_keys=True, default=str))
    derived = f"{PREFIXES[endpoint]}-{key_hash[:24]}"
    for _ in range(3):  # a key given back by a request beside this one: claim it again
        now = clock()
        try:
            with sessions.begin() as session:
                session.execute(
                    delete(IdempotencyKey).where(
                        IdempotencyKey.created_at < now - timedelta(days=KEEP_DAYS)
                    )
                )
                row = _row(session, key_hash)
                if row is None:
                    row = IdempotencyKey(
                        key_hash=key_hash,
                        endpoint=endpoint,
                        request_hash=request_hash,
                        created_at=now,
                    )
                    session.add(row)
                    return Claim(key_hash, derived, repeated=False)
        except IntegrityError:  # the same key in a request running beside this one, first
            with sessions() as session:
                row = _row(session, key_hash)
        if row is not None:
            break
    if row is None or row.request_hash != request_hash:
        raise InvalidInput(
            f"the Idempotency-Key {key!r} came with another request to /v1/{endpoint} before: "
            "send a new key with a new request",
            field="Idempotency-Key",
        )
    stale = row.created_at < clock() - timedelta(seconds=STALE_SECONDS)
    return Claim(key_hash, derived, True, done=row.done_at is not None, stale=stale)


def done(sessions: sessionmaker[Session], claimed: Claim, clock: Clock = utcnow) -> None:
    """The request under this key made what it asked for: repeats answer with it."""
    with sessions.begin() as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key_hash == claimed.key_hash, IdempotencyKey.done_at.is_(None))
            .values(done_at=clock())
        )


def once(
    sessions: sessionmaker[Session],
    *,
    key: str,
    client: str,
    endpoint: str,
    request: Mapping[str, Any],
    create: Callable[[str | None], T],
    existing: Callable[[str], T],
    clock: Clock = utcnow,
) -> tuple[T, bool]:
    """`create(id)` once per `key` (see `claim`), and whether this request is a repeat: a
    repeat gets `existing(id)` (NotFound while nothing is made), waiting IN_FLIGHT_WAIT for a
    first request still at work and then refused (`Conflict`, to send again), and is refused
    when what the first request made is gone since (`Conflict`: erased); a first
    request refused (`MatcherError`) gives its key back. The id is the request's "id", else
    the one derived from the key."""
    claimed = claim(
        sessions, key=key, client=client, endpoint=endpoint, request=request, clock=clock
    )
    external_id = request.get("id") or claimed.external_id
    if claimed.repeated:
        deadline = time.monotonic() + IN_FLIGHT_WAIT
        while True:
            try:
                made = existing(external_id)
            except NotFound:
                pass
            else:
                if not claimed.done:  # the first request was cut off after making it
                    done(sessions, claimed, clock)
                return made, True
            if claimed.done or claimed.stale or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        if claimed.done:  # made, and gone since (a member erased at their request)
            raise Conflict(
                f"what the first request under the Idempotency-Key {key!r} made is no longer "
                "there: send a new key to make it again",
                field="Idempotency-Key",
            )
        if not claimed.stale:
            raise Conflict(
                f"a request under the Idempotency-Key {key!r} is still at work: send it again "
                "in a moment (it will answer with what that request made)",
                field="Idempotency-Key",
            )
        # else the first request was cut off before it made anything: make it now
    try:
        made = create(external_id)
    except MatcherError as exc:
        if isinstance(exc, Conflict) and exc.field == "id" and not request.get("id"):
            exc.field = "Idempotency-Key"  # the id taken is the one derived from the key
        if not claimed.repeated:
            release(sessions, claimed)  # refused: the mended request may use the key
        raise
    done(sessions, claimed, clock)
    return made, False


def release(sessions: sessionmaker[Session], claimed: Claim) -> None:
    """Give up a key whose first request was refused, so that the request, mended, may come
    again under it."""
    with sessions.begin() as session:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.key_hash == claimed.key_hash, IdempotencyKey.done_at.is_(None)
            )
        )


def _row(session: Session, key_hash: str) -> IdempotencyKey | None:
    row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.key_hash == key_hash))
    if row is not None:
        session.expunge(row)  # read after the session ends
    return row


def _as_stored(value: Any) -> Any:
    """A request's values with their text stripped, as every text is stored
    (`matcher.io.parse.text`): a retry with a space more at the end is the same request."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {name: _as_stored(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_stored(item) for item in value]
    return value


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
