"""`matcher copy-store`: the whole store into another, all or nothing, ids and history kept.
(test_postgres_store runs these again into PostgreSQL.)"""

from __future__ import annotations

from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from matcher import community
from matcher.cli import main
from matcher.db import close_store, open_store
from matcher.digest.mail import Outbox
from matcher.digest.render import Renderer
from matcher.digest.send import deliver
from matcher.engine import Matcher
from matcher.erase import erase_member
from matcher.index import BuildIndex
from matcher.keys import create_key
from matcher.store import Base
from tests.conftest import settings_in
from tests.test_digest_support import WEEK, add_people, build_matcher, choose, clock


@pytest.fixture
def source(tmp_path, encoder):
    """A SQLite store with a community, a build, a delivered week, a key and an erasure."""
    settings = settings_in(tmp_path / "from")
    sessions = open_store(settings)
    add_people(sessions)
    matcher = build_matcher(sessions, settings, encoder)
    choose(sessions, settings, matcher)
    deliver(sessions, WEEK, Renderer(settings), Outbox(tmp_path / "outbox"), now=clock)
    create_key(sessions, "the community's site", ["read"], clock=clock)
    erase_member(sessions, "lab", clock=clock)
    yield settings, sessions
    close_store(sessions)


@pytest.fixture
def target_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'to.db'}"


def _counts(sessions) -> dict[str, int]:
    with sessions() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


def _copy(settings, target_url: str):
    args = ["--database-url", settings.database, "--models-dir", str(settings.models_dir)]
    return CliRunner().invoke(main, [*args, "copy-store", target_url])


def test_every_table_is_copied_and_the_copy_serves_as_the_store_did(source, target_url, encoder):
    settings, sessions = source
    result = _copy(settings, target_url)
    assert result.exit_code == 0, result.output
    before = _counts(sessions)
    assert all(before[t] > 0 for t in ("api_keys", "digests", "digest_matches", "erased_ids"))
    copied = settings.replace(database_url=target_url)
    into = open_store(copied)
    try:
        assert _counts(into) == before
        assert "digests: " + str(before["digests"]) in result.output
        # What the copy is good for, a move or a backup: not only "serve it with", wrong
        # advice for a backup.
        said = " ".join(result.output.split())
        assert f"a move: serve it with MATCHER_DATABASE_URL={target_url}" in said
        assert "a backup: keep it; to restore it, run `matcher copy-store` with" in said
        assert f"MATCHER_DATABASE_URL={target_url} into an empty store" in said
        # The same build serves the copy as it served the store: ids are kept.
        index = BuildIndex.load(settings.models_dir)
        was = Matcher(index, sessions, settings, encoder=encoder).for_member("hum")
        now = Matcher(index, into, copied, encoder=encoder).for_member("hum")
        assert [(m.member_id, m.score) for m in now] == [(m.member_id, m.score) for m in was]
        # The week is known to be sent: a second run sends nobody anything.
        again = deliver(into, WEEK, Renderer(copied), Outbox(settings.data_dir / "x"), now=clock)
        assert again.sent == 0
        # New rows get new ids (PostgreSQL's sequences moved past the copied ones).
        community.add_member(into, {"name": "New", "kind": "fan"}, external_id="new")
        assert _counts(into)["members"] == before["members"] + 1
    finally:
        close_store(into)


def test_a_store_that_holds_rows_is_not_copied_into(source, target_url):
    settings, _ = source
    assert _copy(settings, target_url).exit_code == 0
    again = _copy(settings, target_url)
    assert again.exit_code != 0 and "is not empty (api_keys 1, " in again.output
    assert "nothing copied" in again.output
    same = _copy(settings, settings.database)
    assert same.exit_code != 0 and "is the store to copy from" in same.output


def test_a_copy_reads_the_store_as_of_one_moment_while_it_is_written(source, target_url, encoder):
    """A backup taken while the API runs: a member and their post added after the copy has
    read the members, before it reads the posts, are in neither, not in half."""
    settings, sessions = source
    before = _counts(sessions)
    target = open_store(replace(settings, database_url=target_url))
    try:
        copied = copy_while_a_member_joins(sessions, target, encoder)
        assert copied == before and _counts(target) == before
        assert _counts(sessions)["members"] == before["members"] + 1  # written meanwhile
    finally:
        close_store(target)


def copy_while_a_member_joins(sessions, target, encoder) -> dict[str, int]:
    """`copy_store` from `sessions` to `target`, a member and their post added to the source
    once its first rows are copied; the rows copied per table."""
    from matcher.copy import copy_store

    added = []

    def while_copying(_rows: int) -> None:
        if not added:
            community.add_member(sessions, {"name": "Late", "kind": "band"}, external_id="late")
            community.add_post(sessions, encoder, member_id="late", side="need", text="a drummer")
            added.append(True)

    copied = copy_store(sessions, target, advance=while_copying)
    assert added
    return copied
