"""The matcher of `models/current`, swapped for a new one when a new build is switched in."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from matcher import artifacts
from matcher.config import Settings
from matcher.embed import Encoder, LazyEncoder
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.store import utcnow

log = logging.getLogger(__name__)


class CurrentMatcher:
    """Hands out the matcher of the current build; requests in flight keep the one they got."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        encoder: Encoder | None = None,
        check_every: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.encoder = encoder
        self.check_every = check_every
        self.clock = clock
        self._lock = threading.Lock()
        self._matcher: Matcher | None = None
        self._target: str | None = None
        self._checked = 0.0

    def get(self) -> Matcher:
        """The current matcher, loading a newer build first if `models/current` moved."""
        now = time.monotonic()
        if self._matcher is not None and now - self._checked < self.check_every:
            return self._matcher
        with self._lock:
            self._checked = now
            target = os.path.realpath(self.settings.models_dir / artifacts.CURRENT)
            if self._matcher is None or target != self._target:
                try:
                    index = BuildIndex.load(self.settings.models_dir)
                except Exception as exc:  # whatever is wrong with it, serve the one we have
                    if self._matcher is None:
                        raise  # nothing to serve yet: the caller says why (503)
                    # A new build that cannot be loaded (incompatible, half-copied by hand):
                    # keep serving the one loaded, and try again at the next check.
                    log.error(
                        "cannot load build %s, still serving %s: %s", target, self._target, exc
                    )
                    return self._matcher
                self._matcher = Matcher(
                    index,
                    self.sessions,
                    self.settings,
                    encoder=self._encoder_for(index),
                    clock=self.clock,
                )
                self._target = target
            return self._matcher

    @property
    def loaded(self) -> bool:
        """Whether a build has been loaded."""
        return self._matcher is not None

    def _encoder_for(self, index: BuildIndex) -> Encoder:
        encoder = index.manifest["encoder"]
        if self.encoder is not None and self.encoder.name == encoder["name"]:
            return self.encoder
        self.encoder = LazyEncoder(encoder["name"], int(encoder["dim"]), self.settings)
        return self.encoder
