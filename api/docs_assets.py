"""Swagger UI's files for /docs, served from the installed swagger-ui-bundle package: the
docs page works offline, where the CDN that APIFlask links to by default cannot be reached."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

bp = APIBlueprint("docs_assets", __name__, url_prefix="/docs/assets", enable_openapi=False)
FILES = {
    "SWAGGER_UI_CSS": "swagger-ui.css",
    "SWAGGER_UI_BUNDLE_JS": "swagger-ui-bundle.js",
    "SWAGGER_UI_STANDALONE_PRESET_JS": "swagger-ui-standalone-preset.js",
    "DOCS_FAVICON": "favicon-32x32.png",
}


@bp.get("/<path:filename>")
def asset(filename: str):
    """One of Swagger UI's files."""
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)


def init_app(app: Flask) -> None:
    """Point the docs page at the local copies of Swagger UI's files."""
    for setting, name in FILES.items():
        app.config[setting] = f"/docs/assets/{name}"
    app.register_blueprint(bp)
