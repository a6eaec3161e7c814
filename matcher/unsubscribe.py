"""Signed unsubscribe tokens: the weekly email links to them and the API honours them.

A token names the member and the week of the email it came in. An id can be someone else's
later (an erased member's id is free again: `matcher.erase`), so a link is honoured only for
a member who was chosen an email that week: the new holder of an id never was. (Tokens made
before they named a week name only the member.)
"""

from __future__ import annotations

from typing import NamedTuple

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.community import get_member
from matcher.config import SECRET_KEY_ADVICE
from matcher.errors import ConfigError, InvalidInput, NotFound
from matcher.store import Digest, Member

SALT = "matcher.unsubscribe"


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret:
        raise ConfigError(
            f"MATCHER_SECRET_KEY is not set: it signs unsubscribe links. Set it to "
            f"{SECRET_KEY_ADVICE}, and give the API the same"
        )
    return URLSafeSerializer(secret, salt=SALT)


class Link(NamedTuple):
    """What a token says: whom, and the week of the email it came in (None: an older token)."""

    member_id: str
    week: str | None = None


def make_token(secret: str, member_id: str, week: str | None = None) -> str:
    """A token that unsubscribes the member with this external id from the weekly email, in
    the email of `week`."""
    data = {"member": member_id} if week is None else {"member": member_id, "week": week}
    return _serializer(secret).dumps(data)


def read_token(secret: str, token: str) -> Link:
    """What a token says, or InvalidInput when it is forged or damaged."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise InvalidInput("the unsubscribe link is not valid", field="token") from exc
    if not isinstance(data, dict) or not isinstance(data.get("member"), str):
        raise InvalidInput("the unsubscribe link is not valid", field="token")
    week = data.get("week")
    return Link(data["member"], week if isinstance(week, str) else None)


def linked_member(session: Session, link: Link) -> Member:
    """The member a link names, or NotFound: no member has the id, or the one who has it was
    chosen no email in the link's week (the id was someone else's then)."""
    member = get_member(session, link.member_id)
    if link.week is not None:
        chosen = select(Digest.id).where(Digest.member_id == member.id, Digest.week == link.week)
        if session.scalar(chosen) is None:
            raise NotFound(f"no member {link.member_id!r} was sent the email of {link.week}")
    return member
