"""Access to the API: keys and scopes, rate limits, request ids and logs, metrics, CORS, docs."""

from __future__ import annotations

import logging
import re
import time

from api.limits import LIMITER_RETRY_AFTER
from matcher import keys
from tests.api.helpers import (
    assert_error,
    close_app,
    key_headers,
    make_app,
    seed_community,
)


def test_writes_need_a_key_with_the_write_scope(client, sessions, ro, rw):
    new = {"name": "New band", "kind": "band"}
    body = assert_error(client.post("/v1/members", json=new), 401)
    assert "X-API-Key" in body["description"]
    assert_error(client.post("/v1/members", json=new, headers={"X-API-Key": "mk_guess"}), 401)
    assert_error(client.post("/v1/members", json=new, headers=ro), 403)
    assert_error(client.delete("/v1/members/hum", headers=ro), 403)
    assert_error(client.get("/v1/members/hum/matches"), 401)
    assert client.post("/v1/members", json=new, headers=rw).status_code == 201
    write_only = key_headers(sessions, "write", name="writer")
    assert_error(client.get("/v1/members", headers=write_only), 403)


def test_a_revoked_key_is_refused_at_once(client, sessions):
    info, plaintext = keys.create_key(sessions, "old", ["read"])
    headers = {"X-API-Key": plaintext}
    assert client.get("/v1/members", headers=headers).status_code == 200
    keys.revoke_key(sessions, info.id)
    assert_error(client.get("/v1/members", headers=headers), 401)


def test_the_rate_limit_counts_per_key_and_answers_429(built, sessions, settings, encoder):
    app = make_app(settings.replace(rate_limit="3 per minute"), encoder)
    try:
        client = app.test_client()
        first, second = key_headers(sessions, "read"), key_headers(sessions, "read")
        for _ in range(3):
            allowed = client.get("/v1/members", headers=first)
            assert allowed.status_code == 200
            # How many are left is said; when to retry only once refused.
            assert "X-RateLimit-Remaining" in allowed.headers
            assert "Retry-After" not in allowed.headers
        response = client.get("/v1/members/hum/matches", headers=first)
        body = assert_error(response, 429)
        assert body["description"] == (  # the limiter said "3 per 1 minute" alone
            "too many requests: at most 3 per 1 minute per API key (per address without one); "
            "try again after Retry-After seconds"
        )
        assert int(response.headers["Retry-After"]) > 0
        assert LIMITER_RETRY_AFTER not in response.headers  # the limiter's own, moved over
        # Requests that match no route count too, from a key or an address.
        assert_error(client.get("/v1/no/such/route", headers=first), 429)
        for _ in range(3):
            client.open("/nothing", method="BREW")
        assert_error(client.open("/nothing", method="BREW"), 429)
        assert client.get("/v1/members", headers=second).status_code == 200
        for _ in range(5):  # probes are never limited
            assert client.get("/health").status_code == 200
    finally:
        close_app(app)


def test_a_503_keeps_its_own_retry_after_under_the_rate_limit(sessions, settings, encoder):
    """Flask-Limiter wrote its Retry-After over the one of a 503 with a key, from the end of
    the key's window: "60" read "59" once the window was a second old, or when the request
    crossed a second, as test_ready_is_503_until_there_is_a_build's did about once in 300."""
    seed_community(sessions)
    app = make_app(settings, encoder)  # no build: a 503 with Retry-After 60
    try:
        client = app.test_client()
        headers = key_headers(sessions, "read")
        assert client.get("/v1/members/hum/matches", headers=headers).status_code == 503
        time.sleep(1.1)  # the key's window began over a second ago
        response = client.get("/v1/members/hum/matches", headers=headers)
        assert_error(response, 503)
        assert response.headers["Retry-After"] == "60"
        assert "X-RateLimit-Remaining" in response.headers  # the request was counted
        assert LIMITER_RETRY_AFTER not in response.headers
    finally:
        close_app(app)


