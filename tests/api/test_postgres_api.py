"""The API on PostgreSQL: matches, live posts, interactions, members and unsubscribing (tests of
test_api) and gunicorn workers sharing the store while builds are swapped (test_api_serving),
run again on a server started on loopback (tests/postgres.py)."""

from __future__ import annotations

import pytest

from tests.api.test_api import (  # noqa: F401
    test_a_block_removes_the_pair_at_once_both_ways,
    test_a_members_matches_come_best_first_with_reasons,
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
