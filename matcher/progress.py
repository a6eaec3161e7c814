"""Progress reporting for long work: the library reports steps, the caller shows them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Protocol

Advance = Callable[[int], None]


class Reporter(Protocol):
    """Something that shows the progress of named tasks."""

    def task(self, description: str, total: int | None) -> Advance: ...


class Silent:
    """Reports nothing (tests, libraries called from other code)."""

    def task(self, description: str, total: int | None) -> Advance:
        return lambda n=1: None


class RichReporter:
    """Rich progress bars on stderr, one per task."""

    def __init__(self, progress: object) -> None:
        self.progress = progress

    def task(self, description: str, total: int | None) -> Advance:
        task_id = self.progress.add_task(description, total=total)
        return lambda n=1: self.progress.advance(task_id, n)


class LineReporter:
    """Progress as plain lines, for a log (cron, CI, a notebook: no terminal to redraw a bar
    in): each task's start, every tenth of the way, and the time it has taken."""

    STEPS = 10

    def __init__(self, console: object, clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console
        self.clock = clock

    def task(self, description: str, total: int | None) -> Advance:
        started = self.clock()
        done, shown = 0, 0
        self._line(f"{description}: started" + (f", {total} to do" if total else ""))

        def advance(n: int = 1) -> None:
            nonlocal done, shown
            done += n
            step = min(self.STEPS, done * self.STEPS // total) if total else 0
            if step > shown:
                shown = step
                elapsed = timedelta(seconds=round(self.clock() - started))
                self._line(f"{description}: {done}/{total} ({done / total:.0%}) in {elapsed}")

        return advance

    def _line(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def rich_progress(console: object | None = None) -> Iterator[Reporter]:
    """Progress for the duration of the block: live rich bars on a terminal, plain lines
    (`LineReporter`) when the console writes to a log."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield LineReporter(console)
        return
    with Progress(*columns, console=console, transient=False) as progress:
        yield RichReporter(progress)
