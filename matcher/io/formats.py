"""Reading and writing the import files (CSV, JSON, JSONL) as three DataFrames."""

from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher.errors import Conflict, RowProblem
from matcher.files import write_private
from matcher.io.parse import is_empty
from matcher.io.schema import ABSENT, COLUMNS, ENTITIES, FILE, REQUIRED, ROW, entity_of, format_of


@dataclass
class Frames:
    """Members, posts and interactions in the file format, with the files they came from.

    Frames read from files also carry `_file` and `_row` columns (where each row came from) and
    the problems met while reading; frames made in code need only the format's columns.
    """

    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    posts: pd.DataFrame = field(default_factory=pd.DataFrame)
    interactions: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    # The columns each file has (by file name): a column a file leaves out is not given, so
    # the import keeps what is stored. Frames made in code: the frame's own columns.
    columns_of: dict[str, frozenset[str]] = field(default_factory=dict)
    # Files of a folder in an import format whose names say nothing of what they hold.
    unread: list[str] = field(default_factory=list)
    # The ids of the rows of each entity that could not be read (a record that does not fit
    # the CSV header); None where they are not known (a quote never closed, a line that is no
    # JSON): a reference to one of them is not "unknown", the row is.
    unread_ids: dict[str, set[str] | None] = field(default_factory=dict)

    def frame(self, entity: str) -> pd.DataFrame:
        """The frame of `entity` (members, posts or interactions)."""
        return getattr(self, entity)

    def counts(self) -> dict[str, int]:
        """How many rows of each entity."""
        return {e: len(self.frame(e)) for e in ENTITIES}


def read_files(paths: Iterable[Path | str]) -> Frames:
    """Read import files and folders (every `members*`, `posts*`, `interactions*` file in one)."""
    parts: dict[str, list[pd.DataFrame]] = {e: [] for e in ENTITIES}
    frames = Frames()
    for path in _expand(paths, frames.problems, frames.unread):
        name = str(path)
        frames.sources.append(name)
        entity = entity_of(path)
        unread: set[str] | None = set()
        try:
            frame, unread = _read(path, name, frames.problems)
        except UnicodeDecodeError:
            frames.problems.append(RowProblem(name, 0, "file", _not_utf8(path)))
            continue
        except (OSError, ValueError) as exc:  # unreadable, not CSV/JSON
            frames.problems.append(RowProblem(name, 0, "file", f"cannot read the file: {exc}"))
            continue
        assert entity is not None
        if unread != set():
            known = frames.unread_ids.get(entity, set())
            frames.unread_ids[entity] = None if known is None or unread is None else known | unread
        # A JSON file of no rows names no columns, and misses none.
        has_header = format_of(path) == "csv" or len(frame) > 0
        missing = sorted(REQUIRED[entity] - set(frame.columns)) if has_header else []
        for column in missing:
            reason = "required column missing" + _header_hint(frame.columns, column)
            frames.problems.append(RowProblem(name, 0, column, reason))
        for found, column in _miswritten(frame.columns, entity):  # else ignored: data lost
            reason = f"the header has {found!r}: write it {column!r}, lower case, no spaces"
            frames.problems.append(RowProblem(name, 0, column, reason))
        frames.columns_of[name] = frozenset(str(c) for c in frame.columns) - {ROW, ABSENT}
        frame[FILE] = name
        parts[entity].append(frame)
    for entity, found in parts.items():
        if found:
            setattr(frames, entity, pd.concat(found, ignore_index=True).astype(object))
    return frames


def _not_utf8(path: Path) -> str:
    """Why a file could not be read as UTF-8, and how to save it so."""
    with open(path, "rb") as file:
        start = file.read(2)
    if start in (b"\xff\xfe", b"\xfe\xff"):
        what = "the file is UTF-16 (a 'Unicode text' export?)"
    else:
        what = "the file is not UTF-8 (a Latin-1 or Windows file?)"
    how = "a spreadsheet's 'CSV UTF-8' format" if format_of(path) == "csv" else "your editor"
    return f"{what}: save it as UTF-8, e.g. with {how}"


def _miswritten(found: Iterable[object], entity: str) -> list[tuple[str, str]]:
    """(header name, column) of the optional columns written in another case or with spaces
    (required ones are named as missing, with the same hint)."""
    names = {str(c) for c in found}
    return [
        (name, name.strip().casefold())
        for name in sorted(names - set(COLUMNS[entity]))
        if name.strip().casefold() in set(COLUMNS[entity]) - REQUIRED[entity] - names
    ]


def _header_hint(found: Iterable[object], column: str) -> str:
    """Why a required column was not found: what the header has, and the likely slip."""
    names = [str(c) for c in found if c != ROW]
    for name in names:
        if name != column and name.strip().casefold() == column:
            return f" (the header has {name!r}: write it {column!r}, lower case, no spaces)"
    shown = ", ".join(repr(n) for n in names[:12]) + (", ..." if len(names) > 12 else "")
    return f" (the header has: {shown or 'nothing'})"


