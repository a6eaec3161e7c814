"""Rate limits per API key (per client address without one), with Flask-Limiter.

The default storage is memory, so each gunicorn worker counts on its own: with N workers a key
may make up to N times the limit. Point `MATCHER_RATELIMIT_STORAGE_URI` at a shared store
(e.g. `redis://...`) for one count across workers and hosts.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter

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


def rate_limit_key() -> str:
    """Who is counted: the API key's id, else the client's address."""
    key = current_key()
    return f"key:{key.id}" if key is not None else f"addr:{request.remote_addr}"


def _exempt() -> bool:
    return request.endpoint in OPEN_ENDPOINTS or request.method == "OPTIONS"


def _retry_after_only_when_refused(response: Response) -> Response:
    """Flask-Limiter sends Retry-After with every response; it means something only with a
    429 (or a 503, whose handler sets its own)."""
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
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
    )
    limiter.init_app(app)
    return limiter
