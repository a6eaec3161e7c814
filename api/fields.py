"""Fields of the request schemas: JSON types taken strictly, and the shapes used often."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apiflask.fields import AwareDateTime, Boolean, Float, Integer, List, String
from apiflask.validators import Length
from marshmallow import ValidationError
from marshmallow.validate import Validator
from werkzeug.routing import BaseConverter

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


class JsonFloat(Float):
    """A number of a JSON body: 1 or 1.5, not "1.5" or true."""

    def _deserialize(self, value: object, attr: str | None, data: object, **kw: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kw)


class Storable(Validator):
    """Refuses a text the store may not hold: control characters, and line breaks in a
    one-line value (`matcher.domain.text_problem`, as imports check it)."""

    def __init__(self, *, one_line: bool = True) -> None:
        self.one_line = one_line

    def __call__(self, value: str) -> str:
        problem = text_problem(value, one_line=self.one_line)
        if problem is not None:
            raise ValidationError(f"The text {problem}.")
        return value


class InYears(Validator):
    """Refuses a time outside the years the store holds (`matcher.domain.time_problem`)."""

    def __call__(self, value: datetime) -> datetime:
        problem = time_problem(value)
        if problem is not None:
            raise ValidationError(f"The {problem}.")
        return value


def line(max_length: int, min_length: int = 0, **kw: Any) -> String:
    """One line of text (a name, a town, an address): no line breaks or control characters."""
    return _text(max_length, min_length, one_line=True, **kw)


def prose(max_length: int, min_length: int = 0, **kw: Any) -> String:
    """Free text (a bio, a post): line breaks allowed, control characters not."""
    return _text(max_length, min_length, one_line=False, **kw)


def _text(max_length: int, min_length: int, *, one_line: bool, **kw: Any) -> String:
    forbidden = NOT_IN_A_LINE if one_line else NOT_IN_TEXT
    metadata = {"pattern": f"^[^{forbidden}]*$", **kw.pop("metadata", {})}
    validate = [Length(min_length, max_length), Storable(one_line=one_line)]
    return String(validate=validate, metadata=metadata, **kw)


class StorableId(Validator):
    """Refuses an id the store may not hold (`matcher.domain.id_problem`, as imports check it)."""

    def __call__(self, value: str) -> str:
        problem = id_problem(value)
        if problem is not None:
            raise ValidationError(f"The id {problem}.")
        return value


def external_id(**kw: Any) -> String:
    """An id given by the community's site: 1-100 characters on one line, no '/'."""
    metadata = {"pattern": f"^[^{NOT_IN_A_LINE}{ID_FORBIDDEN}]*$", **kw.pop("metadata", {})}
    return String(validate=[Length(1, MAX_ID_LENGTH), StorableId()], metadata=metadata, **kw)


class StorableTag(Validator):
    """Refuses a tag the store may not hold (`matcher.domain.tag_problem`, as imports check it)."""

    def __call__(self, value: str) -> str:
        problem = tag_problem(value)
        if problem is not None:
            raise ValidationError(f"The tag {problem}.")
        return value


def tag_list(**kw: object) -> List:
    """Tags (genres, instruments, skills): short strings, at most MAX_TAGS."""
    tag = String(
        validate=[Length(1, MAX_TAG_LENGTH), StorableTag()],
        metadata={"pattern": f"^[^{NOT_IN_A_LINE}{TAG_SEPARATOR}]*$"},
    )
    return List(tag, validate=Length(max=MAX_TAGS), **kw)


def when(**kw: Any) -> AwareDateTime:
    """A timestamp; one without a zone is UTC."""
    first, last = YEARS
    years = "|".join(str(y) for y in range(first // 100, last // 100))
    metadata = dict(kw.pop("metadata", {}))
    said = metadata.get("description", "")
    metadata["description"] = f"{said} An ISO 8601 time, in the years {first} to {last}.".strip()
    metadata["pattern"] = f"^(({years})\\d\\d|{last})-"  # what InYears checks
    return AwareDateTime(default_timezone=UTC, validate=InYears(), metadata=metadata, **kw)


class IdConverter(BaseConverter):
    """An id in a URL path: what an id may be, else the route is not found (a 404), so that
    no lookup is made with characters the store cannot hold."""

    regex = f"[^{ID_FORBIDDEN}{NOT_IN_A_LINE}]{{1,{MAX_ID_LENGTH}}}"
