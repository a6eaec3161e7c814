"""API keys in the `X-API-Key` header: reads need the `read` scope, writes the `write` scope."""

from __future__ import annotations

from apiflask import APIKeyHeaderAuth
from flask import Flask, g, request

from api.services import services
from matcher import keys
from matcher.keys import KeyInfo

HEADER = "X-API-Key"

auth = APIKeyHeaderAuth(
    param_name=HEADER,
    description=(
        "An API key made with `matcher keys create --name NAME --scope read [--scope write]`. "
        "Reads need the `read` scope, writes the `write` scope; a missing or unknown key is "
        "a 401, a key without the scope a 403."
    ),
)


@auth.verify_token
def _verify(token: str) -> KeyInfo | None:
    return current_key()


@auth.get_user_roles
def _scopes(key: KeyInfo) -> list[str]:
    return list(key.scopes)


def current_key() -> KeyInfo | None:
    """The verified key of this request, if it sent one."""
    return g.get("api_key")


# Endpoints that need no key, and so do not read one: liveness and readiness must answer
# (readiness with its 503) while the store does not.
KEYLESS_ENDPOINTS = frozenset({"service.health", "service.ready"})


def _resolve_key() -> None:
    """Verify the request's key once, before rate limits and views look at it."""
    sent = request.headers.get(HEADER)
    if request.endpoint in KEYLESS_ENDPOINTS:
        sent = None
    g.api_key = keys.verify_key(services().sessions, sent) if sent else None


def init_app(app: Flask) -> None:
    """Resolve each request's key first thing (register before the rate limiter)."""
    app.before_request(_resolve_key)
