"""What the API tells a caller of a near miss: the likely value of a refused one."""

from __future__ import annotations

from tests.api.helpers import assert_error


def test_an_unknown_kind_is_refused_with_the_likely_one(client, rw, ro):
    """A kind was refused with the list of kinds but no "did you mean" (a new user), which
    the import says of the same misspelling."""
    member = {"name": "Moss", "kind": "bnad"}
    body = assert_error(client.post("/v1/members", json=member, headers=rw), 422, "kind")
    said = "unknown value 'bnad'; did you mean 'band'? expected one of band, artist, "
    assert body["description"].startswith(f"invalid kind: {said}")
    assert body["errors"]["json"]["kind"][0].startswith(said)
    found = client.get("/v1/members/hum/matches?kind=phtographer", headers=ro)
    assert "did you mean 'photographer'?" in assert_error(found, 422, "kind")["description"]
    event = {"kind": "helpd", "from_member_id": "kit", "to_member_id": "hum"}
    refused = assert_error(client.post("/v1/interactions", json=event, headers=rw), 422, "kind")
    assert "did you mean 'helped'?" in refused["description"]
    # No kind is near "drumer": the kinds alone.
    search = client.post("/v1/search", json={"text": "drums", "kind": "drumer"}, headers=ro)
    described = assert_error(search, 422, "kind")["description"]
    assert "did you mean" not in described and "expected one of band, " in described


def test_the_spec_still_lists_the_values_a_field_takes(client):
    spec = client.get("/openapi.json").get_json()
    kind = spec["components"]["schemas"]["MemberIn"]["properties"]["kind"]
    assert kind["enum"][:2] == ["band", "artist"]
