"""SMTP delivery, sent exactly once even when killed, on PostgreSQL: tests of
test_digest_smtp, run again on a server started on loopback (tests/postgres.py)."""

from __future__ import annotations

import pytest

from tests.postgres import postgres_server, settings  # noqa: F401 - the fixtures
from tests.test_digest_smtp import (  # noqa: F401
    chosen,
    inbox,
    test_a_job_killed_mid_delivery_and_run_again_sends_nobody_a_second_email,
    test_a_job_stopped_by_sigterm_before_data_gives_the_digest_back,
    test_a_run_interrupted_between_messages_then_rerun_sends_the_rest_once,
    test_a_second_run_sends_nothing_again,
    test_every_opted_in_member_gets_exactly_one_multipart_message,
    test_unsubscribing_after_the_choice_still_stops_the_email,
)

pytestmark = pytest.mark.postgres
