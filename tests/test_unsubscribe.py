from __future__ import annotations

import pytest

from matcher.errors import ConfigError, InvalidInput
from matcher.unsubscribe import make_token, read_token


def test_a_token_names_its_member_and_cannot_be_forged():
    token = make_token("s3cret", "m-1")
    assert read_token("s3cret", token) == "m-1"
    with pytest.raises(InvalidInput):
        read_token("another-secret", token)
    with pytest.raises(InvalidInput):
        read_token("s3cret", token[:-2] + "xx")


def test_no_secret_is_a_configuration_error():
    with pytest.raises(ConfigError, match="MATCHER_SECRET_KEY"):
        make_token("", "m-1")
