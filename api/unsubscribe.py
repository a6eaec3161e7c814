"""The weekly email's unsubscribe link (and one-click unsubscribe by POST); needs no key."""

from __future__ import annotations

from apiflask import APIBlueprint
from marshmallow import RAISE

from api.schemas import Unsubscribed, UnsubscribeQuery
from api.services import services
from matcher import community
from matcher.unsubscribe import read_token

bp = APIBlueprint("unsubscribe", __name__, url_prefix="/v1", tag="Email")


def _unsubscribe(token: str) -> dict:
    s = services()
    member_id = read_token(s.settings.secret_key, token)
    community.unsubscribe(s.sessions, member_id, clock=s.clock)
    return {
        "member_id": member_id,
        "email_consent": False,
        "message": "You will get no more weekly emails. You can opt in again on the site.",
    }


@bp.get("/unsubscribe")
@bp.input(UnsubscribeQuery, location="query", arg_name="query", unknown=RAISE)
@bp.output(Unsubscribed)
@bp.doc(responses={404: "The member no longer exists", 503: "No secret key is configured"})
def unsubscribe(query: dict) -> dict:
    """Unsubscribe

    Stop the weekly email for the member the signed token names (the link in every email).
    """
    return _unsubscribe(query["token"])


@bp.post("/unsubscribe")
@bp.input(UnsubscribeQuery, location="query", arg_name="query", unknown=RAISE)
@bp.output(Unsubscribed)
@bp.doc(responses={404: "The member no longer exists", 503: "No secret key is configured"})
def unsubscribe_one_click(query: dict) -> dict:
    """Unsubscribe in one click

    The same, for mail clients that unsubscribe by POST (RFC 8058 `List-Unsubscribe-Post`).
    """
    return _unsubscribe(query["token"])
