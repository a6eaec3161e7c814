"""Signed unsubscribe tokens: the weekly email links to them and the API honours them."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from matcher.config import SECRET_KEY_ADVICE
from matcher.errors import ConfigError, InvalidInput

SALT = "matcher.unsubscribe"


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret:
        raise ConfigError(
            f"MATCHER_SECRET_KEY is not set: it signs unsubscribe links. Set it to "
            f"{SECRET_KEY_ADVICE}, and give the API the same"
        )
    return URLSafeSerializer(secret, salt=SALT)


DAMAGED = "the link's token is damaged (cut short when copied?) or was not made by this site"


def make_token(secret: str, member_id: str) -> str:
    """A token that unsubscribes the member with this external id from the weekly email."""
    return _serializer(secret).dumps({"member": member_id})


def read_token(secret: str, token: str) -> str:
    """The external member id of a token, or InvalidInput when it is forged or damaged."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise InvalidInput(DAMAGED, field="token") from exc
    if not isinstance(data, dict) or not isinstance(data.get("member"), str):
        raise InvalidInput(DAMAGED, field="token")
    return data["member"]
