"""The match API: endpoints, live writes, and the error shape with its statuses."""

from __future__ import annotations

import io
import json

import pytest

from matcher import community
from tests.api.helpers import (
    assert_error,
    build,
    close_app,
    key_headers,
    make_app,
    matches_of,
    seed_community,
)


def test_health_and_ready_need_no_key(client, built):
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/ready").get_json() == {"status": "ready", "build": built}


def test_ready_is_503_until_there_is_a_build(sessions, settings, encoder):
    seed_community(sessions)
    app = make_app(settings, encoder)
    try:
        client = app.test_client()
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        body = assert_error(ready, 503)
        assert body["description"] == "the service has no usable model build yet; try again later"
        assert ready.headers["Retry-After"] == "60"
        headers = key_headers(sessions, "read")
        response = client.get("/v1/members/hum/matches", headers=headers)
        body = assert_error(response, 503)
        assert response.headers["Retry-After"] == "60"
        # What the server's operator reads (its folders, the command to run) goes to its log.
        assert str(settings.models_dir) not in body["description"]
        assert "matcher build" not in body["description"]
        # An unknown member is a 404, build or not.
        assert_error(client.get("/v1/members/nobody/matches", headers=headers), 404)
    finally:
        close_app(app)


def test_a_members_matches_come_best_first_with_reasons(client, ro, built):
    response = client.get("/v1/members/hum/matches", headers=ro)
    body = response.get_json()
    assert body["member_id"] == "hum" and body["build"] == built
    assert body["matches"][0]["member_id"] == "kit"
    top = body["matches"][0]
    assert top["reasons"][0]["type"] == "need_offer"
    assert "drummer" in top["reasons"][0]["offer"]["quote"]
    assert top["mutual"] is True  # kit needs a rehearsal room, hum offers one
    assert top["busy"] is False  # a site sorting by score can tell why an order is kept
    assert "hum" not in [m["member_id"] for m in body["matches"]]


def test_filters_and_direction(client, ro):
    assert matches_of(client, ro, "hum", town="Glasgow") == ["far"]
    assert "hum" in matches_of(client, ro, "kit", direction="you_help")
    assert matches_of(client, ro, "hum", kind="engineer", mutual="true") == []


def test_unknown_member_is_404(client, ro):
    body = assert_error(client.get("/v1/members/nobody/matches", headers=ro), 404)
    assert "nobody" in body["description"]
    assert "field" not in body  # the path, not a field of a body, named it
    assert_error(client.get("/v1/members/nobody", headers=ro), 404)
    assert_error(client.get("/v1/posts/nothing", headers=ro), 404)
    assert_error(client.get("/v1/no/such/route", headers=ro), 404)


def test_malformed_json_is_400(client, rw):
    response = client.post(
        "/v1/members", data='{"name": "x",', headers=rw, content_type="application/json"
    )
    body = assert_error(response, 400)
    assert "JSON" in body["description"]


def test_a_json_body_that_is_not_an_object_is_422_saying_so(client, rw):
    for body, named in (
        ("[]", "an array"),
        ("null", "null"),
        ("3", "a number"),
        ('"x"', "a string"),
    ):
        for send in (client.post, client.patch):
            path = "/v1/members" if send == client.post else "/v1/members/hum"
            response = send(path, data=body, headers=rw, content_type="application/json")
            described = assert_error(response, 422)["description"]
            assert f"must be an object ({{...}}), not {named}" in described


def test_a_body_not_sent_as_json_is_415_saying_how(client, rw):
    # curl -d without -H "Content-Type: application/json" sends a form.
    for content_type in ("application/x-www-form-urlencoded", "text/plain"):
        response = client.post(
            "/v1/search", data='{"text": "need a drummer"}', headers=rw, content_type=content_type
        )
        body = assert_error(response, 415)
        assert "Content-Type: application/json" in body["description"]


