"""Progress reporting for long work: the library reports steps, the caller shows them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


@contextmanager
def rich_progress(console: object | None = None) -> Iterator[RichReporter]:
    """A live rich progress display for the duration of the block."""
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
    with Progress(*columns, console=console, transient=False) as progress:
        yield RichReporter(progress)
