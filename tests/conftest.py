"""Shared fixtures: a fresh SQLite store per test and a fast deterministic encoder."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.embed import HashingEncoder

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def settings_in(folder: Path, database_url: str = "") -> Settings:
    """Settings pointing every path into `folder`, with the fast encoder; the store is SQLite
    in the folder unless `database_url` names another."""
    return Settings(
        data_dir=folder / "var",
        models_dir=folder / "models",
        encoder="hashing",
        secret_key="test-secret-at-least-32-characters-long",
        database_url=database_url,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing every path into the test's own folder, with the fast encoder."""
    return settings_in(tmp_path)


@pytest.fixture
def sessions(settings: Settings):
    """A migrated, empty store."""
    factory = open_store(settings)
    yield factory
    close_store(factory)


@pytest.fixture
def encoder() -> HashingEncoder:
    """A fast lexical encoder standing in for the sentence-transformers model."""
    return HashingEncoder()


@pytest.fixture
def fresh_gazetteer(monkeypatch):
    """The gazetteer with no town looked up or remembered yet in this process; its
    `block_list()` forgets the towns looked up since and makes any read of the list of towns
    fail the test."""
    from matcher import gazetteer
    from matcher.geo import towns

    def no_list():
        raise AssertionError("the list was read")

    def block_list() -> None:
        towns._town.cache_clear()
        towns.fold_place.cache_clear()
        towns.region_town.cache_clear()
        monkeypatch.setattr(gazetteer, "_towns", no_list)
        monkeypatch.setattr(gazetteer, "_by_other", no_list)

    monkeypatch.setattr(gazetteer, "_remembered", {})
    monkeypatch.setattr(gazetteer, "_remembered_listed", {})
    monkeypatch.setattr(gazetteer, "block_list", block_list, raising=False)
    towns._town.cache_clear()
    towns.fold_place.cache_clear()
    towns.region_town.cache_clear()
    yield gazetteer
    towns._town.cache_clear()
    towns.fold_place.cache_clear()
    towns.region_town.cache_clear()
