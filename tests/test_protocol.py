from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.evaluate import protocol
from matcher.evaluate.metrics import reciprocal_rank
from matcher.evaluate.protocol import TestQuery as Query
from matcher.evaluate.protocol import compare, per_query, refit_points, refits_every, run
from matcher.features.pairs import COLUMN, FEATURE_NAMES
from matcher.features.queries import QueryBlock
from matcher.features.training import Outcomes, training_rows
from matcher.snapshot import Community

T0 = pd.Timestamp("2024-01-01", tz="UTC")


def test_refit_points_spread_evenly_from_the_first_test_query():
    assert refit_points(70, 100, 1) == [70]
    assert refit_points(70, 100, 3) == [70, 80, 90]
    assert refit_points(70, 73, 10) == [70, 71, 72]  # never more fits than queries
    assert refit_points(5, 5, 4) == []


def test_refits_every_so_many_queries_up_to_a_budget():
    assert refits_every(24, 10) == 3 and refits_every(20, 10) == 2
    assert refits_every(198, 10, most=20) == 20 and refits_every(400, 10, most=20) == 20
    assert refits_every(0, 10) == 0


def outcomes(helps: list[tuple[int, int, float]]) -> Outcomes:
    """Outcomes from (need post, helper, day) triples."""
    interactions = pd.DataFrame(
        {
            "kind": "helped",
            "from_member_id": [h for _, h, _ in helps],
            "to_member_id": 99,
            "need_post_id": [n for n, _, _ in helps],
            "occurred_at": [T0 + pd.Timedelta(days=d) for _, _, d in helps],
        }
    )
    return Outcomes(Community(pd.DataFrame(), pd.DataFrame(), interactions))


def test_outcomes_known_before_a_time_are_the_labels_then():
    known = outcomes([(1, 10, 1.0), (1, 11, 5.0), (2, 12, 3.0)])
    assert known.pairs_before(T0 + pd.Timedelta(days=3)) == {(1, 10)}
    assert known.pairs_before(T0 + pd.Timedelta(days=3.5)) == {(1, 10), (2, 12)}


def toy_needs() -> tuple[list[QueryBlock], Outcomes]:
    """Need n is posted on day n and answered by member 100 + n % 2 on day n + 2.5."""
    rng = np.random.default_rng(0)
    candidates = np.array([100, 101, 102])
    blocks = [
        QueryBlock(
            n, T0 + pd.Timedelta(days=n), candidates, rng.normal(size=(3, len(FEATURE_NAMES)))
        )
        for n in range(40)
    ]
    helps = outcomes([(n, 100 + n % 2, n + 2.5) for n in range(40)])
    return blocks, helps


def test_beyond_the_row_budget_only_the_most_recent_labelled_needs_are_rows():
    blocks, helps = toy_needs()  # 40 needs of 3 candidates each, in time order
    known = helps.pairs_before(T0 + pd.Timedelta(days=30))  # needs 0 to 27 answered by then
    everything = training_rows(blocks, known, max_rows=None)
    assert everything.need_post_ids == list(range(28)) and len(everything.y) == 84
    assert training_rows(blocks, known).need_post_ids == everything.need_post_ids
    recent = training_rows(blocks, known, max_rows=10)  # three needs of three rows fit
    assert recent.need_post_ids == [25, 26, 27] and recent.positives == 3
    assert recent.groups.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]  # renumbered in time order
    np.testing.assert_array_equal(recent.X, np.vstack([b.features for b in blocks[25:28]]))
    # The latest labelled need is kept whole even when it alone is over the budget.
    assert training_rows(blocks, known, max_rows=2).need_post_ids == [27]


@pytest.mark.parametrize("max_rows", [1, 5, 12, 30, 1000])
def test_a_stream_of_needs_of_any_size_keeps_the_longest_recent_run_that_fits(max_rows):
    rng = np.random.default_rng(1)
    blocks = [  # needs of 1 to 8 candidates; the odd ones were helped
        QueryBlock(n, T0 + pd.Timedelta(days=n), np.arange(size), np.zeros((size, 2)))
        for n, size in enumerate(rng.integers(1, 9, size=30))
    ]
    known = {(n, 0) for n in range(1, 30, 2)}
    helped = [b for b in blocks if b.need_post_id % 2]
    fits = [  # every run of the latest helped needs within the budget, and the latest alone
        [b.need_post_id for b in helped[i:]]
        for i in range(len(helped))
        if sum(len(b.candidates) for b in helped[i:]) <= max_rows or i == len(helped) - 1
    ]

    kept = training_rows(iter(blocks), known, max_rows=max_rows)  # one pass, as a build streams
    assert kept.need_post_ids == max(fits, key=len)
    assert len(kept.y) <= max_rows or len(kept.need_post_ids) == 1


def toy_test(block: QueryBlock) -> Query:
    """A toy need's test query: its helper is the target."""
    target = block.candidates == 100 + block.need_post_id % 2
    return Query(block, target, target)


