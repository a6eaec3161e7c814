"""Fixtures of the API tests: a tiny community, its build, the app, a client and keys."""

from __future__ import annotations

import pytest

from tests.api.helpers import build, close_app, key_headers, make_app, seed_community


@pytest.fixture
def built(sessions, settings, encoder):
    seed_community(sessions)
    return build(sessions, encoder, settings)


@pytest.fixture
def app(built, settings, encoder):
    app = make_app(settings, encoder)
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def rw(sessions):
    return key_headers(sessions, "read", "write")


@pytest.fixture
def ro(sessions):
    return key_headers(sessions, "read", name="read-only")
