from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matcher.errors import MatcherError
from matcher.evaluate.metrics import reciprocal_rank
from matcher.features.pairs import BEHAVIOUR_FEATURES, COLUMN, FEATURE_NAMES
from matcher.rank import CS, Ranker, TooFewLabels


def queries(n_queries: int, seed: int, size: int = 20):
    """Queries whose one helper stands out on a text feature and, less, on recency."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_queries * size, len(FEATURE_NAMES)))
    X[:, COLUMN["distance_km"]] = np.nan  # never known, as on Stack Exchange
    y = np.zeros(n_queries * size, dtype=int)
    groups = np.repeat(np.arange(n_queries), size)
    helpers = np.arange(n_queries) * size + rng.integers(0, size, n_queries)
    y[helpers] = 1
    X[helpers, COLUMN["sim_best"]] += 2.5
    X[helpers, COLUMN["log_days_since_help"]] -= 0.7
    return X, y, groups


def mean_rr(scores, y, groups) -> float:
    return float(
        np.mean(
            [reciprocal_rank(scores[groups == g], y[groups == g] == 1) for g in np.unique(groups)]
        )
    )


def test_the_ranker_learns_who_helps_and_behaviour_cannot_read_text():
    X, y, groups = queries(300, seed=0)
    Xt, yt, gt = queries(200, seed=1)
    matcher = Ranker(min_labels=50).fit(X, y, groups)
    behaviour = Ranker(features=BEHAVIOUR_FEATURES, min_labels=50).fit(X, y, groups)
    matcher_rr = mean_rr(matcher.predict_proba(Xt)[:, 1], yt, gt)
    behaviour_rr = mean_rr(behaviour.predict_proba(Xt)[:, 1], yt, gt)
    truth = 2.5 * Xt[:, COLUMN["sim_best"]] - 0.7 * Xt[:, COLUMN["log_days_since_help"]]
    assert matcher_rr > mean_rr(truth, yt, gt) - 0.03 > 0.7  # as good as knowing the truth
    assert 0.2 < behaviour_rr < 0.5  # recency only
    assert COLUMN["sim_best"] not in behaviour.columns_
    assert len(matcher.models_) == len(matcher.Cs) and matcher.validation_mrr_ > 0.7


def test_probabilities_are_calibrated_on_unseen_queries():
    X, y, groups = queries(400, seed=2)
    Xt, yt, _ = queries(400, seed=3)
    p = Ranker(min_labels=50).fit(X, y, groups).predict_proba(Xt)[:, 1]
    assert ((p >= 0) & (p <= 1)).all()
    assert p.mean() == pytest.approx(yt.mean(), abs=0.01)
    confident = p > 0.5
    assert yt[confident].mean() == pytest.approx(p[confident].mean(), abs=0.1)


def test_too_few_labels_means_no_ranker():
    X, y, groups = queries(30, seed=4)
    with pytest.raises(TooFewLabels, match="30 labelled outcomes") as caught:
        Ranker(min_labels=31).fit(X, y, groups)
    assert isinstance(caught.value, MatcherError)
    Ranker(min_labels=30).fit(X, y, groups)


def test_recent_queries_with_helpers_only_are_too_few_labels_not_a_crash():
    # A small community's latest needs may each have one candidate, their helper: nothing to
    # measure the ranker on or calibrate it with, so the build keeps the content score.
    X, y, groups = queries(60, seed=5, size=3)
    late = np.arange(20) + 60
    X = np.vstack([X, np.ones((20, X.shape[1]))])
    y, groups = np.concatenate([y, np.ones(20, dtype=int)]), np.concatenate([groups, late])
    with pytest.raises(TooFewLabels, match="helpers and other candidates both early and late"):
        Ranker(min_labels=10).fit(X, y, groups)


def test_scikit_learn_conventions_and_a_joblib_round_trip(tmp_path):
    ranker = Ranker(min_labels=10, Cs=(0.1,))
    assert clone(ranker).get_params()["Cs"] == (0.1,)
    with pytest.raises(NotFittedError):
        ranker.predict_proba(np.zeros((1, len(FEATURE_NAMES))))
    X, y, groups = queries(60, seed=5)
    assert ranker.fit(X, y, groups) is ranker
    ranker.save(tmp_path)
    loaded = Ranker.load(tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(X), ranker.predict_proba(X))


def test_unknown_feature_names_are_refused():
    X, y, groups = queries(30, seed=6)
    with pytest.raises(ValueError, match="unknown features"):
        Ranker(features=("no_such_feature",), min_labels=1).fit(X, y, groups)


def test_the_objectives_each_learn_and_a_wrong_one_is_refused():
    X, y, groups = queries(300, seed=7)
    Xt, yt, gt = queries(200, seed=8)
    fitted = {
        objective: Ranker(min_labels=50, objective=objective).fit(X, y, groups)
        for objective in ("pointwise", "pairwise", "both")
    }
    assert fitted["pointwise"].pairwise_models_ == [] and fitted["pairwise"].models_ == []
    assert len(fitted["both"].models_) == len(fitted["both"].pairwise_models_) == len(CS)
    for ranker in fitted.values():
        assert mean_rr(ranker.predict_proba(Xt)[:, 1], yt, gt) > 0.7
    # "both" averages the two models' scores.
    np.testing.assert_allclose(
        fitted["both"].decision_function(Xt),
        (fitted["pointwise"].decision_function(Xt) + fitted["pairwise"].decision_function(Xt)) / 2,
    )
    with pytest.raises(ValueError, match="objective"):
        Ranker(min_labels=1, objective="listwise").fit(X, y, groups)


def test_pairs_beyond_the_budget_are_sampled_and_each_helper_weighs_one(monkeypatch):
    import matcher.rank as rank

    X, y, groups = queries(100, seed=9)  # 100 helpers, 19 other candidates each
    Z = np.nan_to_num(X)
    D, weights = rank._differences(Z, y, groups, np.random.default_rng(0))
    assert len(D) == 1900 and np.allclose(weights, 1.0)
    monkeypatch.setattr(rank, "MAX_PAIRS", 500)  # 5 others per helper
    D, weights = rank._differences(Z, y, groups, np.random.default_rng(0))
    assert len(D) == 500 and np.allclose(weights, 1.0)
    # Needs with 2 and 8 other candidates: each helper's pairs weigh the same in total.
    y2 = np.array([1, 0, 0] + [1] + [0] * 8)
    g2 = np.array([0] * 3 + [1] * 9)
    D, weights = rank._differences(np.eye(12), y2, g2, np.random.default_rng(0))
    assert len(D) == 10
    assert weights[:2].sum() == pytest.approx(weights[2:].sum())
    assert weights[0] == pytest.approx(4 * weights[2])


def helpers_store(sessions, seed: int = 0) -> None:
    """A store where the drummers and mixers read alike, but only the reliable ones help."""
    import pandas as pd

    from matcher.io import import_frames
    from matcher.io.formats import Frames

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-01", tz="UTC")
    skills = {
        "drums": "session drummer, any style, gigs and recordings",
        "mixing": "mixing and mastering for bands, online or in the studio",
    }
    helpers = {skill: [f"{skill}-{i}" for i in range(6)] for skill in skills}
    members = [
        {"id": h, "name": h, "kind": "session_musician"} for hs in helpers.values() for h in hs
    ]
    members += [{"id": f"band-{i}", "name": f"band {i}", "kind": "band"} for i in range(10)]
    posts = [
        {
            "id": f"offer-{h}",
            "member_id": h,
            "side": "offer",
            "text": skills[skill],
            "created_at": start.isoformat(),
        }
        for skill, hs in helpers.items()
        for h in hs
    ]
    interactions = []
    for n in range(120):
        skill = "drums" if n % 2 else "mixing"
        at = start + pd.Timedelta(days=1 + n)
        need = f"need-{n}"
        words = "we need a drummer for our gigs" if skill == "drums" else "we need our EP mixed"
        posts.append(
            {
                "id": need,
                "member_id": f"band-{n % 10}",
                "side": "need",
                "text": words,
                "created_at": at.isoformat(),
            }
        )
        # The first two of each kind do almost all the helping.
        helper = helpers[skill][rng.choice(6, p=[0.45, 0.45, 0.025, 0.025, 0.025, 0.025])]
        interactions.append(
            {
                "id": f"help-{n}",
                "kind": "helped",
                "from_member_id": helper,
                "to_member_id": f"band-{n % 10}",
                "need_id": need,
                "occurred_at": (at + pd.Timedelta(hours=5)).isoformat(),
            }
        )
    frames = Frames(pd.DataFrame(members), pd.DataFrame(posts), pd.DataFrame(interactions))
    import_frames(sessions, frames, source="test")


def test_on_the_store_the_ranker_beats_the_content_score(sessions, settings, encoder):
    from matcher.evaluate.store import evaluate_store
    from matcher.snapshot import load_community

    helpers_store(sessions)
    with sessions() as session:
        community = load_community(session)
    vectors = encoder.encode(community.posts["text"].tolist())
    evaluation = evaluate_store(community, vectors, candidates=50, min_labels=20)
    assert evaluation.n_queries == 36 and evaluation.notes == []
    assert evaluation.details["helper_among_candidates"] == 1.0
    rankers = evaluation.rankers
    assert set(rankers) == {
        "random",
        "activity",
        "recency",
        "bm25",
        "content",
        "behaviour",
        "matcher",
    }
    # Content finds the right kind of helper; only history tells the reliable ones apart.
    assert rankers["matcher"]["mrr"] > rankers["content"]["mrr"] + 0.1
    assert rankers["matcher"]["recall@1"] > rankers["content"]["recall@1"]


def test_matcher_evaluate_reads_the_store(sessions, settings, tmp_path, monkeypatch):
    import json

    from click.testing import CliRunner

    from matcher.cli import main

    helpers_store(sessions)
    monkeypatch.setenv("MATCHER_MIN_TRAINING_LABELS", "20")
    result = CliRunner().invoke(
        main, ["--encoder", "hashing", "--data-dir", str(settings.data_dir), "evaluate", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n_queries"] == 36
    assert report["rankers"]["matcher"]["mrr"] > report["rankers"]["content"]["mrr"]


def test_matcher_evaluate_on_a_store_too_small_to_split_says_so_and_fails(settings, sessions):
    import json

    import pandas as pd
    from click.testing import CliRunner

    from matcher.cli import main
    from matcher.io import import_frames
    from matcher.io.formats import Frames

    members = pd.DataFrame([{"id": m, "name": m, "kind": "band"} for m in ("a", "b")])
    posts = pd.DataFrame(
        [
            {"id": "n1", "member_id": "a", "side": "need", "text": "a drummer for a gig"},
            {"id": "o1", "member_id": "b", "side": "offer", "text": "session drums"},
        ]
    )
    helped = [
        {
            "id": "h1",
            "kind": "helped",
            "from_member_id": "b",
            "to_member_id": "a",
            "need_id": "n1",
            "occurred_at": "2025-06-02T10:00:00Z",
        }
    ]
    import_frames(sessions, Frames(members, posts, pd.DataFrame(helped)), source="test")
    args = ["--encoder", "hashing", "--data-dir", str(settings.data_dir), "evaluate", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    # The report is still printed, for scripts; the error says why nothing was evaluated.
    assert json.loads(result.stdout)["n_queries"] == 0
    assert "nothing was evaluated: too few needs with a helped or accepted outcome" in result.stderr
    assert "(1; the last 30% of them are the test)" in result.stderr


def test_the_store_split_is_at_the_first_test_needs_own_time(sessions, encoder):
    import pandas as pd

    from matcher.evaluate.store import time_split
    from matcher.io import import_frames
    from matcher.io.formats import Frames
    from matcher.snapshot import load_community

    helpers_store(sessions)
    # A need imported later than the help it got (dated by the import, say): it is read as
    # of its help, day 50, among the first needs by then, not as of its creation.
    late = {"id": "late", "member_id": "band-1", "side": "need", "text": "drummer"}
    help_ = {
        "id": "help-late",
        "kind": "helped",
        "from_member_id": "drums-0",
        "to_member_id": "band-1",
        "need_id": "late",
        "occurred_at": "2025-02-20T00:00:00Z",
    }
    frames = Frames(
        pd.DataFrame(),
        pd.DataFrame([{**late, "created_at": "2025-12-01T00:00:00Z"}]),
        pd.DataFrame([help_]),
    )
    import_frames(sessions, frames, source="test")
    with sessions() as session:
        community = load_community(session)
    split = time_split(community, encoder.encode(community.posts["text"].tolist()), 50)
    times = [b.at for b in split.blocks]
    assert times == sorted(times) and len(times) == 121
    assert split.split_time == times[split.split_index]
    assert split.blocks[split.split_index].at < split.labelled.iloc[split.split_index]
