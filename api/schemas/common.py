"""What every endpoint shares: the error, the base of query strings, pages of a list, and
the header that makes a create safe to retry."""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import Dict, Integer, String
from apiflask.validators import Range
from marshmallow import ValidationError, pre_load
from webargs.multidictproxy import MultiDictProxy

from api.fields import QueryInteger, line
from matcher.domain import MAX_MATCH_LIMIT
from matcher.idempotency import MAX_KEY_LENGTH


class Error(Schema):
    """Every error: the status code, its name, what went wrong and, if known, which field."""

    code = Integer(required=True, metadata={"example": 404})
    message = String(required=True, metadata={"example": "Not Found"})
    description = String(required=True, metadata={"example": "no member 'm-404'"})
    field = String(
        metadata={
            "description": "The field at fault: one that was invalid (422); one that names "
            "what does not exist (404) or clashes with what is stored (409: an id taken, a "
            "closed member), when the request sent it."
        }
    )
    errors = Dict(
        metadata={
            "description": "Every invalid field by where it was sent (json, query, headers, path),"
            " each with its problems: as `field`."
        }
    )


class Query(Schema):
    """Parameters of a query string, each given once: the base of every query schema."""

    @pre_load
    def _each_once(self, data: Any, **kwargs: Any) -> Any:
        # webargs reads only the first value of a repeated parameter (?tag=bass&tag=drums
        # would filter by bass alone): refuse the request instead, naming the parameter.
        # Unknown parameters are left to the schema (unknown=RAISE).
        if isinstance(data, MultiDictProxy):
            known = {field.data_key or name for name, field in self.load_fields.items()}
            repeated = {
                key: [f"Sent {n} times; it takes one value."]
                for key in data.data
                if key in known
                and key not in data.multiple_keys
                and (n := len(data.data.getlist(key))) > 1
            }
            if repeated:
                raise ValidationError(repeated)
        return data


class Page(Query):
    """Which page of a list."""

    limit = QueryInteger(load_default=50, validate=Range(1, MAX_MATCH_LIMIT))
    offset = QueryInteger(load_default=0, validate=Range(0, 10_000_000))


class PageOf(Schema):
    """A page of a list: how many there are in all, and which page this is."""

    total = Integer(required=True)
    limit = Integer(required=True)
    offset = Integer(required=True)


class IdempotencyHeaders(Schema):
    """The header that makes a create request safe to retry (`matcher.idempotency`)."""

    idempotency_key = line(
        MAX_KEY_LENGTH,
        1,
        data_key="Idempotency-Key",
        metadata={
            "description": "Any 1 to 255 characters on one line, new for each new request: a "
            "repeat under the same key creates nothing new."
        },
    )
