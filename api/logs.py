"""Structured JSON logs with a request id on every line; one access line per request.

The request id comes from the client's `X-Request-ID` header when it is sane, else it is made
here, and it is sent back in the response's `X-Request-ID`. API keys are never logged: the
access line names the key by its id and name.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds the request id (or null outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time, level, logger and message, and any extra fields."""
    return JsonFormatter(FORMAT, rename_fields={"levelname": "level"})


def json_handler(stream: object = None) -> logging.Handler:
    """A handler writing one JSON object per line, with the request id."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    return handler


def _start() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if SANE_REQUEST_ID.match(sent) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    key = g.get("api_key")
    elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
    current_app.logger.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 2),
            "key_id": key.id if key is not None else None,
            "key_name": key.name if key is not None else None,
            "remote_addr": request.remote_addr,
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Log `app` as JSON lines on stderr and tag every request with an id."""
    app.logger.handlers[:] = [json_handler()]
    app.logger.setLevel(app.config["LOG_LEVEL"])
    app.logger.propagate = False
    app.before_request(_start)
    app.after_request(_finish)
