"""Fields of the request schemas: JSON types taken strictly, and the shapes used often."""

from __future__ import annotations

from datetime import UTC

from apiflask.fields import AwareDateTime, Boolean, Float, Integer, List, String
from apiflask.validators import Length

from matcher.domain import MAX_TAGS

MAX_ID_LENGTH = 100
MAX_TAG_LENGTH = 50


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


def external_id(**kw: object) -> String:
    """An id given by the community's site: 1-100 characters."""
    return String(validate=Length(1, MAX_ID_LENGTH), **kw)


def tag_list(**kw: object) -> List:
    """Tags (genres, instruments, skills): short strings, at most MAX_TAGS."""
    return List(String(validate=Length(1, MAX_TAG_LENGTH)), validate=Length(max=MAX_TAGS), **kw)


def when(**kw: object) -> AwareDateTime:
    """A timestamp; one without a zone is UTC."""
    return AwareDateTime(default_timezone=UTC, **kw)
