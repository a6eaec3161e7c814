"""The notebooks run on a small demo and write a build the CLI and the API load; the tables
(`matcher.report`) behind their figures."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import report
from matcher.build import build_model
from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.digest.week import week_of
from matcher.embed import CachedEncoder
from matcher.engine import Matcher
from matcher.evaluate.metrics import gini
from matcher.index import BuildIndex
from matcher.io import community_stats
from matcher.snapshot import load_community

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = ("explore_community", "retrain_ranker", "evaluate_build")  # the order they run in
NOW = datetime(2026, 11, 20, tzinfo=UTC)
DEMO_MEMBERS = 500
MIN_LABELS = 15  # the demo of 500 has about 60 outcomes: enough for a ranker


# -- the notebooks as committed ----------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_committed_without_outputs_and_with_parameters(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and code[0] is tagged[0]
    for parameter in ("data_dir", "demo_members", "demo_seed", "now", "output_dir"):
        assert f"\n{parameter} = " in f"\n{tagged[0].source}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_set_up_through_the_library(name):
    """Settings, store, demo and clock from `matcher.notebook.open_notebook` (tested in
    tests/test_notebook_session.py), not set up again in each notebook; so is the encoder where
    they use one: as the CLI and the API load it (`configured_encoder`, with its device, batch
    size and precision), not `load_encoder` of a few of the settings."""
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    source = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert source.count("open_notebook(") == 1
    repeated = ("Settings.from_env(", "open_store(", "ensure_community(", "report.clock(")
    assert not [call for call in repeated if call in source]
    assert "configured_encoder(" not in source and "load_encoder(" not in source
    assert ("with_encoder=True" in source) == (name != "explore_community")
    # The evaluation as `matcher evaluate` makes it, through the one function both call: the
    # notebook's own call of `evaluate_store` had left out the settings (MATCHER_CONTENT_*).
    assert "evaluate_store(" not in source
    assert ("evaluate_community(" in source) == (name == "evaluate_build")


# -- the notebooks, run ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernelspec of this very interpreter, found through JUPYTER_PATH, so a fresh machine
    (or one with other kernels) runs the notebooks with this project's environment."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    name = "indie-matcher-test"
    install(kernel_name=name, display_name=name, prefix=str(prefix))
    import matcher

    # The kernel imports the `matcher` under test, whatever folder it runs in.
    here = str(Path(matcher.__file__).resolve().parents[1])
    paths = [
        str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", os.pathsep.join([here, *paths]))
        patch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
        patch.setenv("MPLBACKEND", "Agg")
        yield name


def test_the_kernel_imports_the_matcher_under_test(kernel, tmp_path):
    """The kernel runs in another folder than pytest: a relative PYTHONPATH (`PYTHONPATH=.`
    in a clone) would import another `matcher` there, the installed one, and test that."""
    import papermill

    import matcher

    source = nbformat.v4.new_notebook()
    source.cells = [nbformat.v4.new_code_cell("import matcher\nprint(matcher.__file__)")]
    nbformat.write(source, tmp_path / "which.ipynb")
    ran = papermill.execute_notebook(
        str(tmp_path / "which.ipynb"),
        str(tmp_path / "ran.ipynb"),
        kernel_name=kernel,
        cwd=str(tmp_path),
        progress_bar=False,
    )
    assert ran.cells[0].outputs[0]["text"].strip() == matcher.__file__


@pytest.fixture(scope="module")
def ran(kernel, tmp_path_factory) -> Path:
    """The three notebooks run in order on one demo store; the folder they wrote into."""
    import papermill

    folder = tmp_path_factory.mktemp("notebooks")
    given = {
        "data_dir": str(folder / "var"),
        "models_dir": str(folder / "models"),
        "encoder": "hashing",
        "min_training_labels": MIN_LABELS,
        "demo_members": DEMO_MEMBERS,
        "now": NOW.isoformat(),
    }
    for name in NOTEBOOKS:
        source = NOTEBOOKS_DIR / f"{name}.ipynb"
        declared = papermill.inspect_notebook(str(source))
        parameters = {k: v for k, v in given.items() if k in declared}
        papermill.execute_notebook(
            str(source),
            str(folder / f"{name}.ipynb"),
            parameters={**parameters, "output_dir": str(folder / "out" / name)},
            kernel_name=kernel,
            cwd=str(folder),
            progress_bar=False,
        )
    return folder


@pytest.mark.slow
def test_evaluate_runs_on_a_community_too_small_to_compare(kernel, tmp_path):
    import papermill

    from matcher.embed import HashingEncoder
    from matcher.io import import_files

    settings = Settings(data_dir=tmp_path / "var", models_dir=tmp_path / "models")
    sessions = open_store(settings)
    good = Path(__file__).parent / "data" / "good"  # four members and their posts, no outcomes
    import_files(sessions, [p for p in good.iterdir() if not p.name.startswith("interactions")])
    build_model(sessions, HashingEncoder(), settings)
    close_store(sessions)
    out = tmp_path / "evaluate_build.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "evaluate_build.ipynb"),
        str(out),
        parameters={
            "data_dir": str(settings.data_dir),
            "models_dir": str(settings.models_dir),
            "encoder": "hashing",
            "output_dir": str(tmp_path / "out"),
        },
        kernel_name=kernel,
        cwd=str(tmp_path),
        progress_bar=False,
    )
    printed = [
        output.get("text", "")
        for cell in nbformat.read(out, as_version=4).cells
        for output in cell.get("outputs", [])
    ]
    assert any("Nothing to compare yet." in text for text in printed)


@pytest.fixture(scope="module")
def ran_settings(ran) -> Settings:
    return Settings(
        data_dir=ran / "var",
        models_dir=ran / "models",
        encoder="hashing",
        secret_key="test-secret-at-least-32-characters-long",
    )


def _table(ran: Path, notebook: str, name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(ran / "out" / notebook / f"{name}.csv", **kwargs)


def _current_manifest(settings: Settings) -> dict:
    return json.loads((settings.models_dir / "current" / "manifest.json").read_text())


@pytest.mark.slow
def test_explore_imports_the_demo_and_draws_the_community(ran):
    stats = _table(ran, "explore_community", "stats")
    total = stats[(stats["what"] == "members") & (stats["name"] == "total")]["count"]
    active = stats[(stats["what"] == "members") & (stats["name"] == "active")]["count"]
    assert total.item() == DEMO_MEMBERS
    kinds_by_town = _table(ran, "explore_community", "members_by_kind_town", index_col=0)
    assert kinds_by_town.to_numpy().sum() == active.item()
    for figure in ("members_by_kind_town", "open_posts_by_kind", "top_tags", "member_map"):
        assert (ran / "out" / "explore_community" / f"{figure}.png").stat().st_size > 1000


@pytest.mark.slow
def test_retrain_publishes_a_build_with_a_trained_ranker(ran, ran_settings):
    manifest = _current_manifest(ran_settings)
    assert manifest["ranker"]["used"] is True
    assert manifest["ranker"]["positives"] >= MIN_LABELS
    summary = _table(ran, "retrain_ranker", "manifest")
    assert summary.query("item == 'id'")["value"].item() == manifest["build_id"]
    matches = _table(ran, "retrain_ranker", "sample_matches")
    assert len(matches) > 0 and (matches["seeker"] != matches["member_id"]).all()


@pytest.mark.slow
def test_the_cli_serves_the_build_the_notebook_wrote(ran, ran_settings):
    from matcher.cli import main

    seeker = _table(ran, "retrain_ranker", "sample_matches")["seeker"].iloc[0]
    options = ["--data-dir", str(ran / "var"), "--models-dir", str(ran / "models")]
    result = CliRunner().invoke(
        main, [*options, "--encoder", "hashing", "match", seeker, "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["build"] == _current_manifest(ran_settings)["build_id"]
    assert body["matches"] and seeker not in [m["member_id"] for m in body["matches"]]


@pytest.mark.slow
def test_the_api_serves_the_build_the_notebook_wrote(ran, ran_settings):
    from api import create_app
    from matcher.keys import create_key

    seeker = _table(ran, "retrain_ranker", "sample_matches")["seeker"].iloc[0]
    build_id = _current_manifest(ran_settings)["build_id"]
    sessions = open_store(ran_settings)
    _, key = create_key(sessions, "notebook test", ["read"])
    close_store(sessions)
    app = create_app({"TESTING": True, "SETTINGS": ran_settings, "RELOAD_SECONDS": 0})
    try:
        client = app.test_client()
        headers = {"X-API-Key": key}
        model = client.get("/v1/model", headers=headers)
        assert model.status_code == 200 and model.get_json()["build"] == build_id
        assert model.get_json()["ranker"]["used"] is True
        matches = client.get(f"/v1/members/{seeker}/matches", headers=headers)
        assert matches.status_code == 200, matches.get_json()
        assert matches.get_json()["build"] == build_id and matches.get_json()["matches"]
    finally:
        close_store(app.extensions["matcher"].sessions)


@pytest.mark.slow
def test_evaluate_compares_the_rankers_calibration_and_exposure(ran):
    metrics = _table(ran, "evaluate_build", "metrics", index_col=0)
    expected = {"random", "activity", "recency", "bm25", "content", "behaviour", "matcher"}
    assert set(metrics.index) == expected
    assert metrics[["mrr", "recall@10", "ndcg@10"]].stack().between(0, 1).all()
    comparisons = _table(ran, "evaluate_build", "comparisons", index_col=0)
    assert comparisons.loc["matcher_vs_behaviour", "reference"] == "behaviour"
    best = comparisons.loc["matcher_vs_best_baseline"]
    assert best["reference"] == metrics.drop(["behaviour", "matcher"])["mrr"].idxmax()
    assert best["mrr"] == pytest.approx(metrics.loc["matcher", "mrr"])
    curve = _table(ran, "evaluate_build", "calibration", index_col=0)
    assert len(curve) > 1 and curve.stack().between(0, 1).all()
    summary = _table(ran, "evaluate_build", "exposure_summary", index_col=0)
    assert summary.loc["fair", "exposure_gini"] < summary.loc["unconstrained", "exposure_gini"]
    for figure in ("metrics", "calibration", "exposure"):
        assert (ran / "out" / "evaluate_build" / f"{figure}.png").stat().st_size > 1000


# -- the tables behind the figures ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """A demo community of 300 in a store, built with the content score only (fast)."""
    from matcher.embed import HashingEncoder

    folder = tmp_path_factory.mktemp("report")
    settings = Settings(
        data_dir=folder / "var",
        models_dir=folder / "models",
        encoder="hashing",
        min_training_labels=100_000,
    )
    sessions = open_store(settings)
    assert report.ensure_community(sessions, members=300, seed=3, now=NOW) is not None
    encoder = HashingEncoder()
    build_model(sessions, encoder, settings, clock=lambda: NOW)
    yield sessions, settings, encoder
    close_store(sessions)


@pytest.fixture(scope="module")
def community(demo_store):
    sessions, _, _ = demo_store
    with sessions() as session:
        return load_community(session)


def test_a_demo_is_imported_only_into_an_empty_store(demo_store):
    sessions, _, _ = demo_store
    assert report.ensure_community(sessions, members=50, seed=1, now=NOW) is None
    with sessions() as session:
        assert community_stats(session, now=NOW)["members"]["total"] == 300


def test_the_community_tables_count_what_the_store_holds(demo_store, community):
    sessions, _, _ = demo_store
    at = pd.Timestamp(NOW)
    with sessions() as session:
        stats = community_stats(session, now=NOW)
    table = report.stats_table(stats)
    assert table.query("what == 'members' and name == 'total'")["count"].item() == 300

    by_kind = report.members_by(community, "kind", "town", top=5)
    assert by_kind.to_numpy().sum() == stats["members"]["active"]
    assert list(by_kind.columns)[-1] == "other" and len(by_kind.columns) == 6

    posts = report.open_posts_by(community, "kind", at)
    assert posts["need"].sum() == stats["open_posts"]["needs"]
    assert posts["offer"].sum() == stats["open_posts"]["offers"]
    assert posts.sum(axis=1).is_monotonic_decreasing
    assert len(report.open_posts_by(community, "town", at, top=4)) == 4

    tags = report.top_tags(community, at, n=7)
    assert len(tags) == 7 and tags.sum(axis=1).is_monotonic_decreasing

    weekly = report.interactions_over_time(community)
    assert weekly.to_numpy().sum() == stats["interactions"]["total"]
    assert set(weekly.columns) == set(stats["interactions"]["by_kind"])

    places = report.member_places(community)
    assert len(places) <= stats["members"]["active"] and places["latitude"].notna().all()


def test_the_manifest_summary_and_sample_matches_of_a_build(demo_store):
    sessions, settings, encoder = demo_store
    index = BuildIndex.load(settings.models_dir)
    summary = report.manifest_summary(index.manifest).set_index(["section", "item"])["value"]
    assert summary["build", "id"] == index.build_id
    assert summary["ranker", "used"] is False and "100000" in summary["ranker", "reason"]
    assert summary["data", "members"] == 300
    matcher = Matcher(index, sessions, settings, encoder=encoder, clock=lambda: NOW)
    matches = report.sample_matches(matcher, members=2, limit=3)
    assert matches["seeker"].nunique() == 2 and matches.groupby("seeker").size().max() <= 3
    assert (matches["why"].str.len() > 0).all()


def test_week_exposure_is_the_digest_choice_against_the_plain_top_n(demo_store):
    sessions, settings, encoder = demo_store
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=encoder)
    exposure = report.week_exposure(sessions, matcher, settings, week=week_of(NOW), now=NOW)
    members, summary = exposure.members, exposure.summary
    for name in ("fair", "unconstrained"):
        # Per member, the same allocation the digest summarises.
        assert members[name].sum() == summary.loc[name, "suggestions"]
        assert gini(members[name].to_numpy()) == pytest.approx(
            summary.loc[name, "exposure_gini"], abs=1e-4
        )
        assert (members[name] > 0).mean() == pytest.approx(summary.loc[name, "coverage"], abs=1e-4)
    assert members["fair"].max() < members["unconstrained"].max()
    # Members by the ids the organiser's files, the CLI and the API give them, not the store's.
    assert members["member_id"].str.fullmatch(r"m\d{6}").all()


def test_without_enough_labels_the_reliability_curve_is_empty_and_says_why(demo_store, community):
    sessions, _, encoder = demo_store
    vectors = CachedEncoder(encoder, sessions).encode(community.posts["text"].tolist())
    calibration = report.reliability(community, vectors, candidates=50, min_labels=100_000)
    assert calibration.curve.empty and calibration.brier is None
    assert "100000" in calibration.note


def test_the_reliability_curve_comes_with_the_brier_score_of_the_base_rate(demo_store, community):
    sessions, _, encoder = demo_store
    vectors = CachedEncoder(encoder, sessions).encode(community.posts["text"].tolist())
    calibration = report.reliability(community, vectors, candidates=50, min_labels=5)
    assert not calibration.curve.empty and 0 < calibration.positives < calibration.rows
    # A Brier score is read against always predicting the share who helped: p(1 - p).
    share = calibration.positives / calibration.rows
    assert calibration.reference_brier == pytest.approx(share * (1 - share))


def test_lorenz_curve():
    equal = report.lorenz(np.array([2, 2, 2, 2]))
    np.testing.assert_allclose(equal["suggestions"], equal["members"])
    one = report.lorenz(np.array([0, 0, 0, 5]))
    np.testing.assert_allclose(one["suggestions"], [0, 0, 0, 0, 1])
    nobody = report.lorenz(np.zeros(3))
    np.testing.assert_allclose(nobody["suggestions"], nobody["members"])


def test_clock_and_save(tmp_path):
    assert report.clock("2026-11-20T01:00:00")() == datetime(2026, 11, 20, 1, tzinfo=UTC)
    assert report.clock("2026-11-20T01:00:00+01:00")() == datetime(2026, 11, 20, 0, tzinfo=UTC)
    assert report.clock(None)().tzinfo is not None
    table = pd.DataFrame({"a": [1, 2]})
    assert report.save(table, None, "t") is None
    path = report.save(table, tmp_path / "out", "t")
    assert path == tmp_path / "out" / "t.csv" and pd.read_csv(path, index_col=0).equals(table)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    assert report.save(fig, tmp_path / "out", "f").stat().st_size > 0
    plt.close(fig)
