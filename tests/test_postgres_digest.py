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


def test_the_week_lock_is_the_stores_so_it_holds_across_processes_and_hosts(settings):  # noqa: F811
    from matcher.db import close_store, open_store
    from matcher.digest.lock import week_lock
    from matcher.errors import Busy

    # Two stores opened apart, as two hosts would: the lock lives in PostgreSQL, not a file.
    first, second = open_store(settings), open_store(settings)
    try:
        with week_lock(first, "2026-W48", settings.data_dir / "a"):
            with (
                pytest.raises(Busy, match="another digest run for 2026-W48 is in progress"),
                week_lock(second, "2026-W48", settings.data_dir / "b"),
            ):
                pass
            with week_lock(second, "2026-W49", settings.data_dir / "b"):
                pass  # another week is free
        with week_lock(second, "2026-W48", settings.data_dir / "b"):
            pass  # released at the end of the run
    finally:
        close_store(first)
        close_store(second)


def test_a_run_that_fails_as_the_store_goes_away_reports_its_own_error(settings):  # noqa: F811
    # The store restarted mid-run: the lock's connection is gone, and unlocking fails too.
    # The error reported must be the run's, not the unlock's.
    from sqlalchemy import text

    from matcher.db import close_store, open_store
    from matcher.digest.lock import week_lock

    sessions, other = open_store(settings), open_store(settings)
    try:
        with (
            pytest.raises(RuntimeError, match="the run's own error"),
            week_lock(sessions, "2026-W48", settings.data_dir),
        ):
            with other.begin() as s:  # every other connection to the store is cut
                s.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            raise RuntimeError("the run's own error")
    finally:
        close_store(sessions)
        close_store(other)
