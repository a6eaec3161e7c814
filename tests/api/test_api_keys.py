"""API keys: only hashes are stored; scopes; revocation; the demo key; the `keys` commands."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from matcher import keys
from matcher.cli import main
from matcher.errors import InvalidInput, NotFound
from matcher.store import ApiKey
from tests.factories import add_member


def test_only_the_hash_of_a_key_is_stored(sessions):
    info, plaintext = keys.create_key(sessions, "site", ["write", "read", "read"])
    assert info.scopes == ("read", "write")
    assert plaintext.startswith(keys.PREFIX) and len(plaintext) > 40
    with sessions() as s:
        row = s.scalars(select(ApiKey)).one()
    assert row.key_hash == keys.hash_key(plaintext) and plaintext not in row.key_hash
    assert keys.verify_key(sessions, plaintext) == info
    assert keys.verify_key(sessions, plaintext + "x") is None
    assert keys.verify_key(sessions, "") is None
    assert keys.verify_key(sessions, "x" * 10_000) is None


def test_scopes_and_names_are_checked(sessions):
    with pytest.raises(InvalidInput, match="admin"):
        keys.create_key(sessions, "site", ["admin"])
    with pytest.raises(InvalidInput, match="at least one scope"):
        keys.create_key(sessions, "site", [])
    with pytest.raises(InvalidInput, match="name"):
        keys.create_key(sessions, "  ", ["read"])
    info, _ = keys.create_key(sessions, "reader", ["read"])
    assert info.allows("read") and not info.allows("write")


def test_a_revoked_key_no_longer_verifies_and_stays_listed(sessions):
    info, plaintext = keys.create_key(sessions, "old", ["read"])
    other, _ = keys.create_key(sessions, "new", ["read"])
    revoked = keys.revoke_key(sessions, info.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert keys.verify_key(sessions, plaintext) is None
    assert keys.revoke_key(sessions, info.id).revoked_at == revoked.revoked_at
    assert [k.name for k in keys.list_keys(sessions)] == ["old", "new"]
    assert keys.list_keys(sessions, include_revoked=False) == [other]
    with pytest.raises(NotFound):
        keys.revoke_key(sessions, 999)


def test_the_demo_key_is_made_once_and_kept_private(sessions, tmp_path):
    path = tmp_path / "var" / "demo-api-key"
    info, plaintext, created = keys.ensure_demo_key(sessions, path)
    assert created and info.scopes == keys.SCOPES
    assert path.read_text().strip() == plaintext
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, same, created_again = keys.ensure_demo_key(sessions, path)
    assert (again.id, same, created_again) == (info.id, plaintext, False)
    keys.revoke_key(sessions, info.id)  # e.g. a fresh store beside an old file
    _, fresh, remade = keys.ensure_demo_key(sessions, path)
    assert remade and fresh != plaintext and path.read_text().strip() == fresh


@pytest.fixture
def cli(settings, sessions):
    runner = CliRunner()
    base = ["--data-dir", str(settings.data_dir), "--models-dir", str(settings.models_dir)]
    return lambda *args: runner.invoke(main, [*base, *args], catch_exceptions=False)


def test_keys_commands_create_list_and_revoke(cli, sessions):
    made = cli("keys", "create", "--name", "site", "--scope", "read", "--scope", "write")
    assert made.exit_code == 0, made.output
    plaintext = made.stdout.strip().splitlines()[-1]
    assert keys.verify_key(sessions, plaintext).scopes == ("read", "write")
    listed = cli("keys", "list")
    assert "site" in listed.stdout and "read,write" in listed.stdout
    assert plaintext not in listed.stdout and keys.hash_key(plaintext) not in listed.stdout
    assert cli("keys", "revoke", "1").exit_code == 0
    assert keys.verify_key(sessions, plaintext) is None
    assert "site" not in cli("keys", "list").stdout
    assert "site" in cli("keys", "list", "--all").stdout
    assert cli("keys", "revoke", "42").exit_code == 1


def test_keys_demo_prints_the_same_working_curl_line_each_time(cli, sessions, settings):
    with sessions.begin() as s:
        add_member(s, "first", "venue", offers=["a room"])
        add_member(s, "seeker", "band", needs=["a drummer"])
    first = cli("keys", "demo", "--port", "8123")
    assert first.exit_code == 0, first.output
    line = first.stdout.strip().splitlines()[-1]
    assert line.startswith('curl -H "X-API-Key: mk_')
    assert line.endswith("http://127.0.0.1:8123/v1/members/seeker/matches")
    assert cli("keys", "demo", "--port", "8123").stdout.strip().splitlines()[-1] == line
    plaintext = (settings.data_dir / "demo-api-key").read_text().strip()
    assert plaintext in line and keys.verify_key(sessions, plaintext) is not None


def test_a_keys_last_use_is_listed_to_the_hour_so_an_old_one_can_be_revoked_safely(cli, sessions):
    """An operator rotating keys could not tell whether the old key was still in use."""
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    _, plaintext = keys.create_key(sessions, "old-site", ["read"], clock=lambda: t0)
    assert keys.list_keys(sessions)[0].last_used_at is None
    assert "never" in cli("keys", "list").stdout

    def used_at(minutes: int):
        keys.verify_key(sessions, plaintext, clock=lambda: t0 + timedelta(minutes=minutes))
        return keys.list_keys(sessions)[0].last_used_at

    assert used_at(5) == t0 + timedelta(minutes=5)
    assert used_at(50) == t0 + timedelta(minutes=5)  # written at most once an hour
    assert used_at(65) == t0 + timedelta(minutes=65)
    assert "2026-11-29 10:05" in cli("keys", "list").stdout
    keys.verify_key(sessions, plaintext + "x", clock=lambda: t0 + timedelta(days=1))
    keys.verify_key(sessions, plaintext, clock=lambda: t0 + timedelta(days=1), used=False)
    assert keys.list_keys(sessions)[0].last_used_at == t0 + timedelta(minutes=65)


def test_a_request_with_a_key_writes_down_its_use(client, ro, sessions):
    assert keys.list_keys(sessions)[0].last_used_at is None
    assert client.get("/v1/members/hum/matches", headers=ro).status_code == 200
    assert keys.list_keys(sessions)[0].last_used_at is not None


def test_a_store_busy_with_a_long_write_does_not_hold_up_a_request_to_write_a_keys_use(
    sessions, settings
):
    """The first request of the hour with a key waited for SQLite's 30 s busy timeout while
    another process held the store's write lock (an import, the weekly email's run), though
    only reads were asked of it and the write is best effort."""
    import sqlite3
    import time

    from sqlalchemy import text

    _, plaintext = keys.create_key(sessions, "site", ["read"])
    with sessions() as s:
        file = s.get_bind().url.database
    other = sqlite3.connect(file, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process writing, for longer than a request
        started = time.monotonic()
        assert keys.verify_key(sessions, plaintext) is not None
        assert time.monotonic() - started < 2
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert keys.list_keys(sessions)[0].last_used_at is None  # not written: the next use will
    with sessions() as s:  # and the store's own wait is as it was for every other write
        assert s.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    assert keys.verify_key(sessions, plaintext) is not None
    assert keys.list_keys(sessions)[0].last_used_at is not None
