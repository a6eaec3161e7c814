"""What the API tells a caller of a near miss: the likely value of a refused one, and the
warnings of a place written that cuts a member off."""

from __future__ import annotations

from matcher.place_warnings import unknown_country, unplaced_town
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


def test_a_town_placed_nowhere_is_written_with_the_imports_warning(client, rw):
    """PATCH {"town": "Shefield"} went in silently, where `matcher import` warns of it (a new
    user): the member was near nobody, and the caller was not told."""
    shefield = unplaced_town("Shefield", "")
    assert shefield.endswith("did you mean 'Sheffield'?")
    new = {"id": "moss", "name": "Moss", "kind": "band", "town": "Shefield", "country": "Englan"}
    created = client.post("/v1/members", json=new, headers=rw)
    assert created.status_code == 201 and created.get_json()["town"] == "Shefield"
    assert created.get_json()["warnings"] == [unknown_country("Englan"), shefield]

    def edit(**changes) -> dict:
        edited = client.patch("/v1/members/moss", json=changes, headers=rw)
        assert edited.status_code == 200
        return edited.get_json()

    assert "warnings" not in edit(town="Leeds", country=None)
    assert edit(town="Shefield")["warnings"] == [shefield]
    # An edit that does not give the place says nothing of it; nor does a read.
    assert "warnings" not in edit(bio="x")
    assert "warnings" not in client.get("/v1/members/moss", headers=rw).get_json()
    # Coordinates place the member whatever their town is called.
    assert "warnings" not in edit(town="Shefield", latitude=53.38, longitude=-1.47)
    # A repeat under its Idempotency-Key answers as the first did.
    headers = {**rw, "Idempotency-Key": "k-1"}
    new = {"name": "Fen", "kind": "band", "town": "Shefield"}
    first = client.post("/v1/members", json=new, headers=headers)
    again = client.post("/v1/members", json=new, headers=headers)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert first.get_json()["warnings"] == [shefield]
    fine = {"name": "Ash", "kind": "band", "town": "Leeds"}
    assert "warnings" not in client.post("/v1/members", json=fine, headers=rw).get_json()


def test_the_spec_declares_the_warnings_of_a_member_written(client):
    spec = client.get("/openapi.json").get_json()
    written = spec["components"]["schemas"]["WrittenMember"]["properties"]["warnings"]
    assert written["type"] == "array" and "Shefield" in written["description"]
    for method, code in (("post", "201"), ("patch", "200")):
        path = "/v1/members" if method == "post" else "/v1/members/{member_id}"
        answer = spec["paths"][path][method]["responses"][code]
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("WrittenMember")
