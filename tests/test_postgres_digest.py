"""The weekly job's exactly-once delivery on PostgreSQL: the outbox tests of
test_digest_outbox, run again on a server started on loopback (tests/postgres.py)."""

from __future__ import annotations

import pytest

from tests.postgres import postgres_server, settings  # noqa: F401 - the fixtures
from tests.test_digest_outbox import (  # noqa: F401
    chosen,
    test_a_killed_run_is_finished_by_the_next_one_using_the_files,
    test_a_limit_leaves_the_rest_for_the_next_run,
    test_a_second_run_writes_nothing,
    test_one_eml_per_recipient_and_an_index_to_preview_them,
    test_two_runs_never_claim_the_same_digest,
)

pytestmark = pytest.mark.postgres
