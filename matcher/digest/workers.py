"""Worker processes for the digest's CPU-bound steps: explaining matches and rendering emails.

Only the main process writes the ledger; workers read the store and the build, and hand
back reasons or message bytes in order. Small jobs stay in the main process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import Any

from matcher.config import Settings
from matcher.digest.content import DigestContent
from matcher.digest.ledger import Explained, ExplainMany, explain_with
from matcher.digest.render import NotRendered, Renderer, emails
from matcher.engine import Matcher

CHUNK = 200  # seekers explained per task
MIN_ITEMS = 2000  # below this many seekers or emails, a pool costs more than it saves

_local: dict[str, Any] = {}  # a worker's own matcher and renderer


def _start(settings: Settings, build_id: str) -> None:
    _local.clear()
    _local.update(settings=settings, build_id=build_id, renderer=Renderer(settings))


def _matcher() -> Matcher:
    if "matcher" not in _local:
        from matcher.db import open_store
        from matcher.index import BuildIndex

        settings = _local["settings"]
        sessions = open_store(settings, upgrade=False)
        index = BuildIndex.load(settings.models_dir, _local["build_id"])
        _local["matcher"] = Matcher(index, sessions, settings)
        _local["fresh"] = False
    return _local["matcher"]


def _explain(asks: Sequence[tuple[str, list[str]]]) -> list[Explained]:
    matcher = _matcher()
    answers = list(explain_with(matcher, refresh_first=not _local["fresh"])(asks))
    _local["fresh"] = True
    return answers


def _render(contents: Sequence[DigestContent], now: datetime) -> list[bytes | NotRendered]:
    return emails(_local["renderer"], contents, now)


class Workers:
    """Explains and renders in `processes` worker processes, or in this one for small jobs."""

    def __init__(self, settings: Settings, processes: int, renderer: Renderer) -> None:
        self.settings = settings
        self.processes = max(1, processes)
        self.renderer = renderer
        self.matcher: Matcher | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=error is None, cancel_futures=True)
            self._pool = None

    def _use_pool(self, items: int) -> ProcessPoolExecutor | None:
        if self.processes < 2 or items < MIN_ITEMS:
            return None
        if self._pool is None:
            build_id = self.matcher.build_id if self.matcher is not None else "current"
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self.settings, build_id),
            )
        return self._pool

    def explain_for(self, matcher: Matcher) -> ExplainMany:
        """Explain with `matcher` (workers load the same build)."""
        self.matcher = matcher
        return self.explain

    def explain(self, asks: Sequence[tuple[str, list[str]]]) -> Iterator[Explained]:
        """The reasons of each ask's pairs, and the posts they answer, in order."""
        pool = self._use_pool(len(asks))
        if pool is None:
            if self.matcher is None:
                raise ValueError("explaining needs a matcher")
            yield from explain_with(self.matcher)(asks)
            return
        chunks = [asks[i : i + CHUNK] for i in range(0, len(asks), CHUNK)]
        for answers in pool.map(_explain, chunks):
            yield from answers

    def render(self, contents: Sequence[DigestContent], now: datetime) -> list[bytes | NotRendered]:
        """Each digest as message bytes (or why not), in order (give it whole batches)."""
        pool = self._use_pool(MIN_ITEMS) if len(contents) >= 2 * self.processes else None
        if pool is None:
            return emails(self.renderer, contents, now)
        size = -(-len(contents) // self.processes)
        parts = [contents[i : i + size] for i in range(0, len(contents), size)]
        return [data for part in pool.map(_render, parts, [now] * len(parts)) for data in part]