def _expand(
    paths: Iterable[Path | str], problems: list[RowProblem], unread: list[str]
) -> list[Path]:
    """The files to read, each once, in the order given (a folder's files sorted by name);
    `unread` gets a folder's CSV and JSON files whose names say nothing of what they hold."""
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file())
            found = [p for p in files if entity_of(p)]
            unread.extend(str(p) for p in files if format_of(p) and not entity_of(p))
            if not found:
                problems.append(
                    RowProblem(str(path), 0, "file", "no members/posts/interactions files here")
                )
            out.extend(found)
        elif not path.exists():
            problems.append(RowProblem(str(path), 0, "file", "no such file or folder"))
        elif entity_of(path) is None:
            problems.append(
                RowProblem(
                    str(path),
                    0,
                    "file",
                    "cannot tell what it holds: name it members*, posts* or interactions* "
                    "with .csv, .json or .jsonl",
                )
            )
        else:
            out.append(path)
    unique: dict[Path, Path] = {}
    for path in out:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _read(
    path: Path, name: str, problems: list[RowProblem]
) -> tuple[pd.DataFrame, set[str] | None]:
    """The rows of a file, and the ids of those that could not be read (None: not known)."""
    fmt = format_of(path)
    if fmt == "csv":
        return _read_csv(path, name, problems)
    unread: set[str] | None = set()
    if fmt == "json":
        text = path.read_text(encoding="utf-8-sig")
        if not text.strip():
            raise ValueError("the file is empty (a JSON file of no rows holds [])")
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("expected a JSON array of objects")
        records = list(enumerate(data, start=1))
    else:
        records = []
        # Lines end at "\n" only: str.splitlines() would also split at U+2028 and the like,
        # which JSON strings may hold as they are.
        lines = path.read_text(encoding="utf-8-sig").split("\n")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                problems.append(RowProblem(name, number, "-", f"not valid JSON: {exc}"))
                unread = None
    kept = []
    for number, record in records:
        if isinstance(record, dict):
            kept.append({**record, ROW: number})
        else:
            problems.append(RowProblem(name, number, "-", "expected a JSON object"))
            unread = None
    keys = set().union(*kept) - {ROW} if kept else set()
    for record in kept:  # a key one object leaves out is not given for that object
        record[ABSENT] = frozenset(keys - record.keys())
    frame = pd.DataFrame(kept, dtype=object) if kept else pd.DataFrame({ROW: []}, dtype=object)
    return frame, unread


CSV_FIELD_LIMIT = 2**31 - 1


def _read_csv(
    path: Path, name: str, problems: list[RowProblem]
) -> tuple[pd.DataFrame, set[str] | None]:
    """All cells as text; `_row` is the line each record starts on (the header is line 1).

    A record that does not fit the header (more or fewer cells than it has; a quote never
    closed) is a problem and is not read: pandas would shift its cells or skip it, and the
    problems of the rows after it would be misnumbered. The records that fit are read as the
    csv module splits them (after a quote never closed, none: where the next record starts is
    not known), so their own problems are found in the same run. With the frame, the ids of
    the records not read (their first cell, when the header starts with `id`; else None, as
    after a quote never closed).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                sep=_delimiter(path),
                index_col=False,
                on_bad_lines="warn",  # skipped, and found below
            )
        except pd.errors.EmptyDataError as exc:
            raise ValueError("the file is empty (no header line)") from exc
        except pd.errors.ParserError as exc:  # a quote never closed, most likely
            misfits, fitting, unread = _csv_records(path, name, strict=True, keep=True)
            if not misfits:
                raise ValueError(str(exc)) from exc
            frame = None
        else:
            misfits, _, unread = _csv_records(path, name)
            if misfits:  # rare: read again, keeping the records that fit this time
                _, fitting, _ = _csv_records(path, name, keep=True)
    header = _header(path)
    for column in sorted({c for c in header if header.count(c) > 1}):
        problems.append(RowProblem(name, 1, column, f"the header names {column!r} more than once"))
    if misfits or frame is None:
        problems.extend(misfits)
        cells = [record for _, record in fitting]
        frame = pd.DataFrame(cells, columns=range(len(header)), dtype=object)
        frame.columns = header  # as pandas names them: a name given twice keeps both
        frame[ROW] = [line for line, _ in fitting]
        frame = frame.loc[:, ~frame.columns.duplicated()]
    else:
        frame = frame.astype(object)
        # A record spans one line plus the line breaks inside its quoted cells.
        breaks = np.zeros(len(frame), dtype=np.int64)
        for column in frame.columns:
            breaks += frame[column].str.count("\n").to_numpy(dtype=np.int64)
        frame[ROW] = 2 + np.arange(len(frame)) + np.concatenate(([0], np.cumsum(breaks)[:-1]))
    blank = frame.drop(columns=[ROW]).apply(lambda c: c.str.strip() == "").all(axis=1)
    return frame[~blank].reset_index(drop=True), unread


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle, delimiter=_delimiter(path)), [])


_SEPARATOR_NAME = {",": "comma", ";": "semicolon"}


def _delimiter(path: Path) -> str:
    """`;` for a file whose header line holds more semicolons than commas outside its quoted
    cells (as a spreadsheet in a French, German or Portuguese locale saves CSV, where a
    header cell may quote a comma), else `,`."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        first = handle.readline()
    unquoted = "".join(first.split('"')[::2])  # "" inside a quoted cell opens and closes one
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def _csv_records(
    path: Path, name: str, strict: bool = False, keep: bool = False
) -> tuple[list[RowProblem], list[tuple[int, list[str]]], set[str] | None]:
    """The records of a CSV file that do not fit its header, as problems by the line they
    start on: those with more or fewer cells than the header (a short row would clear the
    stored values of the columns it leaves out), and (`strict`) the first one the csv module
    cannot read; the records that fit, with their lines (`keep`; else none: a file that
    fits is read by pandas); and the ids of those that do not (None when not known)."""
    # No limit on a cell's length here (the csv module's is 128 KiB, for the whole process:
    # given back after): a cell too long for its field is the validation's to report, by
    # name ("text: longer than ..."), not a misfit.
    limit = csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    try:
        return _read_records(path, name, strict, keep)
    finally:
        csv.field_size_limit(limit)


