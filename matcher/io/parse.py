"""Parsers of single cells of an import file; each returns the value, None when empty, or `Bad`."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

from matcher.choices import unknown_choice
from matcher.domain import (
    EMAIL_ADDRESS,
    MAX_EMAIL_LENGTH,
    TAG_SEPARATOR,
    id_problem,
    iso_time_text,
    tag_problem,
    text_problem,
    time_problem,
    wire_address,
)

# Also as a spreadsheet in a French, German or Portuguese locale writes TRUE and FALSE, and
# the yes and no of a bilingual community's consent column.
# As people and spreadsheets write them in English, French, German and Portuguese.
TRUE_WORDS = frozenset({"true", "yes", "1", "y", "t", "vrai", "oui", "wahr", "ja"})
TRUE_WORDS |= {"verdadeiro", "sim"}
FALSE_WORDS = frozenset({"false", "no", "0", "n", "f", "faux", "non", "falsch", "nein"})
FALSE_WORDS |= {"falso", "não", "nao"}


class Bad(str):
    """A cell that could not be parsed; the string is the reason."""


def shown(value: Any) -> str:
    """A cell as its file wrote it, for a message: text quoted, other JSON values as JSON
    (true, {"a": 1}), not as Python (True, {'a': 1})."""
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


Parser = Callable[[Any], Any]


def is_empty(value: Any) -> bool:
    """Whether a cell holds nothing: None, NaN/NaT/NA, or blank text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | np.ndarray):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def text(
    value: Any,
    max_length: int | None = None,
    *,
    one_line: bool = True,
    problem: Callable[[str], str | None] | None = None,
) -> Any:
    """Stripped text (numbers become their digits), checked against `max_length` and for
    characters it may not hold (line breaks too, when `one_line`), or by `problem` (one of
    `matcher.domain`'s checks) when given."""
    if is_empty(value):
        return None
    if isinstance(value, bool | np.bool_):
        return Bad(f"expected text, got {shown(value)}")
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    if isinstance(value, dict):
        return Bad("expected text, got an object")
    if isinstance(value, list | tuple | np.ndarray):
        return Bad("expected text, got a list")
    out = str(value).strip()
    if max_length is not None and len(out) > max_length:
        return Bad(f"longer than {max_length} characters ({len(out)})")
    found = problem(out) if problem is not None else text_problem(out, one_line=one_line)
    return out if found is None else Bad(found)


def identifier(max_length: int) -> Parser:
    """A parser of ids: one line of text without '/' (`matcher.domain.id_problem`)."""
    return lambda value: text(value, max_length, problem=id_problem)


def texts(max_length: int, *, one_line: bool = True) -> Parser:
    """A text parser with a length limit (of one line, unless `one_line` is False)."""
    return lambda value: text(value, max_length, one_line=one_line)


def choice(options: tuple[str, ...]) -> Parser:
    """A parser accepting one of `options`: case and surrounding blanks ignored, and spaces or
    hyphens between words read as the underscore ("Session musician": session_musician)."""
    allowed = frozenset(options)

    def parse(value: Any) -> Any:
        written = text(value)
        if written is None or isinstance(written, Bad):
            return written
        word = "_".join(written.lower().replace("-", " ").split())
        if word not in allowed:
            return Bad(unknown_choice(word, options, written=written))
        return word

    return parse


def number(low: float, high: float) -> Parser:
    """A parser of a finite number within [low, high]."""

    def parse(value: Any) -> Any:
        if is_empty(value):
            return None
        if isinstance(value, bool | np.bool_):
            return Bad(f"not a number: {shown(value)}")
        try:
            written = _decimal_point(value.strip(), low, high) if isinstance(value, str) else value
            out = float(written)
        except (TypeError, ValueError):
            return Bad(f"not a number: {shown(value)}")
        if not math.isfinite(out):
            return Bad(f"not a number: {shown(value)}")
        if not low <= out <= high:
            return Bad(f"{out:g} is out of range [{low:g}, {high:g}]")
        return out

    return parse


def _decimal_point(written: str, low: float, high: float) -> str:
    """A number with one decimal comma and no point, as a French or German spreadsheet writes
    `45,5017`, with a point, where the range allowed is below 1,000 either side (a latitude or
    longitude): there a thousands comma ("1,500") would be out of range anyway."""
    if max(abs(low), abs(high)) < 1000 and written.count(",") == 1 and "." not in written:
        return written.replace(",", ".")
    return written


