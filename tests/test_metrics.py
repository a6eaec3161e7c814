from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.evaluate.metrics import (
    bootstrap_interval,
    catalogue_coverage,
    exposure,
    gini,
    in_top_k,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)


def test_reciprocal_rank_of_a_strict_order():
    assert reciprocal_rank(np.array([3.0, 2.0, 1.0]), np.array([False, True, False])) == 0.5
    assert reciprocal_rank(np.array([3.0, 2.0, 1.0]), np.array([False, False, False])) == 0.0


def test_reciprocal_rank_takes_the_first_relevant():
    scores = np.array([0.1, 0.9, 0.5, 0.7])
    assert reciprocal_rank(scores, np.array([True, False, False, True])) == 0.5


def test_a_tie_is_worth_its_expected_rank_not_the_lucky_one():
    # One relevant among four tied: ranks 1..4 equally likely.
    assert reciprocal_rank(np.ones(4), np.array([True, False, False, False])) == pytest.approx(
        (1 + 1 / 2 + 1 / 3 + 1 / 4) / 4
    )
    # Two relevant among three tied: the first of them is at place 1 w.p. 2/3, at 2 w.p. 1/3.
    assert reciprocal_rank(np.ones(3), np.array([True, True, False])) == pytest.approx(5 / 6)
    # A tie below a better candidate shifts every place by one.
    scores = np.array([2.0, 1.0, 1.0])
    assert reciprocal_rank(scores, np.array([False, True, False])) == pytest.approx(
        (1 / 2 + 1 / 3) / 2
    )


def test_missing_scores_rank_last():
    scores = np.array([np.nan, 0.1, -5.0])
    assert reciprocal_rank(scores, np.array([True, False, False])) == pytest.approx(1 / 3)
    # ... below a score of -inf too, which is a score.
    scores = np.array([np.nan, -np.inf, np.nan])
    assert reciprocal_rank(scores, np.array([False, True, False])) == 1.0
    assert recall_at_k(scores, np.array([True, False, False]), 1) == 0.0


def test_recall_at_k():
    scores = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
    relevant = np.array([True, False, False, True, False])
    assert recall_at_k(scores, relevant, 2) == 0.5
    assert recall_at_k(scores, relevant, 4) == 1.0
    assert recall_at_k(scores, relevant, 2, n_relevant=4) == 0.25
    # One relevant among four tied: in the top 2 with probability 1/2.
    assert recall_at_k(np.ones(4), np.array([True, False, False, False]), 2) == 0.5


def test_in_top_k_splits_a_tie_across_the_cut():
    np.testing.assert_allclose(
        in_top_k(np.array([3.0, 1.0, 1.0, 1.0]), 2), [1, 1 / 3, 1 / 3, 1 / 3]
    )


def test_ndcg_by_hand():
    scores = np.array([3.0, 2.0, 1.0])
    relevant = np.array([False, True, True])
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k(scores, relevant, 3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(scores, relevant, 1) == 0.0
    assert ndcg_at_k(-scores, relevant, 3) == pytest.approx(1.0)


def test_ndcg_of_a_tie_is_the_mean_over_its_places():
    relevant = np.array([True, False])
    expected = (1 + 1 / math.log2(3)) / 2
    assert ndcg_at_k(np.zeros(2), relevant, 10) == pytest.approx(expected)


def test_random_scores_give_the_textbook_expectations():
    n = 20
    relevant = np.zeros(n, dtype=bool)
    relevant[7] = True
    harmonic = sum(1 / r for r in range(1, n + 1))
    assert reciprocal_rank(np.zeros(n), relevant) == pytest.approx(harmonic / n)
    assert recall_at_k(np.zeros(n), relevant, 10) == pytest.approx(10 / n)


def test_gini_of_exposure():
    assert gini(np.array([1.0, 1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    assert gini(np.zeros(3)) == 0.0


def test_exposure_and_coverage_count_expected_top_k_appearances():
    rankings = [
        (np.array([10, 11, 12]), np.array([3.0, 2.0, 1.0])),
        (np.array([11, 13]), np.array([1.0, 1.0])),  # a tie: each in the top 1 half the time
    ]
    shown = exposure(rankings, catalogue=[10, 11, 12, 13, 14], k=1)
    np.testing.assert_allclose(shown, [1.0, 0.5, 0.0, 0.5, 0.0])
    assert catalogue_coverage(shown) == pytest.approx(3 / 5)


def mean(x, axis=-1):
    return x.mean(axis=axis)


def test_a_bootstrap_interval_brackets_the_mean_and_narrows_with_more_queries():
    rng = np.random.default_rng(1)
    few, many = rng.random(25), rng.random(400)
    low, high = bootstrap_interval(mean, [few])
    assert low < few.mean() < high
    assert bootstrap_interval(mean, [few]) == (low, high)  # seeded: the same report twice
    low_many, high_many = bootstrap_interval(mean, [many])
    assert low_many < many.mean() < high_many
    assert high_many - low_many < (high - low) / 2
    assert bootstrap_interval(mean, [few[:1]]) is None  # one query: no interval


def test_a_paired_bootstrap_resamples_the_same_queries_for_both():
    rng = np.random.default_rng(2)
    a = rng.random(50)

    def difference(x, y, axis=-1):
        return x.mean(axis=axis) - y.mean(axis=axis)

    # A constant gain on every query is certain, however the queries are drawn.
    low, high = bootstrap_interval(difference, [a + 0.1, a])
    assert low == pytest.approx(0.1) and high == pytest.approx(0.1)
    # Unpaired noise of the same size is not.
    low, high = bootstrap_interval(difference, [rng.random(50) + 0.1, a])
    assert high - low > 0.1
