"""`matcher.notebook.open_notebook`, the setup every notebook runs first, without a notebook."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from matcher import notebook
from matcher.db import close_store, sqlite_path
from matcher.embed import HashingEncoder
from matcher.io import community_stats
from matcher.notebook import NotebookSession, open_notebook

NOW = "2026-11-20T10:30:00"
MEMBERS = 40


@pytest.fixture
def opened():
    """Open notebooks, each store closed after the test."""
    sessions: list[NotebookSession] = []

    def open_(**parameters) -> NotebookSession:
        session = open_notebook(**parameters)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        close_store(session.sessions)


def test_an_empty_store_is_created_and_gets_a_demo_community(tmp_path, opened, capsys):
    given = {
        "data_dir": tmp_path / "var",
        "models_dir": tmp_path / "builds",
        "encoder": "hashing-64",
        "min_training_labels": 7,
        "candidates_per_need": 33,
    }
    opened_ = opened(**given, demo_members=MEMBERS, demo_seed=3, now=NOW)

    settings = opened_.settings
    assert {name: getattr(settings, name) for name in given} == given
    store = sqlite_path(settings.database)
    assert store is not None and store.parent == tmp_path / "var" and store.is_file()
    assert opened_.demo is not None and opened_.demo.source == "demo seed=3"
    # Which store, by its full path: Jupyter starts a kernel in the notebook's folder, where the
    # default relative `var` is not the community's store (notebooks/var, then a demo in it).
    assert capsys.readouterr().out.strip() == (
        f"The store {store} was empty: imported a demo community of {MEMBERS} "
        "members (another store: the data_dir parameter, or MATCHER_DATA_DIR)."
    )
    assert opened_.clock() == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert opened_.encoder is None  # not asked for
    assert len(opened_.community().members) == MEMBERS


def test_the_demo_is_announced_with_the_store_s_full_path(tmp_path, opened, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path / "..")
    opened(data_dir=Path(tmp_path.name) / "var", demo_members=5, demo_seed=3, now=NOW)
    assert f"The store {tmp_path / 'var' / 'matcher.db'} was empty" in capsys.readouterr().out


def test_a_store_with_members_is_left_as_it_is(tmp_path, opened, capsys):
    first = opened(data_dir=tmp_path / "var", demo_members=MEMBERS, demo_seed=3, now=NOW)
    capsys.readouterr()
    again = opened(data_dir=tmp_path / "var", demo_members=5, demo_seed=9, now=NOW)
    assert again.demo is None
    assert capsys.readouterr().out == ""
    assert again.settings.database == first.settings.database
    with again.sessions() as session:
        assert community_stats(session, now=again.clock())["members"]["total"] == MEMBERS


def test_settings_left_none_come_from_the_environment(tmp_path, opened, monkeypatch):
    monkeypatch.setenv("MATCHER_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("MATCHER_CANDIDATES_PER_NEED", "17")
    url = f"sqlite:///{tmp_path / 'given.db'}"
    opened_ = opened(database_url=url, demo_members=MEMBERS, demo_seed=3, now=NOW)
    assert opened_.settings.data_dir == tmp_path / "from-env"
    assert opened_.settings.candidates_per_need == 17
    assert opened_.settings.database == url and (tmp_path / "given.db").is_file()
    assert opened_.clock().tzinfo is not None


def test_the_encoder_is_the_configured_one_when_asked_for(tmp_path, opened, monkeypatch):
    real = opened(
        data_dir=tmp_path / "var",
        encoder="hashing",
        demo_members=MEMBERS,
        demo_seed=3,
        with_encoder=True,
    )
    assert isinstance(real.encoder, HashingEncoder)
    # As the CLI and the API load it: `configured_encoder` of the settings (device, batch
    # size, precision), not just the encoder's name.
    monkeypatch.setattr(notebook, "configured_encoder", lambda settings: ("encoder of", settings))
    seen = opened(data_dir=tmp_path / "var", demo_members=MEMBERS, demo_seed=3, with_encoder=True)
    assert seen.encoder == ("encoder of", seen.settings)
