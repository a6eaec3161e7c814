"""Settings: a mistyped value stops at once, naming the setting and what it may be."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.config import Settings
from matcher.errors import ConfigError


def test_environment_values_are_typed_and_overrides_win():
    settings = Settings.from_env({"MATCHER_MATCH_LIMIT": "7", "MATCHER_PROXIMITY_KM": "20"})
    assert (settings.match_limit, settings.proximity_km) == (7, 20.0)
    assert Settings.from_env({"MATCHER_MATCH_LIMIT": "7"}, match_limit=9).match_limit == 9


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("MATCHER_RECIPROCAL_OPERATOR", "harmonc", "must be one of uninorm, harmonic, product"),
        ("MATCHER_ENCODER_PRECISION", "fp16", "must be one of auto, float32, bfloat16"),
        ("MATCHER_CANDIDATES_PER_NEED", "0", "must be at least 1, not 0"),
        ("MATCHER_DIGEST_MATCHES", "-2", "must be at least 1, not -2"),
        ("MATCHER_MATCH_LIMIT", "ten", "invalid literal"),
        ("MATCHER_PROXIMITY_KM", "nan", "must be at least"),
        # A NaN weight made every content score NaN, and every list of matches empty.
        ("MATCHER_CONTENT_TAG_WEIGHT", "nan", "must be at least 0"),
        ("MATCHER_CONTENT_PROXIMITY_WEIGHT", "-1", "must be at least 0, not -1"),
        # Scores are probabilities: 50 (a percentage, say) would leave every email empty.
        ("MATCHER_DIGEST_MIN_SCORE", "50", "must be below 1"),
        ("MATCHER_DIGEST_MIN_SCORE", "nan", "must be at least 0"),
        # A display name would make "From: Org <Name <a@b.org>>" and a broken Message-ID.
        ("MATCHER_MAIL_FROM", "Leeds Indie <m@leeds.test>", "must be a bare address"),
        # A member could find a short key from their own email's link, and sign others'.
        ("MATCHER_SECRET_KEY", "zq", "is 2 characters long; use at least 32 random"),
        ("MATCHER_SECRET_KEY", "a" * 36, "repeats a few characters (1 distinct)"),
    ],
)
def test_a_bad_setting_is_refused_by_name(variable, value, message):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({variable: value})
    assert variable in str(caught.value) and message in str(caught.value)


def test_the_cli_stops_on_a_bad_setting_before_any_work(tmp_path):
    result = CliRunner().invoke(
        main,
        ["--data-dir", str(tmp_path), "stats"],
        env={"MATCHER_RECIPROCAL_OPERATOR": "harmonc"},
    )
    assert result.exit_code != 0
    assert "MATCHER_RECIPROCAL_OPERATOR" in result.output
    assert not (tmp_path / "matcher.db").exists()


def test_the_cli_prints_wide_tables_when_piped_unless_columns_says_otherwise(monkeypatch):
    from matcher.cli.context import PIPED_WIDTH, AppContext
    from matcher.config import Settings

    monkeypatch.delenv("COLUMNS", raising=False)
    assert AppContext(Settings()).out.width == PIPED_WIDTH  # tests' stdout is no terminal
    monkeypatch.setenv("COLUMNS", "90")
    assert AppContext(Settings()).out.width == 90


def test_a_postgres_url_as_hosting_providers_give_it_is_read_as_postgresql():
    # Heroku, Render, Supabase and libpq's own tools write postgres://; SQLAlchemy knew only
    # postgresql:// and every command stopped with "Can't load plugin: sqlalchemy.dialects:
    # postgres".
    from sqlalchemy.engine import make_url

    from matcher.store import make_engine

    settings = Settings.from_env({"MATCHER_DATABASE_URL": "postgres://matcher:pw@db.example/m"})
    assert settings.database == "postgresql://matcher:pw@db.example/m"
    assert settings.database_shown == "postgresql://matcher:***@db.example/m"
    engine = make_engine(settings.database)  # no connection is made until it is used
    assert engine.dialect.name == "postgresql" and make_url(settings.database).database == "m"
    engine.dispose()
