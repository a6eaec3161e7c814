"""Helpers of the API tests (no tests here): a tiny community, a build, an app and keys."""

from __future__ import annotations

from typing import Any

from api import create_app
from matcher import keys
from matcher.build import build_model
from matcher.db import close_store
from tests.factories import add_member

PRIVATE_EMAILS = ("hum@private.example", "kit@private.example", "mix@private.example")
PRIVATE_CONTACT = "07700 900123 (mix, not shared)"
SHARED_CONTACT = "kit on bandcamp"


def seed_community(sessions) -> None:
    """Four members: a band needing a drummer, two drummers (one far away), an engineer."""
    with sessions.begin() as s:
        add_member(
            s,
            "hum",
            "band",
            needs=["our band needs a drummer for gigs"],
            offers=["we can lend our rehearsal room"],
            tags=["shoegaze"],
            email=PRIVATE_EMAILS[0],
        )
        add_member(
            s,
            "kit",
            "session_musician",
            needs=["looking for a rehearsal room"],
            offers=["drummer available for gigs"],
            email=PRIVATE_EMAILS[1],
            share_contact=True,
            contact=SHARED_CONTACT,
        )
        add_member(
            s,
            "mix",
            "engineer",
            offers=["I mix and master records"],
            email=PRIVATE_EMAILS[2],
            contact=PRIVATE_CONTACT,
        )
        add_member(s, "far", "session_musician", "Glasgow", offers=["drummer available for gigs"])


def build(sessions, encoder, settings) -> str:
    """Build the store's community with the test encoder; the new build's id."""
    return build_model(sessions, encoder, settings).build_id


def make_app(settings, encoder, **config: Any):
    """The API app on the test store, with the test encoder and no wait for new builds."""
    return create_app(
        {
            "TESTING": True,
            "SETTINGS": settings,
            "TEST_ENCODER": encoder,
            "RELOAD_SECONDS": 0,
            **config,
        }
    )


def key_headers(sessions, *scopes: str, name: str = "test") -> dict[str, str]:
    """Headers carrying a fresh key with these scopes."""
    _, plaintext = keys.create_key(sessions, name, scopes)
    return {"X-API-Key": plaintext}


def close_app(app) -> None:
    """Close the app's connections to the store."""
    close_store(app.extensions["matcher"].sessions)


def matches_of(client, headers, member_id, **query) -> list[str]:
    """The ids of a member's matches, asserting the request worked."""
    response = client.get(f"/v1/members/{member_id}/matches", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return [m["member_id"] for m in response.get_json()["matches"]]


def assert_error(response, code, field=None) -> dict:
    """Assert an error response has this status and the one error shape; its body."""
    body = response.get_json()
    assert response.status_code == code, body
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["description"], str) and body["description"]
    if field is not None:  # named, and listed by where the request carried it
        assert body["field"] == field
        assert any(field in where for where in body["errors"].values()), body
    return body