def _read_records(
    path: Path, name: str, strict: bool, keep: bool
) -> tuple[list[RowProblem], list[tuple[int, list[str]]], set[str] | None]:
    out, fitting = [], []
    ids: set[str] | None = set()
    delimiter = _delimiter(path)
    quote = '"Leeds, UK"' if delimiter == "," else '"shoegaze; dream pop"'
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=strict)
        header = next(reader, [])
        at = 0 if header[:1] == ["id"] else None  # after a cell a comma shifted: not known
        start = reader.line_num + 1
        try:
            for record in reader:
                if len(record) > len(header):
                    reason = (
                        f"{len(record)} cells, but the header has {len(header)}: a value with a "
                        f"{_SEPARATOR_NAME[delimiter]} in it must be in double quotes ({quote})"
                    )
                    out.append(RowProblem(name, start, "-", reason))
                    ids = _with_id(ids, record, at)
                elif 0 < len(record) < len(header):  # [] is a blank line
                    reason = (
                        f"{len(record)} cells, but the header has {len(header)}: every row "
                        "needs one for each column (an empty cell is two commas in a row)"
                    )
                    out.append(RowProblem(name, start, "-", reason))
                    ids = _with_id(ids, record, at)
                elif record and keep:
                    fitting.append((start, record))
                start = reader.line_num + 1
        except csv.Error as exc:
            reason = (
                f"cannot read this record ({exc}): a double quote opened in it is never "
                'closed, or a quoted value holds a double quote not written twice ("a ""b"" c")'
            )
            out.append(RowProblem(name, start, "-", reason))
            ids = None
    return out, fitting, ids


def _with_id(ids: set[str] | None, record: list[str], at: int | None) -> set[str] | None:
    """`ids` and the id of a record not read, if it has one (else None: not known)."""
    if ids is None or at is None or len(record) <= at:
        return None
    return ids | {record[at].strip()}


def write_files(frames: Frames, folder: Path | str, fmt: str = "csv") -> list[Path]:
    """Write members.<fmt>, posts.<fmt> and interactions.<fmt> into `folder`, each atomically."""
    if fmt not in ("csv", "json", "jsonl"):
        raise ValueError(f"unknown format {fmt!r}; expected csv, json or jsonl")
    folder = Path(folder)
    targets = {f"{entity}.{fmt}" for entity in ENTITIES}
    others = (
        sorted(p.name for p in folder.iterdir() if p.is_file() and entity_of(p))
        if folder.is_dir()
        else []
    )
    stale = [name for name in others if name not in targets]
    if stale:
        raise Conflict(
            f"{folder} already holds {', '.join(stale)}: importing the folder would read "
            "them beside the new files. Export into an empty folder, or remove them first."
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for entity in ENTITIES:
        records = _records(frames.frame(entity), COLUMNS[entity])
        target = folder / f"{entity}.{fmt}"
        columns = COLUMNS[entity]
        write_private(target, lambda f, r=records, c=columns: _dump(r, c, fmt, f))
        written.append(target)
    return written


def _records(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    rows = frame[present].astype(object).to_dict("records") if len(frame) else []
    return [{c: _plain(row.get(c)) for c in columns} for row in rows]


def _plain(value: Any) -> Any:
    """A cell as a JSON value: ISO 8601 UTC times, Python numbers and lists, None for empty."""
    if isinstance(value, np.ndarray | tuple):
        value = list(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    if is_empty(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.floor("us").to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dump(records: list[dict[str, Any]], columns: tuple[str, ...], fmt: str, handle: Any) -> None:
    if fmt == "csv":
        frame = pd.DataFrame(
            [{k: _csv_cell(v) for k, v in r.items()} for r in records], columns=list(columns)
        )
        frame.to_csv(handle, index=False, lineterminator="\n")
    elif fmt == "json":
        json.dump(records, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    else:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
