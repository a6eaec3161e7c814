"""The API against its own contract: schemathesis reads /openapi.json from the live app.

Every operation is called with generated requests, valid and invalid, carrying a read+write
key (and, where a path names a member or a post, sometimes a real one); no answer may be a
server error or off the published schema. Bounded: a few examples per operation.

(schemathesis' own pytest loader `from_fixture` fails on this pytest (no `Item._nodeid`), so
the operations' Hypothesis strategies are driven directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.api.helpers import build, close_app, key_headers, make_app, seed_community

EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
# Operations with rules no schema can state, where a schema-valid request may rightly be a 422:
# an interaction between a member and themselves, an unsubscribe token with a bad signature,
# a post's expiry already past, a member's place with one coordinate only.
DOMAIN_RULES = {
    "PATCH /v1/posts/{post_id}",
    "POST /v1/members",
    "PATCH /v1/members/{member_id}",
    "POST /v1/interactions",
    "GET /v1/unsubscribe",
    "POST /v1/unsubscribe",
    "POST /v1/posts",
}
KNOWN = {"member_id": ["hum", "kit", "far"], "post_id": ["hum-n0", "kit-o0"]}


@pytest.fixture
def live(sessions, settings, encoder):
    seed_community(sessions)
    build(sessions, encoder, settings)
    app = make_app(settings, encoder)
    yield app, key_headers(sessions, "read", "write")
    close_app(app)


def cases(operation, mode: GenerationMode) -> st.SearchStrategy:
    """Generated requests, and as many again aimed at members and posts that exist."""
    strategy = operation.as_strategy(generation_mode=mode)
    named = {k: v for k, v in KNOWN.items() if "{" + k + "}" in operation.path}
    if not named or mode is GenerationMode.NEGATIVE:
        return strategy
    fixed = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in named.items()})
    return st.one_of(
        strategy, fixed.flatmap(lambda p: operation.as_strategy(mode, path_parameters=p))
    )


def check(operation, mode: GenerationMode) -> None:
    """Call one operation with generated requests; raise on the first answer off the contract."""
    name = f"{operation.method.upper()} {operation.path}"
    # Keys are the auth tests' (test_api_access.py): an operation with a header parameter
    # (Idempotency-Key) has its configured key taken for a generated one by ignored_auth.
    excluded = [ignored_auth, *([positive_data_acceptance] if name in DOMAIN_RULES else [])]

    @given(case=cases(operation, mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def keeps_to_the_contract(case):
        case.call_and_validate(excluded_checks=excluded)

    keeps_to_the_contract()


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_every_operation_keeps_to_the_contract(live, mode):
    app, headers = live
    config = schemathesis.Config.from_dict(
        # The key goes in every request; generating (wrong) keys is left to the auth tests.
        {"headers": headers, "generation": {"with-security-parameters": False}}
    )
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures = []
    for operation in operations:
        try:
            check(operation, mode)
        except Unsatisfiable:  # nothing to break in a request without parameters
            assert mode is GenerationMode.NEGATIVE
        except (Exception, BaseExceptionGroup) as exc:  # gather every operation's failures
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