def test_a_body_sent_in_chunks_not_as_json_is_415_too(client, rw):
    # No Content-Length (Transfer-Encoding: chunked, as a streaming client sends): the body is
    # still there, and not JSON; it was read as no body, every required field "missing" (422).
    for path in ("/v1/search", "/v1/members"):
        response = client.post(
            path,
            input_stream=io.BytesIO(b'{"text": "need a drummer", "name": "B", "kind": "band"}'),
            headers={**rw, "Content-Type": "text/plain", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
        body = assert_error(response, 415)
        assert "Content-Type: application/json" in body["description"]


def test_invalid_fields_are_422_naming_the_field(client, rw, ro):
    body = assert_error(
        client.post("/v1/members", json={"name": "New band", "kind": "orchestra"}, headers=rw),
        422,
        field="kind",
    )
    assert "kind" in body["errors"]["json"]
    assert_error(client.post("/v1/members", json={"kind": "band"}, headers=rw), 422, "name")
    # Every invalid field is named in the description, not only the first.
    empty = assert_error(client.post("/v1/members", json={}, headers=rw), 422)
    assert empty["field"] in ("name", "kind") and set(empty["errors"]["json"]) == {"name", "kind"}
    assert "also invalid: " in empty["description"]
    assert "name" in empty["description"] and "kind" in empty["description"]
    bad_flag = {"name": "B", "kind": "band", "share_contact": "yes"}
    assert_error(client.post("/v1/members", json=bad_flag, headers=rw), 422, "share_contact")
    assert_error(client.get("/v1/members/hum/matches?limit=0", headers=ro), 422, "limit")
    for written in ("\u0661\u0662", "1_0", "%2012", "12.0"):  # Arabic-Indic digits, ...
        assert_error(client.get(f"/v1/members?limit={written}", headers=ro), 422, "limit")
        assert_error(client.get(f"/v1/members/hum/matches?limit={written}", headers=ro), 422)
    assert client.get("/v1/members?limit=2&offset=0", headers=ro).status_code == 200
    assert_error(client.post("/v1/search", json={"text": ""}, headers=ro), 422, "text")
    unknown = {"name": "B", "kind": "band", "password": "x"}
    assert_error(client.post("/v1/members", json=unknown, headers=rw), 422, "password")
    # Rules of the library (not the schema): a place is both coordinates, or neither ...
    half = {"name": "B", "kind": "band", "latitude": 53.8}
    assert_error(client.post("/v1/members", json=half, headers=rw), 422, "longitude")
    assert_error(client.patch("/v1/members/hum", json={"longitude": None}, headers=rw), 422)
    # ... and an interaction needs two members.
    same = {"kind": "contacted", "from_member_id": "hum", "to_member_id": "hum"}
    assert_error(client.post("/v1/interactions", json=same, headers=rw), 422, "to_member_id")


def test_texts_the_store_cannot_hold_are_422_and_ids_in_paths_404(client, rw, ro):
    # A line break in a name would break the weekly email's To header; a NUL character
    # cannot be stored in PostgreSQL; a year 9999 time overflows when it is made UTC.
    broken = {"name": "The Hum\nBcc: everyone@example.org", "kind": "band"}
    body = assert_error(client.post("/v1/members", json=broken, headers=rw), 422, "name")
    assert "line break" in body["description"]
    assert_error(client.patch("/v1/members/hum", json={"town": "Leeds\r"}, headers=rw), 422)
    assert_error(client.patch("/v1/members/hum", json={"tags": ["a\x00"]}, headers=rw), 422)
    # A CSV export would split it in two.
    split = assert_error(
        client.patch("/v1/members/hum", json={"tags": ["rock;pop"]}, headers=rw), 422
    )
    assert "';'" in split["description"]
    # "rock, folk" in a JSON list was meant as two tags: the 422 says how to send them, and
    # not "separate tags with ';' (e.g. rock;folk)", which the line above refuses.
    listed = client.patch("/v1/members/hum", json={"tags": ["rock, folk"]}, headers=rw)
    said = assert_error(listed, 422)["description"]
    assert 'give each tag as a string of its own (["rock", "folk"])' in said
    assert "rock;folk" not in said and "give each tag" in split["description"]
    ok = client.patch("/v1/members/hum", json={"tags": ["rock", "folk"]}, headers=rw)
    assert ok.status_code == 200 and ok.get_json()["tags"] == ["rock", "folk"]
    bad = {"email": "hum@example.org,someone@example.org"}
    assert_error(client.patch("/v1/members/hum", json=bad, headers=rw), 422, "email")
    accented = {"id": "zoe", "name": "Zoë", "kind": "fan", "email": "zoë@example.org"}
    body = assert_error(client.post("/v1/members", json=accented, headers=rw), 422, "email")
    assert "other than ASCII before the @" in body["description"]
    nul = {"member_id": "hum", "side": "need", "text": "a drummer\x00"}
    body = assert_error(client.post("/v1/posts", json=nul, headers=rw), 422, "text")
    assert "U+0000" in body["description"]
    turned = {"name": "\u202eevil"}  # reads "live", and so may the words after it
    body = assert_error(client.patch("/v1/members/hum", json=turned, headers=rw), 422, "name")
    assert "bidirectional override (U+202E)" in body["description"]
    late = "9999-12-31T23:59:59-01:00"
    body = assert_error(
        client.patch("/v1/posts/hum-n0", json={"expires_at": late}, headers=rw), 422, "expires_at"
    )
    assert "9999" in body["description"]
    early = {"kind": "contacted", "from_member_id": "hum", "to_member_id": "kit"}
    early["occurred_at"] = "0001-01-01T00:00:00+01:00"
    assert_error(client.post("/v1/interactions", json=early, headers=rw), 422, "occurred_at")
    early["occurred_at"] = "2100-01-01T00:00:00Z"  # not yet happened
    assert_error(client.post("/v1/interactions", json=early, headers=rw), 422, "occurred_at")
    # A bio and a post may hold line breaks.
    lines = {"member_id": "hum", "side": "offer", "text": "we lend:\n- a room\n- a van"}
    assert client.post("/v1/posts", json=lines, headers=rw).status_code == 201
    assert client.patch("/v1/members/hum", json={"bio": "a\nb"}, headers=rw).status_code == 200
    # An id with a control character is no id: the route is not found.
    assert_error(client.get("/v1/members/a%00b", headers=ro), 404)
    assert_error(client.get("/v1/members/a%0Ab/matches", headers=ro), 404)
    assert client.get("/v1/members/hum", headers=ro).status_code == 200


def test_ids_are_stripped_as_imports_strip_them(client, rw, ro):
    new = {"id": " x1 ", "name": " Spacey ", "kind": "band"}
    created = client.post("/v1/members", json=new, headers=rw).get_json()
    assert (created["id"], created["name"]) == ("x1", "Spacey")
    assert client.get("/v1/members/x1", headers=ro).status_code == 200
    assert client.get("/v1/members/x1%20", headers=ro).status_code == 200  # in a path too
    post = {"id": "n9 ", "member_id": " x1", "side": "need", "text": " a drummer "}
    created = client.post("/v1/posts", json=post, headers=rw).get_json()
    assert (created["id"], created["member_id"], created["text"]) == ("n9", "x1", "a drummer")
    event = {"kind": "contacted", "from_member_id": "x1 ", "to_member_id": " kit", "need_id": "n9 "}
    event["occurred_at"] = "2026-01-05T12:00:00+05:30"
    created = client.post("/v1/interactions", json=event, headers=rw).get_json()
    assert (created["from_member_id"], created["to_member_id"]) == ("x1", "kit")
    assert created["need_id"] == "n9"
    assert created["occurred_at"] == "2026-01-05T06:30:00+00:00"  # as stored and read again
    past = {"member_id": "x1", "side": "need", "text": "a van"}
    past["expires_at"] = "2020-01-01T00:00:00Z"
    assert_error(client.post("/v1/posts", json=past, headers=rw), 422, "expires_at")
    blank = {"id": "  ", "name": "B", "kind": "band"}
    assert_error(client.post("/v1/members", json=blank, headers=rw), 422, "id")
    # An id is part of a path (/v1/members/{id}): with a '/' it could never be read again.
    slash = {"id": "band/one", "name": "B", "kind": "band"}
    assert_error(client.post("/v1/members", json=slash, headers=rw), 422, "id")
    post = {"id": "x/y", "member_id": "x1", "side": "need", "text": "a van"}
    assert_error(client.post("/v1/posts", json=post, headers=rw), 422, "id")
    dots = {"id": "..", "name": "B", "kind": "band"}  # /v1/members/.. is /v1/ to a client
    assert_error(client.post("/v1/members", json=dots, headers=rw), 422, "id")


def test_too_many_tags_says_how_many_a_list_may_hold(client, rw, ro):
    """100 tags read "invalid tags: Longer than maximum length 30.", as if of a text."""
    many = [f"t{n}" for n in range(100)]
    member = {"name": "B", "kind": "band", "tags": many}
    said = assert_error(client.post("/v1/members", json=member, headers=rw), 422, "tags")
    assert said["description"] == "invalid tags: At most 30 tags."
    post = {"member_id": "hum", "side": "need", "text": "a van", "tags": many}
    assert_error(client.post("/v1/posts", json=post, headers=rw), 422, "tags")
    assert client.patch("/v1/members/hum", json={"tags": many[:30]}, headers=rw).status_code == 200
    search = client.post("/v1/search", json={"text": "drums", "tags": many}, headers=ro)
    assert "At most 30 tags." in assert_error(search, 422, "tags")["description"]


def test_a_body_over_the_limit_is_413(built, sessions, settings, encoder):
    app = make_app(settings.replace(max_body_bytes=1024), encoder)
    try:
        rw = key_headers(sessions, "read", "write")
        big = {"name": "B", "kind": "band", "bio": "la " * 1000}
        body = assert_error(app.test_client().post("/v1/members", json=big, headers=rw), 413)
        assert body["message"] == "Request Entity Too Large"
        assert body["description"] == "the body is larger than 1024 bytes (MATCHER_MAX_BODY_BYTES)"
        # Sent in chunks (no Content-Length), it is not cut at the limit and read as JSON.
        chunked = app.test_client().post(
            "/v1/members",
            input_stream=io.BytesIO(json.dumps(big).encode()),
            headers={**rw, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
        assert_error(chunked, 413)
        small = {"id": "chunk", "name": "B", "kind": "band"}
        fits = app.test_client().post(
            "/v1/members",
            input_stream=io.BytesIO(json.dumps(small).encode()),
            headers={**rw, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
        assert fits.status_code == 201, fits.get_json()
    finally:
        close_app(app)


def test_a_post_created_through_the_api_is_matched_at_once(client, rw, ro):
    assert "ace" not in matches_of(client, ro, "hum")
    member = {"id": "ace", "name": "Ace", "kind": "session_musician", "town": "Leeds"}
    assert client.post("/v1/members", json=member, headers=rw).status_code == 201
    post = {"id": "ace-o", "member_id": "ace", "side": "offer", "text": "drummer for gigs"}
    response = client.post("/v1/posts", json=post, headers=rw)
    assert response.status_code == 201
    assert response.get_json()["status"] == "open"
    assert "ace" in matches_of(client, ro, "hum")
    # ... and an edit or a close counts at once too.
    edit = client.patch("/v1/posts/ace-o", json={"text": "I sell vans"}, headers=rw)
    assert edit.status_code == 200
    assert client.get("/v1/posts/ace-o", headers=ro).get_json()["text"] == "I sell vans"
    client.patch("/v1/posts/ace-o", json={"text": "drummer for gigs"}, headers=rw)
    assert "ace" in matches_of(client, ro, "hum")
    # A time already past is refused, as for a new post (to end a post, close it).
    past = {"expires_at": "2020-01-01T00:00:00Z"}
    assert_error(client.patch("/v1/posts/ace-o", json=past, headers=rw), 422, "expires_at")
    assert "ace" in matches_of(client, ro, "hum")
    soon = client.patch("/v1/posts/ace-o", json={"expires_at": "2100-01-01T00:00:00Z"}, headers=rw)
    assert soon.get_json()["expires_at"].startswith("2100-01-01")
    cleared = client.patch("/v1/posts/ace-o", json={"expires_at": None}, headers=rw).get_json()
    assert cleared["expires_at"] is None
    assert "ace" in matches_of(client, ro, "hum")
    closed = client.delete("/v1/posts/ace-o", headers=rw).get_json()
    assert closed["status"] == "closed"
    assert "ace" not in matches_of(client, ro, "hum")


def test_a_block_removes_the_pair_at_once_both_ways(client, rw, ro):
    assert "kit" in matches_of(client, ro, "hum")
    event = {"kind": "blocked", "from_member_id": "kit", "to_member_id": "hum"}
    response = client.post("/v1/interactions", json=event, headers=rw)
    assert response.status_code == 201
    assert response.get_json()["kind"] == "blocked"
    assert "kit" not in matches_of(client, ro, "hum")
    assert "hum" not in matches_of(client, ro, "kit", direction="both")


def test_a_decline_lists_the_helper_after_those_still_to_ask_at_once(client, rw, ro):
    assert matches_of(client, ro, "hum")[0] == "kit"
    event = {"kind": "declined", "from_member_id": "kit", "to_member_id": "hum"}
    assert client.post("/v1/interactions", json=event, headers=rw).status_code == 201
    matches = client.get("/v1/members/hum/matches", headers=ro).get_json()["matches"]
    kit = next(m for m in matches if m["member_id"] == "kit")
    assert matches[0]["member_id"] != "kit" and kit["declined"] is True
    # How long ago, not the window: "days": 90 read as "declined 90 days ago" (an integrator).
    assert {"type": "declined", "by": "them", "days_ago": 0} in kit["reasons"]


def test_a_block_made_by_mistake_is_found_and_withdrawn(client, rw, ro):
    """A site could record a block but neither read it back nor undo it: a mis-click kept two
    members apart for good (a site's integrator)."""
    event = {"kind": "blocked", "from_member_id": "hum", "to_member_id": "kit"}
    made = client.post("/v1/interactions", json=event, headers=rw).get_json()
    assert "kit" not in matches_of(client, ro, "hum")
    listed = client.get("/v1/members/hum/interactions?kind=blocked", headers=rw).get_json()
    assert [i["id"] for i in listed["interactions"]] == [made["id"]] and listed["total"] == 1
    assert client.get("/v1/members/mix/interactions", headers=rw).get_json()["total"] == 0
    # Who blocked or reported whom is not for a read key, which a browser page may hold.
    assert client.get("/v1/members/hum/interactions", headers=ro).status_code == 403
    assert client.delete(f"/v1/interactions/{made['id']}", headers=ro).status_code == 403
    withdrawn = client.delete(f"/v1/interactions/{made['id']}", headers=rw)
    assert withdrawn.status_code == 200 and withdrawn.get_json() == made
    assert "kit" in matches_of(client, ro, "hum")  # at once
    assert_error(client.delete(f"/v1/interactions/{made['id']}", headers=rw), 404)
    assert_error(client.get("/v1/members/nobody/interactions", headers=rw), 404)
    assert_error(client.get("/v1/members/hum/interactions?kind=hugged", headers=rw), 422, "kind")


def test_a_members_posts_are_listed_newest_first_by_side_and_status(client, rw, ro):
    made = client.post(
        "/v1/posts",
        json={"id": "hum-n9", "member_id": "hum", "side": "need", "text": "a van for a tour"},
        headers=rw,
    ).get_json()
    client.delete("/v1/posts/hum-n0", headers=rw)

    def listed(**query) -> list[tuple[str, str]]:
        body = client.get("/v1/members/hum/posts", headers=ro, query_string=query).get_json()
        assert body["total"] == len(body["posts"]), body
        return [(p["id"], p["status"]) for p in body["posts"]]

    assert listed()[0] == (made["id"], "open")
    assert set(listed()) == {("hum-n9", "open"), ("hum-n0", "closed"), ("hum-o0", "open")}
    assert listed(side="need", status="open") == [("hum-n9", "open")]
    assert listed(status="closed") == [("hum-n0", "closed")]
    assert listed(status="expired") == []
    assert_error(client.get("/v1/members/nobody/posts", headers=ro), 404)


def test_a_members_posts_read_page_after_page_show_none_twice(client, rw, ro):
    """A post written between two pages read by offset showed on both (a site's integrator)."""
    for n in range(3):
        post = {"id": f"hum-x{n}", "member_id": "hum", "side": "offer", "text": f"gig {n}"}
        assert client.post("/v1/posts", json=post, headers=rw).status_code == 201

    def ids(query: str) -> list[str]:
        response = client.get(f"/v1/members/hum/posts?{query}", headers=ro)
        assert response.status_code == 200, response.get_json()
        return [p["id"] for p in response.get_json()["posts"]]

    whole = ids("")
    first = ids("limit=2")
    assert first == whole[:2] == ["hum-x2", "hum-x1"]
    new = {"id": "hum-x3", "member_id": "hum", "side": "need", "text": "a van"}
    client.post("/v1/posts", json=new, headers=rw)
    assert ids("limit=2&offset=2")[0] == "hum-x1"  # shown twice: what `after` is for
    assert ids("limit=2&after=hum-x1") == whole[2:4]
    assert ids("limit=2&after=hum-x1&offset=1") == whole[3:5]  # as the members list has it
    assert ids("side=need&after=hum-x2") == [p for p in whole[2:] if "-n" in p]
    assert_error(client.get("/v1/members/hum/posts?after=nobody", headers=ro), 404, "after")
    # Another member's post marks no place in this member's list.
    assert_error(client.get("/v1/members/hum/posts?after=kit-o0", headers=ro), 404, "after")


def test_a_members_interactions_read_page_after_page_show_none_twice(client, rw):
    for n, kind in enumerate(("shown", "contacted", "accepted")):
        event = {"id": f"i-{n}", "kind": kind, "from_member_id": "hum", "to_member_id": "kit"}
        event["occurred_at"] = f"2026-05-0{n + 1}T10:00:00Z"
        assert client.post("/v1/interactions", json=event, headers=rw).status_code == 201

    def ids(query: str) -> list[str]:
        response = client.get(f"/v1/members/hum/interactions?{query}", headers=rw)
        assert response.status_code == 200, response.get_json()
        return [i["id"] for i in response.get_json()["interactions"]]

    assert ids("limit=2") == ["i-2", "i-1"]
    event = {"id": "i-3", "kind": "helped", "from_member_id": "kit", "to_member_id": "hum"}
    client.post("/v1/interactions", json=event, headers=rw)
    assert ids("limit=2&offset=2") == ["i-1", "i-0"]  # i-1 twice
    assert ids("limit=2&after=i-1") == ["i-0"]
    assert ids("after=i-3&kind=contacted") == ["i-1"]
    assert_error(client.get("/v1/members/hum/interactions?after=i-9", headers=rw), 404, "after")
    client.post("/v1/interactions", json={**event, "id": "i-4", "to_member_id": "mix"}, headers=rw)
    assert_error(client.get("/v1/members/hum/interactions?after=i-4", headers=rw), 404, "after")


def test_a_page_with_more_after_it_links_the_next_one(client, rw):
    """A list read page after page said of no next page where: the client built `after` itself."""

    def pages(path: str) -> list[list[str]]:
        seen, url = [], path
        while url:
            response = client.get(url, headers=rw)
            assert response.status_code == 200, response.get_json()
            thing = next(k for k in ("members", "posts", "interactions") if k in response.json)
            seen.append([item["id"] for item in response.json[thing]])
            url = response.headers.get("Link")
            if url:  # RFC 8288: <URI-reference>; rel="next"
                assert url.endswith('>; rel="next"') and url.startswith("<")
                url = url[1 : -len('>; rel="next"')]
        return seen

    assert pages("/v1/members?limit=3") == [["hum", "kit", "mix"], ["far"]]
    assert pages("/v1/members?limit=2") == [["hum", "kit"], ["mix", "far"]]  # none after
    # The request's own query, with `after` in place of `offset`.
    first = client.get("/v1/members?limit=1&offset=1", headers=rw)
    assert first.headers["Link"] == '</v1/members?limit=1&after=kit>; rel="next"'
    for n in range(3):
        post = {"id": f"hum-x{n}", "member_id": "hum", "side": "offer", "text": f"gig {n}"}
        assert client.post("/v1/posts", json=post, headers=rw).status_code == 201
    assert pages("/v1/members/hum/posts?side=offer&limit=2") == [
        ["hum-x2", "hum-x1"],
        ["hum-x0", "hum-o0"],
    ]
    for n in range(3):
        event = {"id": f"i-{n}", "kind": "shown", "from_member_id": "hum", "to_member_id": "kit"}
        event["occurred_at"] = f"2026-05-0{n + 1}T10:00:00Z"
        assert client.post("/v1/interactions", json=event, headers=rw).status_code == 201
    assert pages("/v1/members/hum/interactions?limit=2&kind=shown") == [["i-2", "i-1"], ["i-0"]]


def test_the_next_page_link_is_documented(client):
    spec = client.get("/openapi.json").get_json()
    for path in (
        "/v1/members",
        "/v1/members/{member_id}/posts",
        "/v1/members/{member_id}/interactions",
    ):
        assert "Link" in spec["paths"][path]["get"]["responses"]["200"]["headers"], path


def test_matches_are_read_a_page_at_a_time(client, ro):
    whole = matches_of(client, ro, "hum", direction="both")
    assert len(whole) >= 2
    assert matches_of(client, ro, "hum", direction="both", limit=1, offset=1) == whole[1:2]
    search = {"text": "drummer for gigs"}
    first = client.post("/v1/search", json=search, headers=ro).get_json()["matches"]
    later = client.post("/v1/search", json={**search, "offset": 1}, headers=ro).get_json()
    assert [m["member_id"] for m in later["matches"]] == [m["member_id"] for m in first[1:]]


def test_a_member_who_searches_is_not_shown_themselves_nor_whom_they_blocked(client, rw, ro):
    """A signed-in member's search showed the people they had blocked: a search had no member
    to keep apart (a site's integrator)."""

    def found(**extra) -> list[str]:
        body = {"text": "drummer available for gigs", **extra}
        response = client.post("/v1/search", json=body, headers=ro)
        assert response.status_code == 200, response.get_json()
        return [m["member_id"] for m in response.get_json()["matches"]]

    assert {"kit", "far"} <= set(found())
    event = {"kind": "blocked", "from_member_id": "hum", "to_member_id": "kit"}
    client.post("/v1/interactions", json=event, headers=rw)
    assert "kit" in found() and "kit" not in found(member_id="hum")
    assert "far" in found(member_id="hum") and "far" not in found(member_id="far")
    body = {"text": "drums", "member_id": "nobody"}
    assert_error(client.post("/v1/search", json=body, headers=ro), 404, "member_id")


def test_a_search_says_whether_its_town_is_known(client, ro):
    """A misspelt or unknown town was silently used as no town at all (an organiser)."""

    def known(**town) -> bool | None:
        body = {"text": "drummer for gigs", **town}
        return client.post("/v1/search", json=body, headers=ro).get_json()["town_known"]

    assert known(town="Leeds") is True and known(town="Llanidloes") is False and known() is None


def test_a_town_filter_says_whether_anyone_is_in_that_town(client, ro, rw):
    """A misspelt town filter listed nobody, with nothing to say why (a new user)."""

    def matches(query: str) -> dict:
        return client.get(f"/v1/members/hum/matches{query}", headers=ro).get_json()

    assert matches("?town=Zzzyx") == {**matches("?town=Zzzyx"), "matches": [], "town_known": False}
    assert matches("?town=Leeds")["town_known"] is True
    assert matches("")["town_known"] is None
    # A member who joined since the build is someone in their town (a reviewer).
    assert matches("?town=Hebden Bridge")["town_known"] is False
    new = {"name": "Moss", "kind": "session_musician", "town": "Hebden Bridge"}
    assert client.post("/v1/members", json=new, headers=rw).status_code == 201
    assert matches("?town=Hebden Bridge")["town_known"] is True


def test_interactions_are_recorded_with_posts_and_ids(client, rw):
    event = {
        "id": "i-1",
        "kind": "helped",
        "from_member_id": "kit",
        "to_member_id": "hum",
        "need_id": "hum-n0",
        "offer_id": "kit-o0",
        "occurred_at": "2026-05-01T10:00:00Z",
    }
    body = client.post("/v1/interactions", json=event, headers=rw).get_json()
    assert body["id"] == "i-1" and body["need_id"] == "hum-n0"
    assert body["occurred_at"].startswith("2026-05-01T10:00:00")
    assert_error(client.post("/v1/interactions", json=event, headers=rw), 409)
    # A date-time as RFC 3339 also allows it, in lower case: the time the schema says is one.
    lower = {**event, "id": "i-3", "occurred_at": "2026-05-01t11:00:00z"}
    written = client.post("/v1/interactions", json=lower, headers=rw)
    assert written.status_code == 201, written.get_json()
    assert written.get_json()["occurred_at"].startswith("2026-05-01T11:00:00")
    # What the body names and is not there: a 404 naming the field, as a 422 would.
    missing = {**event, "id": "i-2", "offer_id": "no-such-post"}
    assert_error(client.post("/v1/interactions", json=missing, headers=rw), 404, "offer_id")
    nobody = {**event, "id": "i-2", "to_member_id": "nobody"}
    assert_error(client.post("/v1/interactions", json=nobody, headers=rw), 404, "to_member_id")
    # A need must be the seeker's, an offer the helper's: kit's need is not hum's.
    theirs = {**event, "id": "i-3", "need_id": "kit-n0"}
    body = assert_error(client.post("/v1/interactions", json=theirs, headers=rw), 422, "need_id")
    assert "the need must be the seeker's (to_member_id 'hum')" in body["description"]
    accepted = {**theirs, "kind": "accepted"}  # the article goes with the kind's sound
    body = assert_error(client.post("/v1/interactions", json=accepted, headers=rw), 422, "need_id")
    assert "; in an 'accepted' interaction the need must be" in body["description"]
    offer_as_need = {**event, "id": "i-4", "need_id": "kit-o0"}
    assert_error(client.post("/v1/interactions", json=offer_as_need, headers=rw), 422, "need_id")


def test_a_closed_member_is_not_contacted_but_what_came_before_is_still_recorded(client, rw):
    assert client.delete("/v1/members/kit", headers=rw).status_code in (200, 204)
    for kind, source, target in [("contacted", "hum", "kit"), ("shown", "kit", "hum")]:
        event = {"kind": kind, "from_member_id": source, "to_member_id": target}
        body = assert_error(client.post("/v1/interactions", json=event, headers=rw), 409)
        assert "'kit' is closed" in body["description"]
    # Nor can their posts be edited or reopened; closing one is still allowed.
    body = assert_error(client.patch("/v1/posts/kit-o0", json={"text": "x"}, headers=rw), 409)
    assert "can only be closed" in body["description"]
    assert_error(client.patch("/v1/posts/kit-o0", json={"status": "open"}, headers=rw), 409)
    closing = client.patch("/v1/posts/kit-o0", json={"status": "closed"}, headers=rw)
    assert closing.status_code == 200
    for kind, source, target in [("helped", "kit", "hum"), ("reported", "hum", "kit")]:
        event = {"kind": kind, "from_member_id": source, "to_member_id": target}
        assert client.post("/v1/interactions", json=event, headers=rw).status_code == 201
    # A contact from before they closed, recorded late (a site's queue), is history.
    late = {"kind": "contacted", "from_member_id": "hum", "to_member_id": "kit",
            "occurred_at": "2026-01-05T10:00:00Z"}  # fmt: skip
    assert client.post("/v1/interactions", json=late, headers=rw).status_code == 201


def test_members_can_be_listed_created_edited_and_closed(client, rw, ro):
    page = client.get("/v1/members?limit=2&offset=1", headers=ro).get_json()
    assert page["total"] == 4 and [m["id"] for m in page["members"]] == ["kit", "mix"]
    created = client.post(
        "/v1/members", json={"id": "new", "name": "New", "kind": "venue"}, headers=rw
    )
    assert created.status_code == 201 and created.get_json()["active"] is True
    assert_error(
        client.post("/v1/members", json={"id": "new", "name": "N", "kind": "venue"}, headers=rw),
        409,
    )
    edited = client.patch("/v1/members/new", json={"town": "Cork", "tags": ["Jazz"]}, headers=rw)
    assert edited.get_json()["town"] == "Cork" and edited.get_json()["tags"] == ["jazz"]
    assert client.delete("/v1/members/new", headers=rw).get_json()["active"] is False
    assert client.get("/v1/members", headers=ro).get_json()["total"] == 4
    assert_error(client.get("/v1/members/new/matches", headers=ro), 404)


def test_members_read_page_after_page_miss_no_one_when_one_closes_between(client, rw, ro):
    """Page 1 by offset, a member of it closed, page 2 by offset: one member was never seen."""
    first = client.get("/v1/members?limit=2", headers=ro).get_json()["members"]
    assert [m["id"] for m in first] == ["hum", "kit"]
    client.delete("/v1/members/hum", headers=rw)
    rest = client.get("/v1/members?limit=2&after=kit", headers=ro).get_json()["members"]
    assert [m["id"] for m in rest] == ["mix", "far"]
    skipped = client.get("/v1/members?limit=2&offset=2", headers=ro).get_json()["members"]
    assert [m["id"] for m in skipped] == ["far"]  # what `after` is for
    assert_error(client.get("/v1/members?after=nobody", headers=ro), 404, "after")


def test_a_member_closed_before_the_build_opens_again_matchable_at_once(
    sessions, settings, encoder, rw, ro
):
    seed_community(sessions)
    community.close_member(sessions, "kit")
    build(sessions, encoder, settings)  # holds none of kit's posts
    app = make_app(settings, encoder)
    try:
        client = app.test_client()
        assert "kit" not in matches_of(client, ro, "hum")
        opened = client.patch("/v1/members/kit", json={"active": True}, headers=rw)
        assert opened.status_code == 200 and opened.get_json()["active"] is True
        assert "kit" in matches_of(client, ro, "hum")  # their drumming offer, left open
        contact = {"kind": "contacted", "from_member_id": "hum", "to_member_id": "kit"}
        assert client.post("/v1/interactions", json=contact, headers=rw).status_code == 201
        with sessions() as session:
            assert community.get_member(session, "kit").closed_at is None
        closed = client.patch("/v1/members/kit", json={"active": False}, headers=rw)
        assert closed.get_json()["active"] is False
        assert "kit" not in matches_of(client, ro, "hum")
    finally:
        close_app(app)


def test_search_by_a_typed_need(client, ro, built):
    body = client.post(
        "/v1/search", json={"text": "need a drummer for gigs", "town": "Leeds"}, headers=ro
    ).get_json()
    assert body["build"] == built
    assert body["matches"][0]["member_id"] == "kit"
    assert body["matches"][0]["reasons"][0]["need"]["quote"] == "need a drummer for gigs"


def test_a_typed_need_is_quoted_with_no_id(client, ro):
    """The typed text is no stored post: its id read "", an id no post has (an integrator)."""
    body = client.post("/v1/search", json={"text": "need a drummer for gigs"}, headers=ro)
    first = body.get_json()["matches"][0]
    assert first["answers"]["need"] == {"id": None, "quote": "need a drummer for gigs"}
    assert first["reasons"][0]["need"]["id"] is None


def test_the_model_endpoint_names_the_build(client, ro, built):
    body = client.get("/v1/model", headers=ro).get_json()
    assert body["build"] == built
    assert body["corpus"]["members"] == 4
    assert body["encoder"]["name"].startswith("hashing")
    assert "created_at" in body and "metrics" in body


def test_unsubscribe_by_the_signed_link(client, sessions, settings):
    from matcher.store import Member
    from matcher.unsubscribe import make_token

    def consent():
        with sessions() as s:
            member = s.query(Member).filter_by(external_id="hum").one()
            return member.email_consent, member.unsubscribed_at

    token = make_token(settings.secret_key, "hum")
    # A GET, as a link scanner or a preview would make, changes nothing.
    status = client.get("/v1/unsubscribe", query_string={"token": token}).get_json()
    assert (status["member_id"], status["email_consent"]) == ("hum", True)
    assert consent() == (True, None)
    # A browser following an older email's link to the API is sent to the page.
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    moved = client.get("/v1/unsubscribe", query_string={"token": token}, headers=browser)
    assert moved.status_code == 302 and "/unsubscribe?token=" in moved.headers["Location"]
    assert consent()[0] is True
    # The email's link opens a page that asks; its button POSTs.
    page = client.get("/unsubscribe", query_string={"token": token})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "no-store"  # it names the member
    assert '<form method="post"' in page.get_data(as_text=True) and consent()[0] is True
    done = client.post("/unsubscribe", query_string={"token": token})
    assert "no more weekly emails" in done.get_data(as_text=True)
    assert consent()[0] is False and consent()[1] is not None
    # One-click unsubscribe (RFC 8058) POSTs a form to the API's URL.
    again = client.post(
        f"/v1/unsubscribe?token={token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 200 and again.get_json()["email_consent"] is False
    assert_error(client.get("/v1/unsubscribe?token=forged"), 422, "token")
    broken = client.get("/unsubscribe?token=forged")
    assert broken.status_code == 400 and "does not work" in broken.get_data(as_text=True)
    # Said once, with what to do ("link does not work: the unsubscribe link is not valid").
    assert "cut short when copied" in broken.get_data(as_text=True)


def test_an_erased_members_link_and_id_act_on_no_one_again(client, rw, sessions, settings):
    from matcher.store import Member
    from matcher.unsubscribe import make_token

    token = make_token(settings.secret_key, "hum")
    assert client.get("/v1/unsubscribe", query_string={"token": token}).status_code == 200
    assert client.post("/v1/members/hum/erase", headers=rw).status_code == 200
    new = {"id": "hum", "name": "Zed Newcomer", "kind": "band", "email_consent": True}
    refused = assert_error(client.post("/v1/members", json=new, headers=rw), 409, "id")
    assert "erased" in refused["description"]
    assert client.get("/v1/unsubscribe", query_string={"token": token}).status_code == 404
    assert client.post("/v1/unsubscribe", query_string={"token": token}).status_code == 404
    with sessions() as s:
        assert s.query(Member).filter_by(external_id="hum").first() is None
        erased = s.query(Member).filter(Member.erased_at.is_not(None)).one().external_id
    late = {"kind": "helped", "from_member_id": "kit", "to_member_id": erased}
    refused = assert_error(
        client.post("/v1/interactions", json=late, headers=rw), 409, "to_member_id"
    )
    assert "erased" in refused["description"]


def test_the_unsubscribe_page_of_an_erased_member_is_not_found(client, rw, settings):
    # The email's link opens the page: for a member erased since, it answered 400 as for a
    # damaged link, where the API's own unsubscribe URL answers 404 (docs/digest.md).
    from matcher.unsubscribe import make_token

    token = make_token(settings.secret_key, "hum")
    assert client.post("/v1/members/hum/erase", headers=rw).status_code == 200
    for answer in (
        client.get("/unsubscribe", query_string={"token": token}),
        client.post("/unsubscribe", query_string={"token": token}),
    ):
        assert answer.status_code == 404 and "does not work" in answer.get_data(as_text=True)
    assert client.get("/unsubscribe?token=forged").status_code == 400


def test_withdrawing_an_interaction_with_an_erased_member_names_the_path_id(client, rw):
    block = {"kind": "blocked", "from_member_id": "kit", "to_member_id": "hum"}
    assert client.post("/v1/interactions", json=block, headers=rw).status_code == 201
    assert client.post("/v1/members/hum/erase", headers=rw).status_code == 200
    listed = client.get("/v1/members/kit/interactions?kind=blocked", headers=rw).get_json()
    (kept,) = listed["interactions"]
    refused = client.delete(f"/v1/interactions/{kept['id']}", headers=rw)
    # The id came in the path as interaction_id: not a query parameter "id" the request never
    # sent (the one error shape lists a field by where the request carried it).
    body = assert_error(refused, 409, "interaction_id")
    assert body["errors"] == {"path": {"interaction_id": [body["description"]]}}


def test_the_unsubscribe_links_redirect_is_documented_as_what_it_sends(client, settings):
    from matcher.unsubscribe import make_token

    token = make_token(settings.secret_key, "hum")
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    moved = client.get("/v1/unsubscribe", query_string={"token": token}, headers=browser)
    assert moved.status_code == 302 and moved.mimetype == "text/html"
    documented = client.get("/openapi.json").get_json()["paths"]["/v1/unsubscribe"]["get"]
    redirect = documented["responses"]["302"]
    # Not a JSON body (a generated client would try to read one): the page, by Location.
    assert set(redirect["content"]) == {moved.mimetype}
    assert "Location" in redirect["headers"]


def test_the_link_of_a_closed_membership_says_it_gets_no_emails(client, rw, settings):
    from matcher.unsubscribe import make_token

    token = make_token(settings.secret_key, "kit")
    assert client.delete("/v1/members/kit", headers=rw).status_code in (200, 204)
    status = client.get("/v1/unsubscribe", query_string={"token": token}).get_json()
    assert status["email_consent"] is False and "closed" in status["message"]
    page = client.get("/unsubscribe", query_string={"token": token}).get_data(as_text=True)
    assert '<form method="post"' not in page  # nothing to unsubscribe from


def test_without_a_secret_key_the_unsubscribe_page_is_unavailable_not_the_members_fault(
    built, settings, encoder
):
    app = make_app(settings.replace(secret_key=""), encoder)
    try:
        page = app.test_client().get("/unsubscribe?token=anything")
        text = page.get_data(as_text=True)
        assert page.status_code == 503 and "does not work right now" in text
        assert "MATCHER_SECRET_KEY" not in text  # a server setting is no business of a member
    finally:
        close_app(app)


def test_bodies_no_encoder_or_parser_can_take_are_4xx_not_500(client, rw, ro):
    # JSON may escape a lone UTF-16 surrogate ("\ud800"), which no encoder can write back.
    lone = "\ud800"
    assert_error(client.post("/v1/members", json={"name": lone, "kind": "band"}, headers=rw), 422)
    assert_error(client.post("/v1/search", json={"text": f"a drummer {lone}"}, headers=ro), 422)
    tagged = {"member_id": "hum", "side": "need", "text": "a van", "tags": [lone]}
    body = assert_error(client.post("/v1/posts", json=tagged, headers=rw), 422)
    assert "surrogate" in body["description"]
    # Nested deeper than the interpreter's stack, or a number of 5,000 digits.
    for data in ("[" * 20_000 + "]" * 20_000, '{"text": "x", "limit": ' + "9" * 5000 + "}"):
        response = client.post(
            "/v1/search", data=data, headers={**ro, "Content-Type": "application/json"}
        )
        assert_error(response, 400)


def test_an_operation_that_takes_a_body_refuses_none(client, rw, ro):
    for method, path, key in [("patch", "/v1/posts/hum-n0", rw), ("post", "/v1/search", ro)]:
        body = assert_error(getattr(client, method)(path, headers=key), 422)
        assert body["description"].startswith("send a JSON body")
    assert client.patch("/v1/members/hum", json={}, headers=rw).status_code == 200  # {}: no change


def test_a_store_that_does_not_answer_is_a_503_and_health_needs_no_store(client, ro, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from matcher import keys

    def down(*args, **kwargs):
        raise OperationalError("SELECT ...", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr(keys, "verify_key", down)
    response = client.get("/v1/members/hum/matches", headers=ro)
    body = assert_error(response, 503)
    assert body["description"] == "the store does not answer; try again shortly"
    assert response.headers["Retry-After"] == "10"
    # Liveness reads no key, so it answers while the store does not.
    assert client.get("/health", headers=ro).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/members", {"name": "New", "kind": "venue"}),
        ("/v1/posts", {"member_id": "kit", "side": "offer", "text": "I teach drums"}),
        ("/v1/interactions", {"kind": "helped", "from_member_id": "kit", "to_member_id": "hum"}),
    ],
)
def test_a_request_sent_again_under_its_idempotency_key_creates_nothing_new(
    client, rw, sessions, path, body
):
    from sqlalchemy import func, select

    from matcher.store import Interaction, Member, Post

    model = {"members": Member, "posts": Post, "interactions": Interaction}[path.split("/")[-1]]

    def count() -> int:
        with sessions() as s:
            return s.scalar(select(func.count()).select_from(model))

    before = count()
    headers = {**rw, "Idempotency-Key": "retry-7f3a"}
    first = client.post(path, json=body, headers=headers)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = client.post(path, json=body, headers=headers)  # the client timed out and retried
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() and count() == before + 1
    other = client.post(path, json={**body, "id": "x9"}, headers=headers)
    assert (
        "'retry-7f3a' came with another request"
        in assert_error(other, 422, "Idempotency-Key")["description"]
    )
    # Another key, or another client's same key, is another request.
    elsewhere = client.post(path, json=body, headers={**rw, "Idempotency-Key": "retry-8"})
    assert elsewhere.status_code == 201 and elsewhere.get_json()["id"] != first.get_json()["id"]
    theirs = {
        **key_headers(sessions, "read", "write", name="other"),
        "Idempotency-Key": "retry-7f3a",
    }
    assert client.post(path, json=body, headers=theirs).status_code == 201
    assert client.post(path, json=body, headers=rw).status_code == 201  # no key: a new one
    assert count() == before + 4


@pytest.mark.parametrize(
    ("path", "body", "method"),
    [
        ("/v1/members", {"name": "New", "kind": "venue"}, "get"),
        ("/v1/posts", {"member_id": "kit", "side": "offer", "text": "I teach drums"}, "get"),
        (
            "/v1/interactions",
            {"kind": "helped", "from_member_id": "kit", "to_member_id": "hum"},
            "delete",
        ),
    ],
)
def test_a_create_says_where_what_it_made_is(client, rw, path, body, method):
    # RFC 9110: a 201 without Location names the request's own URI (/v1/members) as what
    # it made; a site following it then reads the list, not the member.
    made = client.post(path, json=body, headers=rw)
    assert made.status_code == 201
    where = made.headers["Location"]
    assert where == f"{path}/{made.get_json()['id']}"
    assert getattr(client, method)(where, headers=rw).get_json() == made.get_json()
    spec = client.get("/openapi.json").get_json()
    assert "Location" in spec["paths"][path]["post"]["responses"]["201"]["headers"]


def test_a_retry_differing_only_in_whitespace_stored_away_is_the_same_request(client, rw):
    """{"name": "B"} then {"name": "B "} under one key was refused as another request, though
    both make the same member (a site's integrator)."""
    joining = {**rw, "Idempotency-Key": "join-b"}
    first = client.post("/v1/members", json={"name": "B", "kind": "band"}, headers=joining)
    assert first.status_code == 201
    again = client.post("/v1/members", json={"name": "B ", "kind": "band"}, headers=joining)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    post = {"member_id": "kit", "side": "offer", "text": "I teach drums", "tags": ["drums"]}
    headers = {**rw, "Idempotency-Key": "post-1"}
    assert client.post("/v1/posts", json=post, headers=headers).status_code == 201
    spaced = {**post, "member_id": " kit", "text": "I teach drums\n", "tags": [" drums"]}
    assert client.post("/v1/posts", json=spaced, headers=headers).status_code == 200
    # A really different body is still another request.
    other = client.post("/v1/members", json={"name": "C", "kind": "band"}, headers=joining)
    assert_error(other, 422, "Idempotency-Key")
    other = client.post("/v1/posts", json={**post, "text": "I teach bass"}, headers=headers)
    assert_error(other, 422, "Idempotency-Key")


def test_a_member_erased_since_is_not_made_again_by_a_retry(client, rw):
    headers = {**rw, "Idempotency-Key": "join-fay"}
    body = {"id": "fay", "name": "Fay Private", "kind": "band"}
    assert client.post("/v1/members", json=body, headers=headers).status_code == 201
    assert client.post("/v1/members/fay/erase", headers=rw).status_code == 200
    retried = client.post("/v1/members", json=body, headers=headers)
    assert "no longer there" in assert_error(retried, 409, "Idempotency-Key")["description"]
    assert client.get("/v1/members/fay", headers=rw).status_code == 404


def test_a_request_refused_gives_its_idempotency_key_back(client, rw):
    headers = {**rw, "Idempotency-Key": "k1"}
    post = {"member_id": "nobody", "side": "need", "text": "need a drummer"}
    assert_error(client.post("/v1/posts", json=post, headers=headers), 404, "member_id")
    mended = client.post("/v1/posts", json={**post, "member_id": "hum"}, headers=headers)
    assert mended.status_code == 201
    too_long = {**rw, "Idempotency-Key": "k" * 256}
    body = assert_error(
        client.post("/v1/posts", json=post, headers=too_long), 422, "Idempotency-Key"
    )
    assert list(body["errors"]) == ["headers"]


@pytest.mark.parametrize("given_id", [None, "conc-1"])
def test_a_retry_while_the_first_request_is_at_work_is_told_to_come_back(
    client, rw, monkeypatch, given_id
):
    from api import members
    from matcher import community, idempotency

    monkeypatch.setattr(idempotency, "IN_FLIGHT_WAIT", 0.05)
    headers = {**rw, "Idempotency-Key": "slow-1"}
    body = {"name": "New", "kind": "venue", **({"id": given_id} if given_id else {})}
    real, answers = community.add_member, []

    def slow(*args, **kwargs):  # the client gives up on the first and retries meanwhile
        if not answers:
            answers.append(None)
            answers[0] = client.post("/v1/members", json=body, headers=headers)
        return real(*args, **kwargs)

    monkeypatch.setattr(members.community, "add_member", slow)
    first = client.post("/v1/members", json=body, headers=headers)
    retry = answers[0]
    assert first.status_code == 201
    assert (
        "still at work: send it again" in assert_error(retry, 409, "Idempotency-Key")["description"]
    )
    monkeypatch.setattr(members.community, "add_member", real)
    # The key is held: the next try replays what the first made; another body is refused.
    again = client.post("/v1/members", json=body, headers=headers)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    other = client.post("/v1/members", json={**body, "name": "Other"}, headers=headers)
    assert_error(other, 422, "Idempotency-Key")


def test_a_request_cut_off_before_it_made_anything_is_made_by_a_later_retry(
    client, rw, monkeypatch
):
    from api import members
    from matcher import community, idempotency

    monkeypatch.setattr(idempotency, "IN_FLIGHT_WAIT", 0.05)
    headers = {**rw, "Idempotency-Key": "cut-1"}
    body = {"name": "New", "kind": "venue"}
    real = community.add_member

    def killed(*args, **kwargs):
        raise RuntimeError("the worker was killed")

    monkeypatch.setattr(members.community, "add_member", killed)
    with pytest.raises(RuntimeError):  # the test client passes on what a server logs as 500
        client.post("/v1/members", json=body, headers=headers)
    monkeypatch.setattr(members.community, "add_member", real)
    assert_error(client.post("/v1/members", json=body, headers=headers), 409)  # at work?
    monkeypatch.setattr(idempotency, "STALE_SECONDS", 0)  # a minute later: it was cut off
    made = client.post("/v1/members", json=body, headers=headers)
    assert made.status_code == 201
    again = client.post("/v1/members", json=body, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == made.get_json()["id"]


def test_idempotency_keys_are_kept_a_week(sessions):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select

    from matcher.idempotency import KEEP_DAYS, claim
    from matcher.store import IdempotencyKey

    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    request = {"kind": "venue", "name": "New"}
    first = claim(
        sessions, key="a", client="1", endpoint="members", request=request, clock=lambda: t0
    )
    again = claim(
        sessions,
        key="a",
        client="1",
        endpoint="members",
        request=request,
        clock=lambda: t0 + timedelta(days=KEEP_DAYS) - timedelta(seconds=1),
    )
    assert not first.repeated and again.repeated and again.external_id == first.external_id
    later = t0 + timedelta(days=KEEP_DAYS, seconds=1)
    claim(sessions, key="b", client="1", endpoint="members", request=request, clock=lambda: later)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(IdempotencyKey)) == 1  # "a" is gone


def test_an_expired_post_opens_again_only_with_a_later_expiry(client, rw, sessions):
    from datetime import timedelta

    from sqlalchemy import update

    from matcher.store import Post, utcnow

    with sessions.begin() as s:
        s.execute(
            update(Post)
            .where(Post.external_id == "kit-o0")
            .values(status="closed", expires_at=utcnow() - timedelta(days=1))
        )
    body = assert_error(
        client.patch("/v1/posts/kit-o0", json={"status": "open"}, headers=rw), 422, "expires_at"
    )
    assert "give a later expires_at (or null) to open it again" in body["description"]
    later = (utcnow() + timedelta(days=30)).isoformat()
    reopened = client.patch(
        "/v1/posts/kit-o0", json={"status": "open", "expires_at": later}, headers=rw
    )
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "open"


def test_an_open_post_past_its_expiry_reads_expired_until_given_a_later_one(
    client, rw, ro, sessions
):
    from datetime import timedelta

    from sqlalchemy import update

    from matcher.store import Post, utcnow

    with sessions.begin() as s:  # left open, its time run out
        s.execute(
            update(Post)
            .where(Post.external_id == "kit-o0")
            .values(expires_at=utcnow() - timedelta(days=1))
        )
    assert client.get("/v1/posts/kit-o0", headers=ro).get_json()["status"] == "expired"
    assert "kit" not in matches_of(client, ro, "hum")
    edited = client.patch("/v1/posts/kit-o0", json={"tags": ["drums"]}, headers=rw)
    assert edited.status_code == 200 and edited.get_json()["status"] == "expired"
    assert_error(
        client.patch("/v1/posts/kit-o0", json={"status": "open"}, headers=rw), 422, "expires_at"
    )
    later = (utcnow() + timedelta(days=30)).isoformat()
    renewed = client.patch("/v1/posts/kit-o0", json={"expires_at": later}, headers=rw)
    assert renewed.get_json()["status"] == "open"
    assert "kit" in matches_of(client, ro, "hum")
    # Closed is closed, expired or not; the published schema says what a status may be.
    past = {"expires_at": utcnow() - timedelta(days=1), "status": "closed"}
    with sessions.begin() as s:
        s.execute(update(Post).where(Post.external_id == "kit-o0").values(**past))
    assert client.get("/v1/posts/kit-o0", headers=ro).get_json()["status"] == "closed"
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["PostOut"]
    assert schema["properties"]["status"]["enum"] == ["open", "closed", "expired"]


def test_a_query_parameter_sent_twice_is_422_naming_it(app, client, ro, settings):
    from matcher.unsubscribe import make_token

    for query, field in (
        ("kind=band&kind=engineer", "kind"),
        ("tag=bass&tag=drums", "tag"),
        ("direction=both&limit=5&direction=you_help", "direction"),
    ):
        response = client.get(f"/v1/members/hum/matches?{query}", headers=ro)
        body = assert_error(response, 422, field)
        assert body["errors"] == {"query": {field: ["Sent 2 times; it takes one value."]}}
    assert_error(client.get("/v1/members?offset=0&offset=2", headers=ro), 422, "offset")
    token = make_token(settings.secret_key, "hum")
    twice = {"token": [token, token]}
    assert_error(client.get("/v1/unsubscribe", query_string=twice), 422, "token")
    assert_error(client.post("/v1/unsubscribe", query_string=twice), 422, "token")
    # Every operation that reads a query string reads it with a Query schema (the views'
    # `_spec` is where APIFlask's decorators note their inputs).
    from api.schemas import Query

    read = [
        schema
        for view in app.view_functions.values()
        for schema, location in getattr(view, "_spec", {}).get("args", [])
        if location == "query"
    ]
    assert len(read) >= 4 and all(isinstance(schema, Query) for schema in read)


def test_a_query_parameter_an_operation_does_not_take_is_422_naming_it(client, ro, rw):
    # The lists refuse a parameter they do not know; the others read none and ignored it, so
    # `POST /v1/search?limit=1` answered the default 20 as if asked for them.
    for response in (
        client.post("/v1/search?limit=1", json={"text": "a drummer"}, headers=ro),
        client.get("/v1/members/hum?fields=name", headers=ro),
        client.patch("/v1/posts/hum-n0?dry_run=1", json={"tags": ["gigs"]}, headers=rw),
        client.get("/v1/model?verbose=1", headers=ro),
    ):
        body = assert_error(response, 422)
        (field,) = body["errors"]["query"]
        assert body["field"] == field and body["errors"]["query"][field] == ["Unknown field."]
    # The tags stayed as they were: the PATCH was refused, not done.
    assert client.get("/v1/posts/hum-n0", headers=ro).get_json()["tags"] != ["gigs"]
    assert client.get("/v1/members/hum", headers=ro).status_code == 200
    assert client.get("/health?probe=1").status_code == 200  # outside /v1/: not an operation
    assert_error(client.get("/v1/nowhere?x=1", headers=ro), 404)


def test_a_409_names_the_field_that_clashes(client, rw, sessions):
    from sqlalchemy import delete

    from matcher.store import IdempotencyKey

    taken = {"id": "hum", "name": "Another Hum", "kind": "band"}
    body = assert_error(client.post("/v1/members", json=taken, headers=rw), 409, "id")
    assert body["errors"] == {"json": {"id": [body["description"]]}}
    post = {"id": "hum-n0", "member_id": "kit", "side": "need", "text": "a van"}
    assert_error(client.post("/v1/posts", json=post, headers=rw), 409, "id")
    event = {"id": "i-1", "kind": "helped", "from_member_id": "kit", "to_member_id": "hum"}
    assert client.post("/v1/interactions", json=event, headers=rw).status_code == 201
    assert_error(client.post("/v1/interactions", json=event, headers=rw), 409, "id")
    assert client.delete("/v1/members/mix", headers=rw).status_code == 200
    closed = {"member_id": "mix", "side": "offer", "text": "I master records"}
    assert_error(client.post("/v1/posts", json=closed, headers=rw), 409, "member_id")
    contact = {"kind": "contacted", "from_member_id": "hum", "to_member_id": "mix"}
    assert_error(client.post("/v1/interactions", json=contact, headers=rw), 409, "to_member_id")
    # Without an id, the id is derived from the Idempotency-Key: a key forgotten (after a
    # week) and sent again takes the blame for the id already made.
    keyed = {**rw, "Idempotency-Key": "join-1"}
    new = {"name": "Newcomer", "kind": "fan"}
    assert client.post("/v1/members", json=new, headers=keyed).status_code == 201
    with sessions.begin() as s:
        s.execute(delete(IdempotencyKey))
    again = client.post("/v1/members", json=new, headers=keyed)
    assert list(assert_error(again, 409, "Idempotency-Key")["errors"]) == ["headers"]


def test_a_patch_keeps_what_the_profile_and_post_said_before(client, rw, sessions):
    """The history reads each profile and post as it was when a need was posted: an edit
    through the API keeps what it replaced (matcher.revisions), an edit of a bio nothing."""
    from sqlalchemy import select

    from matcher.snapshot import load_community
    from matcher.store import Member, Post

    moved = {"town": "Bristol", "latitude": 51.45, "longitude": -2.59}
    assert client.patch("/v1/members/hum", json=moved, headers=rw).status_code == 200
    assert client.patch("/v1/members/kit", json={"bio": "new"}, headers=rw).status_code == 200
    retold = {"text": "a drummer, loud", "tags": ["drums"]}
    assert client.patch("/v1/posts/hum-n0", json=retold, headers=rw).status_code == 200
    assert client.delete("/v1/posts/kit-n0", headers=rw).status_code == 200
    with sessions() as s:
        c = load_community(s)
        edited = s.scalar(select(Member.updated_at).where(Member.external_id == "hum"))
        retold_at = s.scalar(select(Post.updated_at).where(Post.external_id == "hum-n0"))
    hum = c.members.index[c.members["external_id"] == "hum"][0]
    need = c.posts.index[c.posts["external_id"] == "hum-n0"][0]
    assert c.member_revisions[["member_id", "town", "latitude"]].values.tolist() == [
        [hum, "Leeds", 53.80]
    ]
    assert c.member_revisions["replaced_at"].tolist() == [edited]
    assert c.post_revisions[["post_id", "text"]].values.tolist() == [
        [need, "our band needs a drummer for gigs"]
    ]
    assert c.post_revisions["tags"].tolist() == [[]]
    assert c.post_revisions["replaced_at"].tolist() == [retold_at]