def test_behind_a_trusted_proxy_clients_without_a_key_are_counted_apart(
    built, sessions, settings, encoder
):
    def third_answer_of_b(proxies: int) -> int:
        app = make_app(
            settings.replace(rate_limit="2 per minute", trusted_proxies=proxies), encoder
        )
        try:
            client = app.test_client()
            for _ in range(2):  # the unsubscribe link needs no key: limited by address
                a = {"X-Forwarded-For": "203.0.113.7"}
                assert client.get("/v1/unsubscribe?token=x", headers=a).status_code != 429
            b = {"X-Forwarded-For": "198.51.100.9"}
            return client.get("/v1/unsubscribe?token=x", headers=b).status_code
        finally:
            close_app(app)

    assert third_answer_of_b(1) != 429  # its own count
    assert third_answer_of_b(0) == 429  # the header not believed: one address, the proxy's


def test_request_ids_are_echoed_or_made_and_keys_are_never_logged(client, rw, caplog):
    logger = logging.getLogger("api")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="api"):
            mine = client.get("/v1/members", headers={**rw, "X-Request-ID": "req-42"})
            made = client.get("/health")
    finally:
        logger.removeHandler(caplog.handler)
    assert mine.headers["X-Request-ID"] == "req-42"
    assert len(made.headers["X-Request-ID"]) == 32
    lines = [r for r in caplog.records if r.getMessage() == "request"]
    assert [r.request_id for r in lines] == ["req-42", made.headers["X-Request-ID"]]
    assert lines[0].key_name == "test" and lines[0].status == 200
    assert rw["X-API-Key"] not in caplog.text
    for record in lines:
        assert rw["X-API-Key"] not in str(record.__dict__)


def test_metrics_count_requests_per_endpoint_and_name_the_build(client, ro, built):
    client.get("/v1/members/hum/matches", headers=ro)
    client.get("/v1/members/nobody/matches", headers=ro)
    response = client.get("/metrics")
    assert response.headers["Content-Type"].count("charset") == 1  # not said twice
    text = response.get_data(as_text=True)
    assert (
        'matcher_http_requests_total{endpoint="/v1/members/<member_id>/matches",'
        'method="GET",status="200"} 1.0' in text
    )
    assert 'status="404"} 1.0' in text
    assert "matcher_http_request_duration_seconds_bucket" in text
    # Any word is passed on as a method; each would be a new series kept until a restart.
    for word in ("P000001", "P000002", "BREW"):
        client.open("/no/such/route", method=word)
    text = client.get("/metrics").get_data(as_text=True)
    assert "P000001" not in text and "BREW" not in text
    assert 'endpoint="unmatched",method="other",status="404"} 3.0' in text
    assert f'matcher_build_info{{build_id="{built}"}} 1.0' in text


