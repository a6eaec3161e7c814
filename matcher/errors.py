"""The library's own exceptions; callers (CLI, API) map them to messages and status codes."""

from __future__ import annotations

from dataclasses import dataclass


class MatcherError(Exception):
    """Base of every error the library raises on purpose."""


class NotFound(MatcherError):
    """A member, post or build that does not exist; `field` names the input that referred to
    it, when it was not the path."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(MatcherError):
    """A write that clashes with what is stored (a duplicate id, a closed member); `field`
    names the input that clashed, when one did."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInput(MatcherError):
    """Input that breaks a rule of the domain; `field` names what was wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BuildError(MatcherError):
    """A model build that is missing, unreadable or incompatible with this installation."""


class Busy(MatcherError):
    """Another run holds the job this one needs to run alone (e.g. the week's digest)."""


class ConfigError(MatcherError):
    """A setting that cannot be used."""


class Refused(MatcherError):
    """The mail server refused this message for good (e.g. an unknown address)."""


class OutcomeUnknown(MatcherError):
    """The connection failed after the message was handed over: it may have been delivered."""


class Unreachable(MatcherError):
    """The mail server could not be reached or kept failing; the message was not delivered."""


@dataclass(frozen=True)
class RowProblem:
    """One bad row of an import file: where it is and what is wrong with it."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.field}: {self.reason}"


class ImportRejected(MatcherError):
    """An import with bad rows; nothing was written. `warnings`: those of the same files (an
    unknown town, say), which the organiser would otherwise learn of only once the problems
    are fixed."""

    def __init__(self, problems: list[RowProblem], warnings: list[str] | None = None) -> None:
        self.problems = problems
        self.warnings = list(warnings or [])
        rows = len({(p.file, p.row) for p in problems if p.row > 0})
        files = len({p.file for p in problems if p.row <= 0})
        where = [f"{rows} row(s)"] if rows else []
        where += [f"{files} file(s) as a whole"] if files else []
        super().__init__(
            f"{len(problems)} problem(s) in {' and '.join(where) or 'the import'}; "
            "nothing was imported"
        )
