"""The service: health, readiness, the build serving matches, and unsubscribing from the email."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Dict, String
from apiflask.validators import Length

from api.schemas.common import Query


class Health(Schema):
    """The process is up."""

    status = String(required=True)


class Ready(Schema):
    """The store answers and a model build is loaded."""

    status = String(required=True)
    build = String(required=True)


class Model(Schema):
    """The build serving matches: its id, when it was built, what it holds and its metrics."""

    build = String(required=True)
    created_at = String(required=True, metadata={"format": "date-time"})
    encoder = Dict(required=True)
    corpus = Dict(required=True)
    ranker = Dict(required=True)
    metrics = Dict(
        required=True,
        metadata={
            "description": "What serves matches (`served`: ranker or content score) and why:"
            " the MRR of the ranker and of the content score on the most recent labelled needs"
            " (`ranker_validation_mrr` null when too few labels trained none)."
        },
    )
    code = Dict(required=True)


class UnsubscribeQuery(Query):
    """The signed token from the weekly email."""

    token = String(required=True, validate=Length(1, 500))


class Unsubscribed(Schema):
    """Whether the member still gets the weekly email (false once unsubscribed)."""

    member_id = String(required=True)
    email_consent = Boolean(required=True)
    message = String(required=True)
