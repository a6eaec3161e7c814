from __future__ import annotations

import json
import multiprocessing
import os
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, make_url, select
from sqlalchemy.exc import IntegrityError

from matcher import migrate
from matcher.config import Settings
from matcher.db import engine_for
from matcher.store import Member, Post, make_engine


@pytest.fixture
def engine(settings: Settings):
    """An engine on the test's store, closed at the end (the server's connections too)."""
    engine = engine_for(settings)
    yield engine
    engine.dispose()


def test_migration_upgrades_an_empty_database_to_the_newest_schema(engine):
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"members", "posts", "interactions", "digests", "digest_matches"} <= tables
    migrate.upgrade(engine)  # a second upgrade is a no-op
    assert migrate.current_revision(engine) == migrate.head_revision()


def _migrate_when_both_are_ready(url: str, ready, outcome) -> None:
    """A command starting: open the store and migrate it, once the other command is ready."""
    engine = make_engine(url)
    try:
        ready.wait(60)
        migrate.upgrade(engine)
        outcome.put("migrated")
    except Exception as exc:
        outcome.put(repr(exc))
    finally:
        engine.dispose()


def test_two_commands_that_migrate_a_new_store_at_once_both_go_on(settings):
    # Every command migrates the store as it starts: the API restarted after an upgrade as a
    # cron job begins, say. One migrates, the other finds the schema new; neither fails.
    engine_for(settings).dispose()  # the store's file made, as a command does first
    context = multiprocessing.get_context("spawn")
    ready, outcome = context.Barrier(2), context.Queue()
    commands = [
        context.Process(
            target=_migrate_when_both_are_ready, args=(settings.database, ready, outcome)
        )
        for _ in range(2)
    ]
    for command_ in commands:
        command_.start()
    said = [outcome.get(timeout=120) for _ in commands]
    for command_ in commands:
        command_.join(60)
    assert said == ["migrated", "migrated"]


def test_migrating_leaves_the_locks_of_other_connections_on_the_store(settings):
    # Closing any descriptor of a SQLite file drops every POSIX lock the process holds on
    # it: a migration that locked the store's file itself dropped the read lock of another
    # connection's open transaction, so a writer could change the pages it was reading (and
    # SQLite, which keeps one count of the process's locks per file, took none again).
    engine, other = engine_for(settings), make_engine(settings.database)
    migrate.upgrade(engine)
    reader = other.connect()
    try:
        reader.exec_driver_sql("BEGIN")
        reader.execute(select(Member.id)).all()
        held = _locks_on(settings.database)
        assert held  # the reader's shared lock
        migrate.upgrade(engine)
        assert _locks_on(settings.database) == held
    finally:
        reader.close()
        other.dispose()
        engine.dispose()


def _locks_on(database: str) -> list[str]:
    """The locks this machine holds on a SQLite store's file (Linux's /proc/locks)."""
    inode = os.stat(make_url(database).database).st_ino
    with open("/proc/locks") as locks:
        return [" ".join(line.split()[1:]) for line in locks if f":{inode} " in line]


def test_times_come_back_aware_in_utc(sessions):
    joined = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with sessions.begin() as session:
        session.add(Member(external_id="m1", name="The Hum", kind="band", joined_at=joined))
    with sessions() as session:
        member = session.scalars(select(Member)).one()
    assert member.joined_at == joined
    assert member.joined_at.tzinfo is not None


def test_foreign_keys_are_enforced(sessions):
    with pytest.raises(IntegrityError) as refused, sessions.begin() as session:
        session.add(Post(external_id="p1", member_id=999, side="need", text="a private need"))
    # What a statement was to write stays out of the error (and so out of every log).
    assert "private need" not in str(refused.value)


def test_a_database_with_data_upgrades_in_place(engine):
    from sqlalchemy import text

    migrate.upgrade(engine, "0001_initial")
    with engine.begin() as c:
        c.execute(
            text(
                "insert into members (external_id, name, kind, tags, email_consent, share_contact,"
                " capacity, active, joined_at, updated_at) values ('a', 'A', 'band', '[]', :yes,"
                " :no, 3, :yes, '2026-01-01', '2026-01-01')"
            ),
            {"yes": True, "no": False},  # booleans as each database spells them
        )
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.begin() as c:
        rows = c.execute(text("select external_id, email_consent, unsubscribed_at from members"))
        assert rows.all() == [("a", 1, None)]


def test_a_store_that_reached_0003_before_it_dropped_the_kind_index_loses_it(engine):
    migrate.upgrade(engine, "0003_request_indexes")
    with engine.begin() as c:  # as 0003 first shipped: the index on kind alone kept
        c.exec_driver_sql("create index ix_interactions_kind on interactions (kind)")
    migrate.upgrade(engine)
    names = {index["name"] for index in inspect(engine).get_indexes("interactions")}
    assert "ix_interactions_kind" not in names and "ix_interactions_kind_id" in names


def test_tags_stored_with_commas_are_split_so_an_export_imports_again(engine):
    from sqlalchemy import text

    migrate.upgrade(engine, "0004_kind_index_gone")
    with engine.begin() as c:  # "rock, folk" from a spreadsheet, stored as one tag before
        c.execute(
            text(
                "insert into members (external_id, name, kind, tags, email_consent, share_contact,"
                " capacity, active, joined_at, updated_at) values ('a', 'A', 'band', :tags, :yes,"
                " :no, 3, :yes, '2026-01-01', '2026-01-01')"
            ),
            {"tags": '["rock, folk", "folk", "drums"]', "yes": True, "no": False},
        )
    migrate.upgrade(engine)
    with engine.begin() as c:
        stored = c.execute(text("select tags from members")).scalar_one()
    assert (json.loads(stored) if isinstance(stored, str) else stored) == ["rock", "folk", "drums"]


