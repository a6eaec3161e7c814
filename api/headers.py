"""Headers of every response beyond the body: CORS for the community's site (caching is
`api.caching`'s).

CORS (`cors_origins`): a browser on one of the listed sites may call the API with a key and
read the request id and the rate-limit headers. The answer depends on the request's Origin,
so every response says `Vary: Origin` to caches in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Flask, Response

from api.auth import HEADER
from api.idempotent import HEADER as IDEMPOTENCY_HEADER
from api.idempotent import REPLAYED
from api.logs import REQUEST_ID_HEADER

RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
METHODS = ("GET", "POST", "PATCH", "DELETE")
# How long a browser may keep a preflight's answer (Access-Control-Max-Age): a request with a
# key is always preflighted, and without it Chrome keeps the answer 5 s (Firefox caps at 24 h,
# Chrome at 2 h). What it allows changes only with the settings, at a restart.
PREFLIGHT_SECONDS = 600


def init_app(app: Flask, origins: Sequence[str]) -> None:
    """Answer CORS requests from `origins` (none: CORS off)."""
    if origins:
        from flask_cors import CORS

        CORS(
            app,
            origins=list(origins),
            methods=list(METHODS),
            # Idempotency-Key: a browser may retry a create safely, as the docs say, and read
            # whether the answer is a repeat's (an integrator's preflight refused it).
            # If-None-Match: a page that keeps an answer's ETag itself asks whether it changed.
            allow_headers=[
                "Content-Type",
                HEADER,
                REQUEST_ID_HEADER,
                IDEMPOTENCY_HEADER,
                "If-None-Match",
            ],
            # Location: where what a create made is; ETag: the validator of an answer read by
            # GET (api.caching); Link: a list's next page (not ones a browser lets a page read
            # unasked).
            expose_headers=[
                REQUEST_ID_HEADER,
                "Retry-After",
                REPLAYED,
                "Location",
                "ETag",
                "Link",
                *RATE_LIMIT_HEADERS,
            ],
            always_send=False,  # no Access-Control-* for a request without an Origin
            max_age=PREFLIGHT_SECONDS,
        )
        app.after_request(_vary_by_origin)


def _vary_by_origin(response: Response) -> Response:
    response.vary.add("Origin")
    return response


# The headers a client may read, as the OpenAPI document states them.
HEADERS: dict[str, dict[str, Any]] = {
    REQUEST_ID_HEADER: {
        "description": "The request's id (the one sent, if it was 1-128 letters, digits or"
        " ._:-), as the server's log names it: quote it when asking about a request.",
        "schema": {"type": "string"},
    },
    "X-RateLimit-Limit": {
        "description": "Requests this API key (without one, this address) may make in the window"
        " (MATCHER_RATE_LIMIT).",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left to this API key (or address) in the current window.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "When the window starts again (Unix time, seconds).",
        "schema": {"type": "integer"},
    },
    "Retry-After": {
        "description": "Seconds to wait before sending the request again.",
        "schema": {"type": "integer"},
    },
}
UNLIMITED_PATHS = ("/health", "/ready", "/metrics", "/openapi", "/docs")


def document_headers(spec: dict[str, Any]) -> dict[str, Any]:
    """State in the spec the headers of every response: the request id; the rate limit's,
    where it applies; Retry-After with a 429 or a 503."""
    spec.setdefault("components", {}).setdefault("headers", {}).update(HEADERS)
    refs = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    for path, operations in spec.get("paths", {}).items():
        names = [REQUEST_ID_HEADER]
        if not path.startswith(UNLIMITED_PATHS):
            names += RATE_LIMIT_HEADERS
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                retry = ["Retry-After"] if code in ("429", "503") else []
                headers = response.setdefault("headers", {})
                headers.update({n: refs[n] for n in (*names, *retry)})
    return spec
