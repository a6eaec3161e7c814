"""What a cache may keep of an answer: members' data read by GET is revalidated, the rest none.

A GET under /v1/ answered with JSON (a member, the list, their matches and posts, a post,
the build) carries a strong ETag of its body and `Cache-Control: private, no-cache`: the
browser of the page that asked may keep it, no cache in between may, and it is asked for again
each time (with the key, so a key revoked since reads nothing), a request whose `If-None-Match`
names the same ETag being answered 304 without the body. Everything else under /v1/ (writes,
errors, the search) is `no-store`, as is what is read with a secret: the unsubscribe link's
signed token, in its URL, unsubscribes its member; the unsubscribe page names the member too.
So are a member's interactions: who blocked or reported whom is kept by no browser either.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

REVALIDATED = "private, no-cache"
KEPT_BY_NONE = "no-store"
PRIVATE_PATHS = ("/v1/", "/unsubscribe")
# Read with a secret (the unsubscribe token): no cache may keep the answer, nor its URL.
SECRET_PATHS = ("/v1/unsubscribe",)
# Kept by no browser either: who contacted, declined, blocked or reported whom.
UNKEPT_ENDINGS = ("/interactions",)

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "A strong validator of the body: send it back in `If-None-Match` to be "
        "answered 304, without the body, while the answer is the same.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": f"`{REVALIDATED}`: the browser may keep the answer but asks for it again "
        "each time (with `If-None-Match`); caches in between keep none.",
        "schema": {"type": "string"},
    },
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of the answer kept: the same answer is a 304 without the body.",
    "schema": {"type": "string"},
}
NOT_MODIFIED = "Not Modified: the answer is the one whose ETag `If-None-Match` named (no body)"


def init_app(app: Flask) -> None:
    """Revalidate members' data read by GET, and keep the rest of /v1/ out of caches."""
    app.after_request(_cache_rules)


def revalidated(method: str, path: str) -> bool:
    """Whether the answer to `method` `path` may be kept by the browser and revalidated."""
    return (
        method in ("GET", "HEAD")
        and path.startswith("/v1/")
        and not path.startswith(SECRET_PATHS)
        and not path.endswith(UNKEPT_ENDINGS)
    )


def _cache_rules(response: Response) -> Response:
    answered = response.status_code == 200 and response.is_json
    if answered and revalidated(request.method, request.path):
        response.headers["Cache-Control"] = REVALIDATED
        response.add_etag()  # strong: a hash of the body
        return response.make_conditional(request)  # 304 to a matching If-None-Match
    if request.path.startswith(PRIVATE_PATHS) and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = KEPT_BY_NONE
    return response


def document(spec: dict[str, Any]) -> dict[str, Any]:
    """State in the spec the ETag and Cache-Control of the revalidated GETs, the
    If-None-Match they take and their 304."""
    spec.setdefault("components", {}).setdefault("headers", {}).update(HEADERS)
    refs = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    for path, operations in spec.get("paths", {}).items():
        operation = operations.get("get")
        if operation is None or not revalidated("GET", path):
            continue
        parameters = operation.setdefault("parameters", [])
        if IF_NONE_MATCH not in parameters:
            parameters.append(IF_NONE_MATCH)
        responses = operation.setdefault("responses", {})
        responses.setdefault("200", {}).setdefault("headers", {}).update(refs)
        responses["304"] = {"description": NOT_MODIFIED, "headers": dict(refs)}
    return spec
