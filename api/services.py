"""The library's collaborators of one app: settings, the store, the current matcher, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.embed import Encoder, LazyEncoder, configured_encoder
from matcher.engine import Matcher
from matcher.errors import BuildError, ConfigError
from matcher.serving import CurrentMatcher
from matcher.store import utcnow

EXTENSION = "matcher"


@dataclass
class Services:
    """What the views call: built once per app (so once per worker)."""

    settings: Settings
    sessions: sessionmaker[Session]
    current: CurrentMatcher
    clock: Callable[[], datetime] = utcnow
    on_build: Callable[[str], None] = lambda build_id: None
    _fallback_encoder: Encoder | None = field(default=None, repr=False)

    def matcher(self) -> Matcher:
        """The matcher of the current build (BuildError when there is none)."""
        matcher = self.current.get()
        self.on_build(matcher.build_id)
        return matcher

    def preload(self) -> None:
        """Load the current build and its encoder now, so a worker's first request waits for
        neither (the model takes seconds to load, which each worker's first post or search
        waited for)."""
        try:
            encoder = self.matcher().encoder
        except BuildError as exc:
            current_app.logger.warning("no model build loaded yet: %s", exc)
            return
        if isinstance(encoder, LazyEncoder):
            try:
                encoder.load()
            except ConfigError as exc:  # the worker still serves what needs no encoder
                current_app.logger.error("encoder not loaded: %s", exc)

    def encoder(self) -> Encoder:
        """The encoder new texts are written with: the current build's, else the configured one."""
        try:
            return self.matcher().encoder or self._configured_encoder()
        except BuildError:
            return self._configured_encoder()

    def store_answers(self) -> bool:
        """Whether the store answers a trivial query."""
        try:
            with self.sessions() as session:
                session.execute(text("SELECT 1"))
        except Exception:  # any driver error means "not ready"
            current_app.logger.exception("the store does not answer")
            return False
        return True

    def _configured_encoder(self) -> Encoder:
        if self._fallback_encoder is None:
            self._fallback_encoder = configured_encoder(self.settings)
        return self._fallback_encoder


def init_app(app: Flask) -> Services:
    """Open the store and the current-build holder for `app`."""
    settings: Settings = app.config["SETTINGS"]
    sessions = open_store(settings, upgrade=bool(app.config["MIGRATE"]))
    extra: dict[str, Any] = {}
    if app.config.get("TEST_CLOCK") is not None:
        extra["clock"] = app.config["TEST_CLOCK"]
    current = CurrentMatcher(
        settings,
        sessions,
        encoder=app.config.get("TEST_ENCODER"),
        check_every=float(app.config["RELOAD_SECONDS"]),
        **extra,
    )
    services = Services(settings, sessions, current, **extra)
    if app.config.get("TEST_ENCODER") is not None:
        services._fallback_encoder = app.config["TEST_ENCODER"]
    app.extensions[EXTENSION] = services
    return services


def after_fork(app: Flask) -> None:
    """In a worker forked from the process that made `app` (gunicorn's `preload_app`): let go
    of the store connections it inherited without closing them, as they are the master's, so
    that the worker opens its own."""
    close_store(app.extensions[EXTENSION].sessions, close=False)


def services() -> Services:
    """The services of the app handling this request."""
    return current_app.extensions[EXTENSION]