def test_members_closed_before_closing_times_were_kept_closed_at_their_last_update(engine):
    from sqlalchemy import text

    migrate.upgrade(engine, "0006_idempotency_keys")
    with engine.begin() as c:
        for key, active, updated in (("a", True, "2026-01-01"), ("b", False, "2026-02-03")):
            c.execute(
                text(
                    "insert into members (external_id, name, kind, tags, email_consent,"
                    " share_contact, capacity, active, joined_at, updated_at) values (:key, 'A',"
                    " 'band', '[]', :no, :no, 3, :active, '2026-01-01', :updated)"
                ),
                {"key": key, "active": active, "no": False, "updated": updated},
            )
    migrate.upgrade(engine)
    with engine.begin() as c:
        rows = c.execute(text("select external_id, closed_at from members order by 1")).all()
    assert [(key, str(closed)[:10] if closed else None) for key, closed in rows] == [
        ("a", None),
        ("b", "2026-02-03"),
    ]


def _one_member_with_a_need(engine) -> None:
    """A member and their need, written in SQL (as a store at an older schema holds them)."""
    from sqlalchemy import text

    with engine.begin() as c:
        c.execute(
            text(
                "insert into members (external_id, name, kind, tags, email_consent,"
                " share_contact, capacity, active, joined_at, updated_at) values ('a', 'A',"
                " 'band', '[]', :no, :no, 3, :yes, '2026-01-01', '2026-01-01')"
            ),
            {"yes": True, "no": False},
        )
        c.execute(
            text(
                "insert into posts (external_id, member_id, side, text, tags, status,"
                " created_at, updated_at) values ('p', 1, 'need', 'a drummer', '[]', 'open',"
                " '2026-01-01', '2026-01-01')"
            )
        )


def test_a_downgrade_of_the_members_table_keeps_the_posts_and_interactions(engine):
    from sqlalchemy import text

    migrate.upgrade(engine)
    _one_member_with_a_need(engine)
    with engine.begin() as connection:  # as `alembic downgrade` would
        command.downgrade(migrate._config(connection), "0001_initial")
    with engine.begin() as c:
        assert c.execute(text("select count(*) from posts")).scalar_one() == 1


def test_the_tables_of_revisions_come_and_go_with_their_migration(engine):
    from sqlalchemy import text

    migrate.upgrade(engine, "0011_key_last_used")
    _one_member_with_a_need(engine)
    assert not {"post_revisions", "member_revisions"} & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert {"post_revisions", "member_revisions"} <= set(inspect(engine).get_table_names())
    with engine.begin() as c:
        c.execute(
            text(
                "insert into post_revisions (post_id, replaced_at, text, tags)"
                " values (1, '2026-02-01', 'a drummer, once', '[]')"
            )
        )
        c.execute(
            text(
                "insert into member_revisions (member_id, replaced_at, town, tags, capacity)"
                " values (1, '2026-02-01', 'Leeds', '[]', 2)"
            )
        )
    with engine.begin() as connection:  # as `alembic downgrade` would
        command.downgrade(migrate._config(connection), "0011_key_last_used")
    assert not {"post_revisions", "member_revisions"} & set(inspect(engine).get_table_names())
    with engine.begin() as c:
        assert c.execute(text("select count(*) from posts")).scalar_one() == 1
    migrate.upgrade(engine)  # and up again, empty
    with engine.begin() as c:
        assert c.execute(text("select count(*) from post_revisions")).scalar_one() == 0


def test_a_store_this_release_cannot_read_is_one_clear_error(engine, settings, tmp_path):
    from sqlalchemy import text

    from matcher.errors import ConfigError
    from matcher.store import make_engine

    migrate.upgrade(engine)
    with engine.begin() as c:  # as a newer release would leave it
        c.execute(text("update alembic_version set version_num = '0099_newer'"))
    with pytest.raises(ConfigError, match=r"schema this release does not know.*0099_newer"):
        migrate.upgrade(engine)
    if settings.database.startswith("sqlite"):
        other = tmp_path / "notes.db"
        other.write_text("not a database")
        stray = make_engine(f"sqlite:///{other}")
        for step in (migrate.upgrade, migrate.current_revision):  # `matcher migrate` asks first
            with pytest.raises(ConfigError, match="is not a SQLite database"):
                step(stray)
        stray.dispose()


def test_a_model_folder_that_holds_no_model_is_one_clear_error(tmp_path):
    from matcher.embed import SentenceEncoder
    from matcher.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot load encoder"):
        SentenceEncoder(str(tmp_path))


def test_the_migrations_build_exactly_the_models_schema(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from matcher.store import Base

    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_a_command_that_upgrades_the_schema_says_so(settings):
    """`matcher stats` upgraded a store without a word, while an API of the older release
    still served it (an operator)."""
    from click.testing import CliRunner

    from matcher.cli import main

    old = engine_for(settings)
    migrate.upgrade(old, "0001_initial")
    old.dispose()
    args = ["--data-dir", str(settings.data_dir), "--models-dir", str(settings.models_dir)]
    first = CliRunner().invoke(main, [*args, "stats"])
    assert first.exit_code == 0, first.output
    said = f"upgraded the store's schema 0001_initial -> {migrate.head_revision()}"
    assert said in first.output
    again = CliRunner().invoke(main, [*args, "stats"])
    assert again.exit_code == 0 and "upgraded" not in again.output