def test_cors_follows_the_setting(built, sessions, settings, encoder, client):
    preflight = {
        "Origin": "https://site.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-API-Key",
    }
    assert (
        "Access-Control-Allow-Origin"
        not in client.options("/v1/members", headers=preflight).headers
    )
    app = make_app(settings.replace(cors_origins="https://site.example"), encoder)
    try:
        site = app.test_client()
        response = site.options("/v1/members", headers=preflight)
        assert response.headers["Access-Control-Allow-Origin"] == "https://site.example"
        assert "x-api-key" in response.headers["Access-Control-Allow-Headers"].lower()
        # Kept by the browser for a while: every request with a key is preflighted, and a
        # preflight kept 5 s (Chrome's default without Max-Age) doubled a page's requests.
        assert response.headers["Access-Control-Max-Age"] == "600"
        # A create retried safely from a browser (the docs' Idempotency-Key): an integrator's
        # preflight was refused it, and could not read whether an answer was a repeat's.
        retry = {**preflight, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "X-API-Key, Idempotency-Key"}  # fmt: skip
        allowed = site.options("/v1/posts", headers=retry).headers
        assert "idempotency-key" in allowed.get("Access-Control-Allow-Headers", "").lower()
        methods = set(response.headers["Access-Control-Allow-Methods"].split(", "))
        assert methods == {"GET", "POST", "PATCH", "DELETE"}  # no route takes a PUT
        ro = key_headers(sessions, "read")
        answer = site.get("/v1/members", headers={**ro, "Origin": "https://site.example"})
        assert answer.headers["Access-Control-Allow-Origin"] == "https://site.example"
        exposed = answer.headers["Access-Control-Expose-Headers"]
        # Location: where a create's 201 says what it made is; ETag, to revalidate an answer;
        # Link, a list's next page: each for a page to read.
        assert {
            "X-Request-ID", "X-RateLimit-Remaining", "Idempotent-Replayed", "Location", "ETag",
            "Link",
        } <= {h.strip() for h in exposed.split(",")}  # fmt: skip
        # A page that keeps an answer's ETag itself may send it back.
        check = {**preflight, "Access-Control-Request-Headers": "X-API-Key, If-None-Match"}
        allowed = site.options("/v1/members", headers=check).headers
        assert "if-none-match" in allowed.get("Access-Control-Allow-Headers", "").lower()
        # A 304 to a page's If-None-Match is as readable by it as the 200 was.
        kept = {**ro, "Origin": "https://site.example", "If-None-Match": answer.headers["ETag"]}
        unchanged = site.get("/v1/members", headers=kept)
        assert unchanged.status_code == 304
        assert unchanged.headers["Access-Control-Allow-Origin"] == "https://site.example"
        assert "ETag" in unchanged.headers["Access-Control-Expose-Headers"]
        # The answer depends on the Origin: caches in between are told so, whatever it was.
        for origin in ({"Origin": "https://site.example"}, {"Origin": "https://other.example"}, {}):
            answer = site.get("/v1/members", headers={**ro, **origin})
            assert "Origin" in answer.vary
        assert "Access-Control-Allow-Origin" not in answer.headers  # none without an Origin
    finally:
        close_app(app)


def test_members_data_is_kept_out_of_caches_in_between(client, ro, rw, settings):
    from matcher.unsubscribe import make_token

    for response in (
        client.get("/v1/members/nobody", headers=ro),  # errors
        client.post("/v1/search", json={"text": "a drummer"}, headers=ro),
        client.patch("/v1/members/hum", json={"town": "Leeds"}, headers=rw),
        # Who contacted, declined, blocked or reported whom: kept by no browser either.
        client.get("/v1/members/hum/interactions", headers=rw),
        # Read with a secret: the token in its URL unsubscribes the member.
        client.get(
            "/v1/unsubscribe", query_string={"token": make_token(settings.secret_key, "hum")}
        ),
    ):
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers
    assert "no-store" not in client.get("/openapi.json").headers.get("Cache-Control", "")


READ_BY_GET = (
    "/v1/members",
    "/v1/members/hum",
    "/v1/members/hum/matches",
    "/v1/members/hum/posts",
    "/v1/posts/hum-n0",
    "/v1/model",
)


