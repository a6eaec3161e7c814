"""Rate limits per API key (per client address without one), with Flask-Limiter.

The default storage is memory, so each gunicorn worker counts on its own: with N workers a key
may make up to N times the limit. Point `MATCHER_RATELIMIT_STORAGE_URI` at a shared store
(e.g. `redis://...`) for one count across workers and hosts.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import HeaderNames, Limiter

from api.auth import current_key

# Endpoints never limited: probes, metrics and the API's own documents.
OPEN_ENDPOINTS = frozenset(
    {
        "service.health",
        "service.ready",
        "metrics.metrics",
        "openapi.spec",
        "openapi.docs",
        "openapi.swagger_ui_oauth_redirect",
        "docs_assets.asset",
        "static",
    }
)
# Flask-Limiter sets Retry-After on every response it counted, over any the app set, from the
# end of the key's window (a 503's "60" read "59" once that window was a second old): it writes
# its own under this name, which becomes Retry-After on its 429 alone.
LIMITER_RETRY_AFTER = "X-RateLimit-Retry-After"


def rate_limit_key() -> str:
    """Who is counted: the API key's id, else the client's address."""
    key = current_key()
    return f"key:{key.id}" if key is not None else f"addr:{request.remote_addr}"


def _exempt() -> bool:
    return request.endpoint in OPEN_ENDPOINTS or request.method == "OPTIONS"


def _retry_after_only_when_refused(response: Response) -> Response:
    """The limiter's Retry-After is the one of its 429 alone (a 503's handler sets its own)."""
    retry = response.headers.pop(LIMITER_RETRY_AFTER, None)
    if response.status_code == 429 and retry is not None:
        response.headers["Retry-After"] = retry
    return response


def init_app(app: Flask, limit: str) -> Limiter:
    """One limit per key shared by every endpoint of `app` (`limit` like "600 per minute")."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Registered before the limiter's own hook, so it runs after it.
    app.after_request(_retry_after_only_when_refused)
    limiter = Limiter(
        rate_limit_key,
        application_limits=[limit],
        application_limits_exempt_when=_exempt,
        # Flask-Limiter counts no request that matched no route (a 404, a 405, an unknown
        # method): named, they count against the same limit as the others.
        request_identifier=lambda: request.endpoint or "unmatched",
        header_name_mapping={HeaderNames.RETRY_AFTER: LIMITER_RETRY_AFTER},
    )
    limiter.init_app(app)
    return limiter
