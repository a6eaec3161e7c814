"""The store, imports and the match engine on PostgreSQL: the SQLite tests of
test_store, test_io, test_revisions and test_engine, run again on a server started on loopback
(tests/postgres.py; skipped, saying why, where PostgreSQL is not installed)."""

from __future__ import annotations

import pytest

from tests.postgres import postgres_server, settings  # noqa: F401 - the fixtures
from tests.test_copy import (  # noqa: F401
    source,
    test_a_store_that_holds_rows_is_not_copied_into,
    test_every_table_is_copied_and_the_copy_serves_as_the_store_did,
)
from tests.test_engine import (  # noqa: F401
    community,
    test_a_block_or_report_removes_the_pair_at_once_both_ways,
    test_a_drummer_in_town_ranks_first_and_the_seeker_never_matches_themselves,
    test_build_if_stale_skips_only_when_nothing_changed,
    test_build_writes_a_folder_with_a_manifest_and_switches_current,
    test_editing_the_tags_or_expiry_of_a_built_post_counts_without_a_rebuild,
    test_past_help_is_a_reason_with_its_count,
)
from tests.test_erase import (  # noqa: F401
    erased,
    test_an_erased_member_cannot_be_opened_again_nor_named,
    test_erasing_takes_out_the_members_words_profile_and_emails,
    test_no_vector_outlives_the_words_it_was_made_from,
    test_the_id_is_retired,
)
from tests.test_io import (  # noqa: F401
    stocked,
    test_a_changed_post_text_updates_exactly_that_post,
    test_a_dry_run_counts_but_writes_nothing,
    test_a_need_must_be_the_seekers_and_an_offer_the_helpers,
    test_a_successful_import_is_recorded,
    test_an_import_cannot_sign_up_again_a_member_who_unsubscribed,
    test_columns_a_file_leaves_out_keep_the_stored_values,
    test_empty_defaulted_cells_get_defaults_when_new_and_keep_stored_values,
    test_every_bad_row_is_reported_and_nothing_is_written,
    test_importing_the_same_files_twice_changes_nothing,
    test_posts_and_interactions_may_reference_stored_rows,
    test_the_role_check_reads_the_stored_posts_of_a_file_that_leaves_them_out,
)
from tests.test_revisions import (  # noqa: F401
    imported,
    test_a_move_keeps_where_the_member_was_until_then,
    test_a_reworded_or_retagged_post_keeps_what_it_said,
    test_an_edit_of_what_no_feature_reads_keeps_nothing,
    test_an_import_keeps_what_it_changed_as_of_the_import,
    test_an_import_that_fails_while_writing_keeps_nothing,
    test_erasure_leaves_nothing_of_what_they_said_before,
)
from tests.test_store import (  # noqa: F401
    engine,
    test_a_database_with_data_upgrades_in_place,
    test_a_store_that_reached_0003_before_it_dropped_the_kind_index_loses_it,
    test_a_store_this_release_cannot_read_is_one_clear_error,
    test_foreign_keys_are_enforced,
    test_migration_upgrades_an_empty_database_to_the_newest_schema,
    test_tags_stored_with_commas_are_split_so_an_export_imports_again,
    test_the_migrations_build_exactly_the_models_schema,
    test_the_tables_of_revisions_come_and_go_with_their_migration,
    test_times_come_back_aware_in_utc,
    test_two_commands_that_migrate_a_new_store_at_once_both_go_on,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def target_url(postgres_server):  # noqa: F811 - the fixture
    """test_copy's copies go from SQLite into a new PostgreSQL database."""
    return postgres_server.database()


def test_the_cli_never_prints_the_store_password(settings):  # noqa: F811 - the fixture
    from click.testing import CliRunner

    from matcher.cli import main

    url = settings.database.replace("postgres@", "postgres:s3cret-word@", 1)  # trust: any works
    result = CliRunner().invoke(main, ["--database-url", url, "migrate"])
    assert result.exit_code == 0, result.output
    assert "schema empty -> " in result.output
    assert "s3cret-word" not in result.output and "postgres:***@" in result.output


def test_a_database_the_server_does_not_have_is_named_as_such(settings):  # noqa: F811
    from click.testing import CliRunner

    from matcher.cli import main

    url = settings.database.rsplit("/", 1)[0] + "/nosuchdb"
    result = CliRunner().invoke(main, ["--database-url", url, "stats"])
    last = result.output.strip().splitlines()[-1]
    assert result.exit_code == 1 and last.startswith("Error: the store cannot be used: ")
    assert "nosuchdb" in last and "does not exist" in last


def test_an_import_leaves_the_planner_statistics_of_what_it_wrote(sessions, tmp_path):
    """Without them the next import's look-ups were planned as on empty tables (a second
    import of 10k members took 60 to 500 s instead of seconds, bench/bench_import.py)."""
    from sqlalchemy import text

    from matcher.io import import_files

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "members.csv").write_text("id,name,kind\nm1,The Hum,band\nm2,Kit,venue\n")
    import_files(sessions, [folder])
    with sessions() as s:
        query = text("select relname, last_analyze is not null from pg_stat_user_tables")
        analysed = {name: done for name, done in s.execute(query)}
    assert analysed["members"] is True
    assert analysed["posts"] is False  # nothing written there


def test_a_server_that_never_answers_is_given_up_on_not_waited_for(monkeypatch):
    # A socket that accepts and then says nothing, as a hung server or a partition would.
    import socket
    import threading
    import time

    from sqlalchemy.exc import OperationalError

    from matcher import store

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    monkeypatch.setitem(store.PG_CONNECT_ARGS, "connect_timeout", 2)
    port = listener.getsockname()[1]
    hung = store.make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/db")
    started = time.monotonic()
    with pytest.raises(OperationalError):
        hung.connect()
    assert time.monotonic() - started < 10
    hung.dispose()
    for connection, _ in held:
        connection.close()
    listener.close()


def test_a_copy_of_a_postgresql_store_reads_it_as_of_one_moment(settings, tmp_path, encoder):  # noqa: F811
    """As `test_a_copy_reads_the_store_as_of_one_moment_while_it_is_written`, from PostgreSQL,
    whose reads each see their own moment unless the copy asks for one (REPEATABLE READ)."""
    from dataclasses import replace

    from matcher import community as members
    from matcher.db import close_store, open_store
    from tests.test_copy import copy_while_a_member_joins

    sessions = open_store(settings)
    members.add_member(sessions, {"name": "Hum", "kind": "band"}, external_id="hum")
    members.add_post(sessions, encoder, member_id="hum", side="need", text="a drummer")
    target = open_store(replace(settings, database_url=f"sqlite:///{tmp_path / 'to.db'}"))
    try:
        copied = copy_while_a_member_joins(sessions, target, encoder)
        assert (copied["members"], copied["posts"]) == (1, 1)
    finally:
        close_store(target)
        close_store(sessions)
