"""The `import`, `export` and `stats` commands."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture
def run(tmp_path: Path):
    """Invoke `matcher` against a store in the test's folder."""
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str):
        return runner.invoke(main, ["--database-url", url, *args], catch_exceptions=False)

    return invoke


def test_import_prints_counts(run):
    result = run("import", str(DATA / "good"))
    assert result.exit_code == 0, result.output
    assert re.search(r"members\s.*\b5\b\s.*\b0\b\s.*\b0\b", result.output)
    again = run("import", str(DATA / "good"))
    assert re.search(r"posts\s.*\b0\b\s.*\b0\b\s.*\b5\b", again.output)


def test_the_first_import_reads_each_file_once(run, monkeypatch):
    """It checks the files against an empty store before it makes one (so that files refused
    leave none), and read them twice for that."""
    from matcher.io import formats

    read, reads = formats._read, []

    def counted(path, *args, **kwargs):
        reads.append(Path(path).name)
        return read(path, *args, **kwargs)

    monkeypatch.setattr(formats, "_read", counted)
    assert run("import", str(DATA / "good")).exit_code == 0
    assert len(reads) == len(set(reads)) == 3, reads


def test_import_of_bad_rows_lists_each_as_a_greppable_line_and_exits_1(run):
    run("import", str(DATA / "good"))
    result = run("import", str(DATA / "bad"))
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if re.match(r"\S+:\d+: \S+: ", line)]
    assert len(lines) == 22
    assert any(line.startswith(str(DATA / "bad" / "members.csv") + ":5: kind: ") for line in lines)
    assert "nothing was imported" in result.stderr
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["members"]["total"] == 5


def test_dry_run_writes_nothing(run, tmp_path: Path):
    result = run("import", "--dry-run", str(DATA / "good"))
    assert result.exit_code == 0
    assert "dry run" in result.output
    assert not (tmp_path / "cli.db").exists()  # not even an empty store
    run("import", str(DATA / "good"))
    again = run("import", "--dry-run", str(DATA / "bad"))
    assert again.exit_code == 1
    assert json.loads(run("stats", "--json").stdout)["members"]["total"] == 5


