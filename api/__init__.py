"""The match API: a Flask app serving members' matches, typed needs, live posts and feedback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apiflask import APIFlask
from werkzeug.middleware.proxy_fix import ProxyFix

from api.fields import IdConverter
from matcher import __version__
from matcher.config import Settings

DESCRIPTION = """Who could help whom in an indie music community.

Send an API key in the `X-API-Key` header (`matcher keys create`): reads need the `read`
scope, writes the `write` scope. Every error has the same JSON shape: `code`, `message`,
`description` (and `field`, the field at fault, where one is). Requests are limited per key;
each response carries an `X-Request-ID` (yours, if you sent one).
"""


def create_app(test_config: Mapping[str, Any] | None = None) -> APIFlask:
    """The API app: defaults, then `MATCHER_*` environment variables (or `test_config`)."""
    # Imported here, not at the top: gunicorn reads api.gunicorn_conf (importing this package)
    # before it sets PROMETHEUS_MULTIPROC_DIR, which prometheus_client reads on import.
    from api import (
        auth,
        caching,
        docs_assets,
        errors,
        fields,
        headers,
        limits,
        logs,
        metrics,
        services,
    )
    from api.schemas import Error

    app = APIFlask(__name__, title="Indie Matcher API", version=__version__, docs_path="/docs")
    app.config.from_mapping(
        SETTINGS=None,  # a matcher.config.Settings; default: Settings.from_env()
        MIGRATE=True,  # upgrade the store's schema on start (`matcher serve` does it once)
        PRELOAD_BUILD=True,  # load models/current and its encoder with the app, not on a request
        RELOAD_SECONDS=2.0,  # how often a worker looks for a new models/current
        LOG_LEVEL="INFO",
        TEST_ENCODER=None,  # an encoder object instead of loading the build's (tests)
        TEST_CLOCK=None,  # a clock for writes (tests)
        DESCRIPTION=DESCRIPTION,
        HTTP_ERROR_SCHEMA=Error,
        VALIDATION_ERROR_SCHEMA=Error,
        AUTO_404_RESPONSE=False,  # documented per operation where a 404 can happen
    )
    if test_config is None:
        app.config.from_prefixed_env("MATCHER")
    else:
        app.config.from_mapping(test_config)
    settings = app.config["SETTINGS"] or Settings.from_env()
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.url_map.converters["default"] = IdConverter  # every <id> of a path (before the routes)
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    # Order matters: the request id and timer first, then the key, then the rate limit.
    logs.init_app(app)
    observed = metrics.init_app(app)
    found = services.init_app(app)
    found.on_build = observed.served_build
    auth.init_app(app)
    limits.init_app(app, settings.rate_limit)
    headers.init_app(app, [o.strip() for o in settings.cors_origins.split(",") if o.strip()])
    caching.init_app(app)
    errors.init_app(app)
    app.spec_processor(
        lambda spec: headers.document_headers(
            caching.document(fields.document_ids(errors.document_errors(spec)))
        )
    )
    docs_assets.init_app(app)

    from api import interactions, matches, members, model, posts, service, unsubscribe

    for module in (service, model, members, matches, posts, interactions, unsubscribe):
        app.register_blueprint(module.bp)
    app.register_blueprint(unsubscribe.page)
    if app.config["PRELOAD_BUILD"]:
        with app.app_context():
            found.preload()
    return app