MAX_COUNT = 10_000


def count(value: Any) -> Any:
    """A whole number from 0 to MAX_COUNT."""
    if is_empty(value):
        return None
    if isinstance(value, bool | np.bool_):
        return Bad(f"not a whole number: {shown(value)}")
    try:
        out = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return Bad(f"not a whole number: {shown(value)}")
    if not math.isfinite(out) or not out.is_integer():
        return Bad(f"not a whole number: {shown(value)}")
    if out < 0:
        return Bad(f"must not be negative ({int(out)})")
    if out > MAX_COUNT:
        return Bad(f"more than {MAX_COUNT:,}")
    return int(out)


def boolean(value: Any) -> Any:
    """true/false, yes/no, 1/0 or the first letters t/f, y/n (any case), or one of the other
    languages' TRUE_WORDS and FALSE_WORDS (vrai/faux, oui/non, wahr/falsch, ja/nein, ...)."""
    if is_empty(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    word = unicodedata.normalize("NFC", str(value)).strip().lower()  # "não" as a Mac writes it
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return Bad(
        f"not a boolean: {shown(value)} (use true/false, yes/no, y/n or 1/0; oui/non, "
        "vrai/faux, ja/nein, sim/não are read too)"
    )


def timestamp(value: Any) -> Any:
    """An ISO 8601 time as an aware UTC datetime; a time without a zone is UTC."""
    if is_empty(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.floor("us").to_pydatetime()
    if isinstance(value, datetime):
        out = value
    elif isinstance(value, date):
        out = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            out = datetime.fromisoformat(iso_time_text(value))
        except ValueError:
            return Bad(f"not an ISO 8601 date/time: {shown(value)}{_date_hint(value)}")
    else:
        return Bad(f"not an ISO 8601 date/time: {shown(value)}")
    try:
        out = out.replace(tzinfo=UTC) if out.tzinfo is None else out.astimezone(UTC)
    except OverflowError:  # year 1 with a zone east of UTC, or 9999 west of it
        return Bad(time_problem(out) or f"out of range: {shown(value)}")
    problem = time_problem(out)  # in UTC, as stored
    return out if problem is None else Bad(problem)


def _date_hint(written: str) -> str:
    """How to write a time that is not ISO 8601; for a day/month/year date as a spreadsheet
    writes it (03/02/2025), the dates it may be, since the order of day and month is not known
    (3 February in Montréal's French, 2 March in its English)."""
    found = re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b.*", written, flags=re.DOTALL)
    if found is None:
        return " (write it year first: 2026-01-05, or 2026-01-05T12:00:00Z)"
    first, second, year = (int(part) for part in found.groups())
    readings = sorted(
        {str(d) for d in map(_day, [(year, second, first), (year, first, second)]) if d}
    )
    if len(readings) == 1:
        return f" (write it year first: {readings[0]})"
    return (
        f" (write it year first: {' or '.join(readings) or 'YYYY-MM-DD'}; in a spreadsheet, "
        "format the column as YYYY-MM-DD before saving it)"
    )


def _day(parts: tuple[int, int, int]) -> date | None:
    """The date of (year, month, day), or None when there is no such day (30 February)."""
    try:
        return date(*parts)
    except ValueError:
        return None


def tags(value: Any) -> Any:
    """A list of tags, from a list or a `;`-separated string; blanks dropped."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        items = value
    elif is_empty(value):
        return None
    elif isinstance(value, str):
        items = value.split(TAG_SEPARATOR)
    else:
        return Bad(f"expected tags as a list or a ';'-separated string, got {shown(value)}")
    out: list[str] = []
    for item in items:
        if isinstance(item, list | tuple | dict):
            return Bad("a tag must be text")
        word = "" if is_empty(item) else str(item).strip()
        problem = tag_problem(word, in_list=isinstance(value, list | tuple))
        if problem is not None:
            return Bad(f"tag {word!r} {problem}")
        if word:
            out.append(word)
    return out


def email(value: Any) -> Any:
    """An e-mail address of the plain `name@domain.tld` shape."""
    out = text(value, MAX_EMAIL_LENGTH)
    if out is None or isinstance(out, Bad):
        return out
    if not EMAIL_ADDRESS.fullmatch(out):
        return Bad(f"not an e-mail address: {out!r}")
    try:
        wire_address(out)
    except ValueError as exc:
        return Bad(str(exc))
    return out