def test_an_import_refused_shows_the_warnings_of_its_files_after_the_problems(run, tmp_path):
    """The warnings (an unknown town) came only once the problems were fixed (a new user)."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "members.csv").write_text("id,name,kind,town\nm1,A,band,Shefield\nm2,B,bnad,\n")
    for dry_run in ((), ("--dry-run",)):
        result = run("import", *dry_run, str(files))
        assert result.exit_code == 1
        assert result.stdout.startswith(f"{files / 'members.csv'}:3: kind: unknown value")
        said = re.sub(r"\s+", "", result.stderr)  # rich wraps long lines, a path too
        label = "and 1 warning(s) of the same files, to read before sending them again: warning: "
        town = f"{label}{files / 'members.csv'}: town 'Shefield' (row 2) is placed nowhere"
        assert re.sub(r"\s+", "", town) in said
        assert said.index("didyoumean'Sheffield'?") < said.index("nothingwasimported")
    assert not (tmp_path / "cli.db").exists()  # refused, the first import makes no store
    assert "no store at " in " ".join(run("stats").output.split())


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_writes_files_that_import_again(run, tmp_path: Path, fmt):
    run("import", str(DATA / "good"))
    result = run("export", str(tmp_path / "out"), "--format", fmt)
    assert result.exit_code == 0
    assert (tmp_path / "out" / f"posts.{fmt}").exists()
    again = run("import", str(tmp_path / "out"))
    assert re.search(r"interactions\s.*\b0\b\s.*\b0\b\s.*\b5\b", again.output)


def test_stats_summarises_the_store(run):
    missing = run("stats")  # a URL to a SQLite file not made yet: no store to read
    said = " ".join(missing.output.split())
    assert missing.exit_code == 1 and "no store at " in said and "cli.db" in said
    assert run("keys", "create", "--name", "site").exit_code == 0  # begins one
    empty = run("stats").output
    assert "store: sqlite:///" in empty and "the store is empty" in empty
    run("import", str(DATA / "good"))
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["members"]["by_kind"]["venue"] == 1
    assert stats["interactions"]["total"] == 5
    assert stats["last_import"]["source"].endswith("posts.jsonl")
    text = run("stats").output
    assert "open needs" in text
    assert "last import" in text
    assert "the store is empty" not in text


@pytest.mark.parametrize("command", ["import", "export", "stats", "erase", "members"])
def test_every_command_explains_itself(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 4


def test_a_command_that_makes_a_new_store_says_so_and_where(tmp_path: Path):
    runner = CliRunner()
    folder = ["--data-dir", str(tmp_path / "var"), "--models-dir", str(tmp_path / "models")]
    first = runner.invoke(main, [*folder, "keys", "create", "--name", "site"])
    assert first.exit_code == 0, first.output
    said = first.stderr.replace("\n", "")  # as wrapped to the terminal's width
    assert f"made a new, empty store in {tmp_path / 'var'}" in said
    assert "in the store sqlite:///" in said  # where the key lives
    again = runner.invoke(main, [*folder, "keys", "list"])
    assert "made a new, empty store" not in again.stderr
    builds = runner.invoke(main, [*folder, "builds"])
    assert builds.exit_code == 0
    assert f"no builds in {tmp_path / 'models'}" in builds.stderr.replace("\n", "")
    # `match` from a folder without builds says where it looked, and how to look elsewhere.
    match = runner.invoke(main, [*folder, "match", "m1"])
    said = " ".join(match.output.split())
    assert match.exit_code == 1 and f"no model build in {tmp_path / 'models'}" in said
    assert "MATCHER_MODELS_DIR" in said


def test_a_folder_or_database_the_machine_refuses_is_one_line_not_a_traceback(run, tmp_path):
    (tmp_path / "a-file").write_text("")
    run("keys", "create", "--name", "site")  # a store to export from
    result = run("export", str(tmp_path / "a-file" / "out"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: Not a directory: {tmp_path / 'a-file' / 'out'}"
    )
    result = CliRunner().invoke(main, ["--database-url", "nonsense://x", "stats"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Error: the database URL cannot be used" in result.output
    # A database whose Python driver is not installed.
    if importlib.util.find_spec("MySQLdb") is None:
        result = CliRunner().invoke(main, ["--database-url", "mysql://x/y", "stats"])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "needs the Python driver 'MySQLdb', which is not installed" in result.output
    # A PostgreSQL server that is not there (nothing listens on the port).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = f"postgresql+psycopg://nobody@127.0.0.1:{port}/matcher"
    result = CliRunner().invoke(main, ["--database-url", down, "stats"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: the store does not answer: ")


def test_import_help_names_the_required_columns_of_each_file():
    from matcher.io.schema import REQUIRED

    text = " ".join(CliRunner().invoke(main, ["import", "--help"]).output.split())
    said = text.split("Required columns: ", 1)[1].split(".", 1)[0]
    for part in said.split(";"):
        entity, *words = part.split()
        assert {w.strip(",") for w in words} >= REQUIRED[entity], entity


def test_export_refuses_a_folder_holding_other_import_files(run, tmp_path):
    # A later import of the folder would read members.csv and members.json together.
    run("import", str(DATA / "good"))
    assert run("export", str(tmp_path / "out")).exit_code == 0
    result = run("export", "--format", "json", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "already holds interactions.csv, members.csv, posts.csv" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "interactions.csv",
        "members.csv",
        "posts.csv",
    ]
    assert run("export", str(tmp_path / "out")).exit_code == 0  # the same format: replaced


def test_a_command_run_where_there_is_no_store_says_so_and_makes_none(tmp_path: Path):
    # A cron job run from the wrong folder: reading an empty store made there would mislead.
    runner = CliRunner(env={"MATCHER_SECRET_KEY": "test-secret-at-least-32-characters-long"})
    folder = ["--data-dir", str(tmp_path / "var"), "--models-dir", str(tmp_path / "models")]
    for command in (["stats"], ["export", str(tmp_path / "out")], ["keys", "list"], ["digest"]):
        result = runner.invoke(main, [*folder, *command])
        said = " ".join(result.output.split())
        assert result.exit_code == 1 and f"no store in {tmp_path / 'var'}" in said, command
    # A dry run checks the files against an empty store, and leaves none behind.
    dry = runner.invoke(main, [*folder, "import", "--dry-run", str(DATA / "good")])
    assert dry.exit_code == 0 and "would import" in dry.output
    assert not (tmp_path / "var").exists() or not any((tmp_path / "var").iterdir())
    url = ["--database-url", f"sqlite:///{tmp_path / 'other.db'}"]  # a URL's file, alike
    assert runner.invoke(main, [*url, "import", "--dry-run", str(DATA / "good")]).exit_code == 0
    assert runner.invoke(main, [*url, "stats"]).exit_code == 1
    assert not (tmp_path / "other.db").exists()
    # Importing begins one.
    assert runner.invoke(main, [*folder, "import", str(DATA / "good")]).exit_code == 0
    assert runner.invoke(main, [*folder, "stats"]).exit_code == 0


def test_a_new_store_at_a_database_url_is_named_by_its_file_not_the_data_folder(tmp_path: Path):
    # A new user restoring into a file of their own was told the store was made in their data
    # folder, where their community's store is.
    url = f"sqlite:///{tmp_path / 'restored.db'}"
    folder = ["--data-dir", str(tmp_path / "var"), "--database-url", url]
    made = CliRunner().invoke(main, [*folder, "keys", "create", "--name", "site"])
    assert made.exit_code == 0, made.output
    said = made.stderr.replace("\n", "")
    assert f"made a new, empty store at {tmp_path / 'restored.db'} (set by --database-url)" in said
    assert str(tmp_path / "var") not in said


@pytest.mark.parametrize("setting", ["MATCHER_DATA_DIR", "MATCHER_DATABASE_URL"])
def test_a_new_store_chosen_by_a_setting_is_said_so_and_a_refused_import_makes_none(
    tmp_path: Path, setting: str
):
    """A new user with MATCHER_DATA_DIR set was told to "run from the project's folder or set
    them", and a refused import left a new, empty store behind."""
    var, file = tmp_path / "var", tmp_path / "var" / "matcher.db"
    value = str(var) if setting == "MATCHER_DATA_DIR" else f"sqlite:///{file}"
    runner = CliRunner(env={setting: value})
    refused = runner.invoke(main, ["import", str(DATA / "bad")])
    assert refused.exit_code == 1 and "nothing was imported" in refused.output
    assert "made a new" not in refused.stderr and not file.exists()
    made = runner.invoke(main, ["import", str(DATA / "good")])
    said = re.sub(r"\s+", "", made.stderr)  # rich wraps long lines, a path too
    assert made.exit_code == 0 and file.exists()
    where = f"in {var}" if setting == "MATCHER_DATA_DIR" else f"at {file}"
    assert re.sub(r"\s+", "", f"made a new, empty store {where} (set by {setting})") in said
    assert "project'sfolder" not in said and "setthem" not in said
