"""One JSON shape for every error: `{"code", "message", "description"}` (+ `field`, `errors`)."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from apiflask import APIFlask, HTTPError
from flask import current_app, request
from gunicorn.http.errors import ParseException
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from matcher.errors import (
    BuildError,
    ConfigError,
    Conflict,
    ImportRejected,
    InvalidInput,
    MatcherError,
    NotFound,
)

# The library's exceptions and the status each one means to a client.
STATUS: dict[type[MatcherError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    ImportRejected: 422,
    BuildError: 503,
    ConfigError: 503,
}

Body = dict[str, Any]
# Retry-After of a 503: the store down or restarting; no build or setting yet (a build takes
# minutes).
STORE_RETRY_SECONDS = 10
NOT_READY_RETRY_SECONDS = 60
STORE_DOWN = "the store does not answer; try again shortly"
# How operations that need a build document its absence.
NO_BUILD = "There is no model build yet: try again later (Retry-After)"


def error_body(code: int, description: str, **extra: Any) -> Body:
    """The body of an error response."""
    body: Body = {
        "code": code,
        "message": HTTP_STATUS_CODES.get(code, "Error"),
        "description": description,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def _from_http_error(error: HTTPError) -> tuple[Body, int, Any]:
    """APIFlask's errors (validation, auth, abort) in our shape."""
    extra = dict(error.extra_data or {})
    detail = error.detail
    if error.status_code == 422 and isinstance(detail, dict) and detail:
        field, description = _invalid(detail)
        body = error_body(422, description, field=field or None, errors=detail)
    else:
        description = extra.pop("description", None) or _describe(error.status_code, detail)
        body = error_body(error.status_code, description, **extra)
    return body, error.status_code, error.headers


def _from_exception(exc: HTTPException) -> tuple[Body, int, Any]:
    """Werkzeug's errors (404 route, 405, 413, 429, malformed JSON, 500) in our shape."""
    code = exc.code or 500
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    if getattr(exc, "exc", None) is not None and isinstance(exc.exc, json.JSONDecodeError):
        description = f"the body is not valid JSON: {exc.exc}"
    elif isinstance(exc, InternalServerError):
        description = "the server failed to answer; the error is logged"
    elif code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        description = f"the body is larger than {limit} bytes (MATCHER_MAX_BODY_BYTES)"
    elif code == 429:  # Flask-Limiter's description is the limit alone ("600 per 1 minute")
        description = (
            f"too many requests: at most {exc.description} per API key (per address without "
            "one); try again after Retry-After seconds"
        )
    else:
        description = exc.description or HTTP_STATUS_CODES.get(code, "Error")
    return error_body(code, description), code, headers


def _from_store(exc: DBAPIError) -> tuple[Body, int, dict[str, str]]:
    """The store does not answer (down, restarting, unreachable): 503, try again shortly. The
    driver's words go to the log, not to the client."""
    current_app.logger.error("the store does not answer: %s", exc.orig or exc)
    body = error_body(503, STORE_DOWN)
    return body, 503, {"Retry-After": str(STORE_RETRY_SECONDS)}


# What a client is told when the service cannot answer for want of a build or a setting: the
# library's words name folders and commands of the server, which go to its log.
NOT_READY = {
    BuildError: "the service has no usable model build yet; try again later",
    ConfigError: "the service is not fully configured; try again later",
}


def _not_ready(exc: MatcherError) -> str:
    """The client's words for a build or setting missing (`exc`), the server's to its log."""
    current_app.logger.warning("not ready: %s", exc)
    return next(words for kind, words in NOT_READY.items() if isinstance(exc, kind))


def _from_library(exc: MatcherError) -> tuple[Body, int] | tuple[Body, int, dict[str, str]]:
    """The library's own errors: not found, conflict, invalid input, no build."""
    code = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 500)
    if code == 503:
        retry = {"Retry-After": str(NOT_READY_RETRY_SECONDS)}
        return error_body(503, _not_ready(exc)), 503, retry
    field = getattr(exc, "field", None)
    errors = {_location(field): {field: [str(exc)]}} if field else None
    return error_body(code, str(exc), field=field, errors=errors), code


def _location(field: str) -> str:
    """Where the request carried `field`, in webargs' words (json, query, headers, path), so
    that a rule of the library is reported as a schema's check is."""
    if field in (request.view_args or {}):
        return "path"
    if field in request.args:
        return "query"
    if field in request.headers:
        return "headers"
    return "json" if request.method in ("POST", "PUT", "PATCH") else "query"