def test_each_refit_learns_only_from_what_was_known_before_the_queries_it_ranks(monkeypatch):
    blocks, helps = toy_needs()
    seen: list[tuple[pd.Timestamp, int]] = []

    def spy(X, y, groups, min_labels, missed, *_):
        seen.append((len(np.unique(groups)), int(y.sum())))
        return {"behaviour": lambda f: f[:, 0], "matcher": lambda f: f[:, COLUMN["sim_best"]]}

    monkeypatch.setattr(protocol, "learned_rankers", spy)

    evaluation = run("toy", blocks, 30, helps, toy_test, ("random",), min_labels=1, refits=2)
    # Refits at needs 30 and 35: needs posted before, helped more than 2.5 days before.
    assert seen == [(28, 28), (33, 33)]
    assert evaluation.n_queries == 10 and evaluation.details["refits"] == 2
    assert evaluation.rankers["random"]["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 3, abs=1e-4)


def test_a_test_need_without_candidates_is_a_miss_for_every_ranker():
    blocks, helps = toy_needs()
    # The last need had nobody to ask (say its asker was the only member offering anything).
    blocks[-1] = QueryBlock(
        39, blocks[-1].at, np.zeros(0, dtype=np.int64), np.zeros((0, len(FEATURE_NAMES)))
    )
    evaluation = run("toy", blocks, 30, helps, toy_test, ("random",), min_labels=5, refits=2)
    assert evaluation.n_queries == 10 and len(evaluation.notes) == 1  # both rankers fitted
    assert evaluation.notes[0].startswith("only 10 test queries")
    for name in ("random", "behaviour", "matcher"):
        assert 0 < evaluation.rankers[name]["mrr"] <= 0.9 + 1e-9, name  # one of ten missed


def test_refits_without_a_ranker_are_summed_up_in_one_note_per_ranker():
    blocks, helps = toy_needs()

    evaluation = run("toy", blocks, 30, helps, toy_test, ("random",), min_labels=1000, refits=2)
    assert evaluation.notes == [
        "behaviour: no ranker at 2 of 2 refits (28 to 33 positive outcomes, 1000 needed: "
        "setting min_training_labels); showing the recency score there",
        "matcher: no ranker at 2 of 2 refits (28 to 33 positive outcomes, 1000 needed: "
        "setting min_training_labels); showing the content score there",
        "only 10 test queries: every figure here, the intervals too, could change completely "
        "with a few more",
    ]
    # The fallbacks are what the notes say: the matcher ranks exactly as the content score.
    content = [
        reciprocal_rank(b.features[:, COLUMN["sim_best"]], toy_test(b).target) for b in blocks[30:]
    ]
    assert evaluation.rankers["matcher"]["mrr"] == pytest.approx(np.mean(content), abs=1e-4)


def test_a_ranker_no_better_than_the_content_score_gives_way_to_it_as_in_a_build():
    blocks, helps = toy_needs()
    for n, block in enumerate(blocks):  # the texts find every helper first
        block.features[0 if n % 2 == 0 else 1, COLUMN["sim_best"]] = 10.0
    evaluation = run("toy", blocks, 30, helps, toy_test, ("content",), min_labels=5, refits=2)
    assert evaluation.notes[0].startswith(
        "matcher: the content score at 2 of 2 refits, where the ranker did not rank the helpers "
        "of the most recent quarter of its training needs above it (MRR 1.000, against 1.000)"
    )
    assert evaluation.rankers["matcher"]["mrr"] == evaluation.rankers["content"]["mrr"] == 1.0


def test_compare_measures_the_matcher_against_the_best_baseline_and_behaviour():
    # 40 queries of 10 candidates, candidate 0 the answer. The matcher ranks it first on
    # every query; recency on every other; random never above the middle.
    candidates = np.arange(10)
    queries = [
        Query(
            QueryBlock(n, T0, candidates, np.zeros((10, 1))),
            candidates == 0,
            candidates == 0,
        )
        for n in range(40)
    ]
    first = np.linspace(1, 0, 10)
    second = np.r_[0.9, 1.0, np.linspace(0.8, 0, 8)]
    scores = {
        "random": [np.zeros(10)] * 40,
        "recency": [first if n % 2 else second for n in range(40)],
        "behaviour": [first] * 40,
        "matcher": [first] * 40,
    }
    values = {name: per_query(queries, s) for name, s in scores.items()}
    comparisons = compare(values, ["random", "recency"])
    best = comparisons["matcher_vs_best_baseline"]
    assert best["reference"] == "recency"
    assert best["mrr"] == 1.0 and best["reference_mrr"] == pytest.approx(0.75)
    assert best["mrr_ratio"] == pytest.approx(4 / 3, abs=1e-4)
    low, high = best["mrr_ratio_ci95"]
    assert 1.0 < low < 4 / 3 < high <= 2.0
    assert best["mrr_difference_ci95"][0] > 0
    # The same scores as behaviour: no difference, and an interval that says so.
    same = comparisons["matcher_vs_behaviour"]
    assert same["mrr_difference"] == 0 and same["mrr_difference_ci95"] == [0.0, 0.0]
    assert compare({"random": values["random"]}, ["random"]) == {}


def test_the_content_score_from_features_is_the_engines_with_tags_and_closeness():
    from matcher.evaluate.baselines import content_score
    from matcher.score import ContentScorer

    features = np.zeros((4, len(FEATURE_NAMES)))
    features[:, COLUMN["distance_km"]] = np.nan
    features[:, COLUMN["sim_best"]] = [0.6, 0.6, 0.6, np.nan]  # the last: no text to compare
    features[1, COLUMN["same_town"]] = 1
    features[2, COLUMN["tag_overlap"]] = 1.0
    scorer = ContentScorer(mean=0.3, std=0.1, tag_weight=1.0, proximity_weight=0.5)
    got = content_score(scorer, 50.0)(features)
    expected = [
        scorer.probability(np.array([0.6]), np.array([tags]), np.array([near]))[0]
        for tags, near in ((0, 0), (0, 1), (1, 0))
    ]
    assert got[:3] == pytest.approx(expected) and got[3] == 0
    assert got[2] > got[1] > got[0]  # all the tags weigh 1, the same town 0.5