def test_an_answer_read_again_unchanged_is_a_304_without_the_body(client, rw):
    """Each poll of a member's matches sent the whole list again, uncacheable (an integrator)."""
    for path in READ_BY_GET:
        first = client.get(path, headers=rw)
        assert first.status_code == 200, path
        etag, weak = first.get_etag()
        assert etag and not weak, path  # strong: a hash of the body
        # The browser may keep it, asking again each time; no cache in between keeps it.
        assert first.cache_control.private and first.cache_control.no_cache, path
        assert not first.cache_control.no_store, path
        again = client.get(path, headers={**rw, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path
        assert again.headers["ETag"] == first.headers["ETag"], path
        assert again.cache_control.private and again.cache_control.no_cache, path
        stale = client.get(path, headers={**rw, "If-None-Match": '"another"'})
        assert stale.status_code == 200 and stale.data == first.data, path
    # A change is a new answer: the old ETag is a 200 with the new body.
    before = client.get("/v1/members/hum", headers=rw)
    client.patch("/v1/members/hum", json={"name": "Hum II"}, headers=rw)
    after = client.get("/v1/members/hum", headers={**rw, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.get_json()["name"] == "Hum II"
    assert after.headers["ETag"] != before.headers["ETag"]
    # The key is checked first: a request without one reads no 304.
    assert (
        client.get("/v1/members/hum", headers={"If-None-Match": after.headers["ETag"]}).status_code
        == 401
    )


def test_the_openapi_document_declares_the_304_and_its_headers(client):
    spec = client.get("/openapi.json").get_json()
    assert {"ETag", "Cache-Control"} <= set(spec["components"]["headers"])
    for path in ("/v1/members/{member_id}/matches", "/v1/members", "/v1/posts/{post_id}"):
        operation = spec["paths"][path]["get"]
        assert "If-None-Match" in [p["name"] for p in operation["parameters"]], path
        assert {"ETag", "Cache-Control"} <= set(operation["responses"]["200"]["headers"]), path
        assert {"ETag", "Cache-Control"} <= set(operation["responses"]["304"]["headers"]), path
        assert "content" not in operation["responses"]["304"], path
    assert "304" not in spec["paths"]["/v1/unsubscribe"]["get"]["responses"]


def test_the_openapi_document_describes_the_key_and_the_errors(client, ro):
    spec = client.get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": spec["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }
    create = spec["paths"]["/v1/members"]["post"]
    assert {"201", "400", "401", "403", "409", "413", "415", "422", "429"} <= set(
        create["responses"]
    )
    # A repeat under an Idempotency-Key answers 200 with the same schema as the 201.
    for path in ("/v1/members", "/v1/posts", "/v1/interactions"):
        operation = spec["paths"][path]["post"]
        assert [p["name"] for p in operation["parameters"]] == ["Idempotency-Key"], path
        replay, made = (operation["responses"][c] for c in ("200", "201"))
        assert replay["content"] == made["content"], path
        assert "Idempotent-Replayed" in replay["headers"], path
    assert "security" not in spec["paths"]["/health"]["get"]
    # The headers it states are those a client gets: the rate limit's where it applies.
    # (A page with more after it: the Link header too.)
    for path, code, query in (("/v1/members", "200", "?limit=1"), ("/health", "200", "")):
        stated = set(spec["paths"][path]["get"]["responses"][code]["headers"])
        sent = set(client.get(path + query, headers=ro).headers.keys())
        assert "X-Request-ID" in stated and stated <= sent, path
        assert ("X-RateLimit-Remaining" in stated) is path.startswith("/v1/")
    assert "Retry-After" in create["responses"]["429"]["headers"]
    assert "Retry-After" not in create["responses"]["201"]["headers"]
    assert client.get("/docs").status_code == 200
    # What an id in a path may be; any other is a 404 (the route is not found).
    parameters = spec["paths"]["/v1/members/{member_id}"]["get"]["parameters"]
    (member_id,) = (p for p in parameters if p["in"] == "path")
    assert member_id["schema"]["maxLength"] == 100 and member_id["schema"]["minLength"] == 1
    pattern = re.compile(member_id["schema"]["pattern"])
    assert pattern.match("m000001") and not pattern.match("a/b") and not pattern.match("a\nb")
    assert not pattern.match("..") and pattern.match("...")
    assert client.get(f"/v1/members/{'m' * 101}", headers=ro).status_code == 404


def test_the_docs_page_needs_nothing_from_the_internet(client):
    import re

    page = client.get("/docs").get_data(as_text=True)
    linked = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert linked and not [url for url in linked if "://" in url]  # no CDN
    for url in linked:
        with client.get(url) as response:  # a file: closed when read
            assert response.status_code == 200 and len(response.data) > 500, url
