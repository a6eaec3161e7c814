"""The API on PostgreSQL: matches, live posts, interactions, members and unsubscribing (tests of
test_api) and gunicorn workers sharing the store while builds are swapped (test_api_serving),
run again on a server started on loopback (tests/postgres.py)."""

from __future__ import annotations

import pytest

from tests.api.test_api import (  # noqa: F401
    test_a_block_removes_the_pair_at_once_both_ways,
    test_a_decline_lists_the_helper_after_those_still_to_ask_at_once,
    test_a_members_interactions_read_page_after_page_show_none_twice,
    test_a_members_matches_come_best_first_with_reasons,
    test_a_members_posts_read_page_after_page_show_none_twice,
    test_a_post_created_through_the_api_is_matched_at_once,
    test_interactions_are_recorded_with_posts_and_ids,
    test_members_can_be_listed_created_edited_and_closed,
    test_ready_is_503_until_there_is_a_build,
    test_search_by_a_typed_need,
    test_unsubscribe_by_the_signed_link,
)
from tests.api.test_api_serving import (  # noqa: F401
    test_matcher_serve_runs_gunicorn_workers_and_swaps_builds,
)
from tests.postgres import postgres_server, settings  # noqa: F401 - the fixtures

pytestmark = pytest.mark.postgres


def test_a_keys_use_is_written_unless_its_row_is_held(sessions):
    """A key's use is written down on PostgreSQL too, and a row that another transaction holds
    (a key being revoked) is not waited for: the next use writes it."""
    import time
    from datetime import UTC, datetime

    from sqlalchemy import text

    from matcher import keys

    _, plaintext = keys.create_key(sessions, "site", ["read"])
    t0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    with sessions() as other:
        other.execute(text("SELECT id FROM api_keys FOR UPDATE"))
        started = time.monotonic()
        assert keys.verify_key(sessions, plaintext, clock=lambda: t0) is not None
        assert time.monotonic() - started < 2
        other.rollback()
    assert keys.list_keys(sessions)[0].last_used_at is None
    assert keys.verify_key(sessions, plaintext, clock=lambda: t0) is not None
    assert keys.list_keys(sessions)[0].last_used_at == t0
