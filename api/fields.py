"""Fields of the request schemas: JSON types taken strictly, and the shapes used often."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC
from functools import partial
from typing import Any

from apiflask.fields import AwareDateTime, Boolean, Float, Integer, List, String
from apiflask.validators import Length, OneOf
from marshmallow import ValidationError
from marshmallow.validate import Validator
from werkzeug.routing import BaseConverter

from matcher.choices import unknown_choice
from matcher.domain import (
    ID_FORBIDDEN,
    MAX_ID_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    NOT_IN_A_LINE,
    NOT_IN_TEXT,
    TAG_SEPARATOR,
    YEARS,
    id_problem,
    iso_time_text,
    tag_problem,
    text_problem,
    time_problem,
)


class JsonBoolean(Boolean):
    """A boolean of a JSON body: only true or false, not 1, "yes" or "true"."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kw: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class JsonInteger(Integer):
    """An integer of a JSON body: 3 or 3.0, not "3" or true."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kw: object) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return super()._deserialize(int(value), attr, data, **kw)


class QueryInteger(Integer):
    """An integer of a query string: ASCII digits, as in ?limit=20 (Python's int() would also
    take "1_0", " 12 " and digits of other scripts, such as "١٢")."""

    DIGITS = re.compile(r"[+-]?[0-9]+")

    def _deserialize(self, value: object, attr: str | None, data: object, **kw: object) -> int:
        if not isinstance(value, str) or not self.DIGITS.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kw)


class JsonFloat(Float):
    """A number of a JSON body: 1 or 1.5, not "1.5" or true."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kw: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kw)


class Checked(Validator):
    """Refuses a value the library's own check finds a problem with (`matcher.domain`'s
    `text_problem`, `id_problem`, `tag_problem`, `time_problem`: imports check the same)."""

    def __init__(self, problem: Callable[[Any], str | None], what: str) -> None:
        self.problem = problem
        self.what = what  # the value, as the message calls it: "The text holds ..."

    def __call__(self, value: Any) -> Any:
        problem = self.problem(value)
        if problem is not None:
            raise ValidationError(f"The {self.what} {problem}.")
        return value


class Choice(OneOf):
    """One of `choices` (a kind, a side, a status); a near miss is named, as imports name it:
    "unknown value 'bnad'; did you mean 'band'? expected one of ..." (`matcher.choices`)."""

    def _format_error(self, value: Any) -> str:
        return unknown_choice(str(value), [str(c) for c in self.choices])


def line(max_length: int, min_length: int = 0, **kw: Any) -> String:
    """One line of text (a name, a town, an address): no line breaks or control characters."""
    return _text(max_length, min_length, partial(text_problem, one_line=True), "text", "", **kw)


def prose(max_length: int, min_length: int = 0, **kw: Any) -> String:
    """Free text (a bio, a post): line breaks allowed, control characters not."""
    check = partial(text_problem, one_line=False)
    return _text(max_length, min_length, check, "text", "", one_line=False, **kw)


# What an id may be (`matcher.domain.id_problem`): no '/' nor what a line may not hold, and no
# dot-segment ('.' or '..'), which a path resolves away.
ID_PATTERN = f"^(?!\\.\\.?$)[^{ID_FORBIDDEN}{NOT_IN_A_LINE}]+$"


def external_id(**kw: Any) -> String:
    """An id given by the community's site: 1-100 characters on one line, no '/', neither
    '.' nor '..'."""
    metadata = {"pattern": ID_PATTERN, **kw.pop("metadata", {})}
    return _text(MAX_ID_LENGTH, 1, id_problem, "id", ID_FORBIDDEN, metadata=metadata, **kw)


def tag_list(**kw: object) -> List:
    """Tags (genres, instruments, skills): short strings, at most MAX_TAGS (said so: Length's
    own "Longer than maximum length 30." reads as of a text)."""
    in_list = partial(tag_problem, in_list=True)
    tag = _text(MAX_TAG_LENGTH, 1, in_list, "tag", TAG_SEPARATOR + ",")
    return List(tag, validate=Length(max=MAX_TAGS, error="At most {max} tags."), **kw)


def _text(
    max_length: int,
    min_length: int,
    problem: Callable[[str], str | None],
    what: str,
    also_forbidden: str,
    *,
    one_line: bool = True,
    **kw: Any,
) -> String:
    """A string field checked by `problem`; its schema's pattern states the characters it
    may not hold (`also_forbidden` beside those of any text, or of one line)."""
    forbidden = (NOT_IN_A_LINE if one_line else NOT_IN_TEXT) + also_forbidden
    metadata = {"pattern": f"^[^{forbidden}]*$", **kw.pop("metadata", {})}
    validate = [Length(min_length, max_length), Checked(problem, what)]
    return String(validate=validate, metadata=metadata, **kw)


class _Time(AwareDateTime):
    """An ISO 8601 time, with RFC 3339's lower-case "t" and "z" (`iso_time_text`)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        text = iso_time_text(value) if isinstance(value, str) else value
        return super()._deserialize(text, attr, data, **kw)


def when(**kw: Any) -> AwareDateTime:
    """A timestamp; one without a zone is UTC."""
    first, last = YEARS
    years = "|".join(str(y) for y in range(first // 100, last // 100))
    metadata = dict(kw.pop("metadata", {}))
    said = metadata.get("description", "")
    metadata["description"] = (
        f"{said} An ISO 8601 time, in the years {first} to {last}; one without a zone is UTC."
    ).strip()
    metadata["pattern"] = f"^(({years})\\d\\d|{last})-"  # what time_problem checks
    check = Checked(time_problem, "time's")
    return _Time(default_timezone=UTC, validate=check, metadata=metadata, **kw)


ID_PARAMETER = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_ID_LENGTH,
    "pattern": ID_PATTERN,
}


def document_ids(spec: dict[str, Any]) -> dict[str, Any]:
    """Say in the spec what an id of a path may be (`IdConverter`): any other is a 404."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"].endswith("_id"):
                    parameter["schema"] = dict(ID_PARAMETER)
    return spec


class IdConverter(BaseConverter):
    """An id in a URL path: what an id may be, else the route is not found (a 404), so that
    no lookup is made with characters the store cannot hold."""

    regex = f"[^{ID_FORBIDDEN}{NOT_IN_A_LINE}]{{1,{MAX_ID_LENGTH}}}"
