"""Unsubscribing from the weekly email by its signed link; needs no key.

The email's link opens `/unsubscribe?token=...`, a page that asks before it unsubscribes:
link scanners and previews fetch every link of an email, and a GET must not unsubscribe
anyone. Its button, and mail clients' one-click unsubscribe (RFC 8058's List-Unsubscribe-Post,
sent to `/v1/unsubscribe`), POST. `GET /v1/unsubscribe` only says whom a token names and
whether they still get the email, for a community's site that shows its own page.
"""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, current_app, redirect, render_template, request, url_for
from marshmallow import RAISE

from api.schemas import Unsubscribed, UnsubscribeQuery
from api.services import services
from matcher import community
from matcher.errors import ConfigError, MatcherError, NotFound
from matcher.unsubscribe import read_token

bp = APIBlueprint("unsubscribe", __name__, url_prefix="/v1", tag="Email")
page = APIBlueprint("unsubscribe_page", __name__, enable_openapi=False)
STILL_SUBSCRIBED = "Still subscribed: POST to this URL (the email's button) to stop the emails."
UNSUBSCRIBED = "You will get no more weekly emails. You can opt in again on the site."
CLOSED = "This membership is closed: it gets no weekly emails."


def _unsubscribe(token: str) -> dict:
    s = services()
    member_id = read_token(s.settings.secret_key, token)
    community.unsubscribe(s.sessions, member_id, clock=s.clock)
    return {"member_id": member_id, "email_consent": False, "message": UNSUBSCRIBED}


def _status(token: str) -> dict:
    s = services()
    member_id = read_token(s.settings.secret_key, token)
    with s.sessions() as session:
        member = community.get_member(session, member_id)
        consent = bool(member.email_consent) and bool(member.active)
        name = member.name
    message = STILL_SUBSCRIBED if consent else UNSUBSCRIBED if member.active else CLOSED
    return {"member_id": member_id, "email_consent": consent, "message": message, "name": name}


@bp.get("/unsubscribe")
@bp.input(UnsubscribeQuery, location="query", arg_name="query", unknown=RAISE)
@bp.output(Unsubscribed)
@bp.doc(
    responses={
        302: {
            "description": "A browser (preferring HTML) is sent to the page that asks: "
            "/unsubscribe?token=... (`Location`; no JSON body)",
            "content": {"text/html": {"schema": {"type": "string"}}},
            "headers": {
                "Location": {
                    "description": "The page that asks",
                    "schema": {"type": "string"},
                }
            },
        },
        404: "The member no longer exists",
        503: "No secret key is configured",
    }
)
def unsubscribe_status(query: dict) -> dict | Response:
    """Whom an unsubscribe link names

    The member the signed token names and whether they still get the weekly email. Changes
    nothing: POST to the same URL unsubscribes. A browser (one that prefers HTML), following
    an email's link from before the page existed, is sent to the page that asks.
    """
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return redirect(url_for("unsubscribe_page.unsubscribe_page", token=query["token"]))
    return _status(query["token"])


@bp.post("/unsubscribe")
@bp.input(UnsubscribeQuery, location="query", arg_name="query", unknown=RAISE)
@bp.output(Unsubscribed)
@bp.doc(responses={404: "The member no longer exists", 503: "No secret key is configured"})
def unsubscribe_one_click(query: dict) -> dict:
    """Unsubscribe

    Stop the weekly email for the member the signed token names: the button of the email's
    unsubscribe page, and mail clients' one-click unsubscribe (RFC 8058).
    """
    return _unsubscribe(query["token"])


@page.route("/unsubscribe", methods=["GET", "POST"])
def unsubscribe_page() -> tuple[str, int]:
    """The page the email links to: asks, then (on its button's POST) unsubscribes."""
    token = request.args.get("token", "")
    organiser = services().settings.organiser_name
    try:
        if request.method == "POST":
            done = _unsubscribe(token)
            return render_template("unsubscribe.html", done=True, organiser=organiser, **done), 200
        status = _status(token)
    except ConfigError as exc:  # no secret key: the service's fault, not the member's link
        current_app.logger.error("unsubscribe page: %s", exc)
        return render_template("unsubscribe.html", unavailable=True, organiser=organiser), 503
    except MatcherError as exc:  # a damaged link (400), a member gone (404, as the API says)
        status = 404 if isinstance(exc, NotFound) else 400
        return render_template("unsubscribe.html", error=str(exc), organiser=organiser), status
    return render_template("unsubscribe.html", token=token, organiser=organiser, **status), 200