def _problems(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """Each invalid field of a webargs error (`{"json": {"name": ["..."]}}`) with its first
    problem, in order (a nested field by its path, `items.0.text`)."""
    found: list[tuple[str, str]] = []
    for messages in detail.values():
        if not isinstance(messages, dict):
            continue
        for field, problem in messages.items():
            while isinstance(problem, dict):  # nested fields, list items
                key, problem = next(iter(problem.items()))
                field = f"{field}.{key}"
            if isinstance(problem, list):
                problem = problem[0] if problem else "invalid"
            found.append(("" if field == "_schema" else str(field), str(problem)))
    return found


def _invalid(detail: dict[str, Any]) -> tuple[str, str]:
    """The first invalid field and the description of all: the first's problem, and the
    names of any others (`{}` for a member lacks both name and kind: both are said)."""
    problems = _problems(detail) or [("", "invalid input")]
    field, problem = problems[0]
    description = f"invalid {field}: {problem}" if field else problem
    others = [f for f, _ in problems[1:] if f and f != field]
    if others:
        description += f" (also invalid: {', '.join(others)})"
    return field, description


def _describe(code: int, detail: Any) -> str:
    if isinstance(detail, str) and detail:
        return detail
    if code == 401:
        return "send a valid API key in the X-API-Key header"
    if code == 403:
        return "this API key does not have the scope this operation needs"
    return HTTP_STATUS_CODES.get(code, "Error")


def _takes_json_body() -> bool:
    """Whether the view answering this request declares a JSON body (`@bp.input` of a JSON
    schema). Others take none, or a form: RFC 8058's one-click unsubscribe and the unsubscribe
    page's button post one."""
    spec = _view_spec() or {}
    return "body" in spec and spec.get("content_type") == "application/json"


def _view_spec() -> dict[str, Any] | None:
    """What APIFlask's decorators noted of the view answering this request (its body, its
    query and headers in `args`); None when no route matched."""
    view = current_app.view_functions.get(request.endpoint or "")
    return None if view is None else getattr(view, "_spec", {})


def _require_json_bodies() -> None:
    """A body that is not declared JSON is refused with 415, saying how to send it (read as
    JSON it would look empty, and every required field would seem missing). A JSON body the
    parser gives up on for a reason other than its syntax (nested too deeply for the
    interpreter's stack, a number of more than 4,300 digits) is a 400, not a 500. A JSON body
    that is not an object (an array, null, a number), or no body at all, is a 422 saying so."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is None and len(_body()) >= limit:
        # A body sent in chunks has no length to check first, and werkzeug stops reading it
        # at the limit without a word: read on, which raises 413 if there is more.
        request.stream.read(1)
    if not _takes_json_body():
        return
    # Whether a body came is whether it has bytes (one sent in chunks has no Content-Length).
    if _body() and not request.is_json:
        fail(415, "send the body as JSON, with the header Content-Type: application/json")
    if not _body():
        fail(422, "send a JSON body ({...}), with the header Content-Type: application/json")
    if request.is_json:
        try:
            body = json.loads(_body())
        except json.JSONDecodeError:
            return  # malformed: the schema's parser answers 400, as for any request
        except UnicodeDecodeError:
            return  # the same
        except (RecursionError, ValueError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            fail(400, f"the JSON body cannot be read: {reason}")
        if not isinstance(body, dict):
            # Every body of this API is one object; the schema would only say "Invalid input type".
            fail(422, f"the JSON body must be an object ({{...}}), not {_json_type(body)}")


def _refuse_stray_queries() -> None:
    """A query string sent to an operation of /v1/ that reads none is a 422 naming its
    parameters, as the lists refuse one they do not know (`POST /v1/search?limit=1` was
    answered as if it had none: with 20)."""
    if not request.args or not request.path.startswith("/v1/") or request.method == "OPTIONS":
        return
    spec = _view_spec()
    if spec is None:
        return  # no such route: its 404 or 405 says more
    if any(where == "query" for _, where in spec.get("args", [])):
        return  # its Query schema refuses what it does not know
    raise HTTPError(422, detail={"query": {name: ["Unknown field."] for name in request.args}})


def _body() -> bytes:
    """The request's body, read once; a body the server cannot read (chunks of a wrong size,
    cut short) is a 400."""
    try:
        return request.get_data(cache=True)
    except (OSError, ParseException) as exc:  # cut short; gunicorn's chunks of a wrong size
        fail(400, f"the request body cannot be read: {exc}")


def _json_type(value: Any) -> str:
    """What a parsed JSON value is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    return "a number"


def init_app(app: APIFlask) -> None:
    """Turn every error of `app` into the one JSON shape; refuse bodies that are not JSON, and
    query strings where an operation reads none."""
    app.before_request(_require_json_bodies)
    app.before_request(_refuse_stray_queries)
    app.error_processor(_from_http_error)
    app.register_error_handler(HTTPException, _from_exception)
    app.register_error_handler(MatcherError, _from_library)
    app.register_error_handler(OperationalError, _from_store)
    app.register_error_handler(InterfaceError, _from_store)


def fail(code: int, description: str, headers: dict[str, str] | None = None) -> NoReturn:
    """End the request with an error of this status and description."""
    raise HTTPError(code, extra_data={"description": description}, headers=headers)


# Errors any operation may answer with, beyond those each view documents.
SHARED_ERRORS = {
    "400": "The body is not valid JSON",
    "403": "The API key does not have the scope this operation needs",
    "413": "The body is larger than the limit (MATCHER_MAX_BODY_BYTES)",
    "415": "The body is not sent as JSON (Content-Type: application/json)",
    "429": "Too many requests for this key; wait for Retry-After seconds",
    "503": "The store does not answer (down or restarting); try again after Retry-After seconds",
}


def document_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the errors every operation shares (bad JSON, scope, size, rate) to the spec."""
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            if "requestBody" in operation:
                operation["requestBody"]["required"] = True  # an absent body is a 422
            codes = []
            if "requestBody" in operation:
                codes += ["400", "413", "415"]
            if operation.get("security"):
                codes.append("403")
            if path.startswith("/v1/"):
                codes += ["429", "503"]
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": SHARED_ERRORS[code], "content": ref}
                )
    return spec
