"""A typed need borrows the ranker's scores of the built needs most like it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

from matcher.features.pairs import COLUMN
from matcher.transfer import blend, lent_scores, neighbour_needs, place_effect


def test_the_neighbours_are_the_most_alike_needs_not_those_unlike_or_left_out():
    cosine = np.array([0.2, 0.9, -0.3, 0.5, -np.inf, 0.0])
    slots, weights = neighbour_needs(cosine, k=4)
    assert slots.tolist() == [1, 3, 0]  # best first; 0.0 is not alike, -inf is left out
    np.testing.assert_allclose(weights, [0.9, 0.5, 0.2])
    assert neighbour_needs(cosine, k=1)[0].tolist() == [1]
    empty = neighbour_needs(np.zeros(0))
    assert len(empty[0]) == 0 and len(empty[1]) == 0


def _relative(score: float, typical: float) -> float:
    """A score as odds against a typical one's, back in [0, 1]."""
    return float(expit(logit(score) - logit(typical)))


def test_a_lent_score_is_the_alike_weighted_mean_a_missing_member_the_lists_last():
    # Two needs' candidate lists (member rows, -1 padded) and learned scores (NaN padded);
    # each need's scores count relative to its median listed one (.65 and .6: then 0.5).
    members = np.array([[7, 3, -1], [3, 5, 9]])
    learned = np.array([[0.9, 0.4, np.nan], [0.8, 0.6, 0.2]])
    weights = np.array([3.0, 1.0])
    lent = lent_scores(members, learned, weights, np.array([3, 7, 9, 4, -1]))
    first = {7: _relative(0.9, 0.65), 3: _relative(0.4, 0.65)}
    second = {3: _relative(0.8, 0.6), 5: 0.5, 9: _relative(0.2, 0.6)}
    last = min(first.values()), min(second.values())
    # 3: listed in both; 7: only in the first (in the second, its last); 9: only in the
    # second; 4 and a member the build does not hold (-1): in neither, the last of each.
    expected = [
        3 * first[3] + second[3],
        3 * first[7] + last[1],
        3 * last[0] + second[9],
        3 * last[0] + last[1],
        3 * last[0] + last[1],
    ]
    np.testing.assert_allclose(lent, np.array(expected) / 4)
    # The median listed candidate of a need lends a typical candidate's 0.5.
    alone = lent_scores(members[1:], learned[1:], np.ones(1), np.array([5, 3]))
    assert alone[0] == pytest.approx(0.5) and alone[1] > 0.5
    # A need with no score listed lends nothing (it does not count as a score of 0).
    empty = np.vstack([learned, np.full(3, np.nan)])
    wider = lent_scores(np.vstack([members, [1, 2, 3]]), empty, np.r_[weights, 9.0], [3, 7])
    np.testing.assert_allclose(wider, lent[:2])
    assert np.isnan(lent_scores(members[:0], learned[:0], np.zeros(0), np.array([3]))).all()
    assert len(lent_scores(members, learned, weights, np.zeros(0, dtype=np.int64))) == 0


def test_the_blend_averages_log_odds_and_reads_nothing_lent_as_typical():
    content = np.array([0.5, 0.8, 0.3, 0.0, 0.8])
    lent = np.array([0.9, np.nan, 0.3, 0.9, 0.5])
    out = blend(content, lent)
    assert out[0] == pytest.approx(expit((logit(0.5) + logit(0.9)) / 2))
    assert 0.5 < out[0] < 0.9
    assert out[1] == pytest.approx(out[4])  # nothing lent: as a typical candidate's 0.5
    assert 0.5 < out[1] < 0.8
    assert out[2] == pytest.approx(0.3)  # both alike: the same
    assert out[3] == 0.0  # no offer at all: no pair to score


def test_a_place_is_worth_what_the_ranker_learned_against_an_unknown_place():
    def log_odds(rows):  # a ranker that learned places: same town +2, -0.01 a km (unknown: 300)
        same, km = rows[:, COLUMN["same_town"]], rows[:, COLUMN["distance_km"]]
        assert np.isnan(np.delete(rows, [COLUMN["same_town"], COLUMN["distance_km"]], 1)).all()
        return 0.5 + 2 * same - 0.01 * np.where(np.isnan(km), 300.0, km)

    effect = place_effect(
        log_odds, np.array([True, False, False, False]), np.array([2, 50, 900, np.nan])
    )
    assert effect == pytest.approx([2 + 2.98, 2.5, -6.0, 0.0])


def test_the_blend_adds_a_place_to_the_lent_half():
    content, lent = np.array([0.6, 0.6, 0.0]), np.array([0.7, np.nan, 0.7])
    out = blend(content, lent, np.array([1.0, -1.0, 5.0]))
    assert out[0] == pytest.approx(expit((logit(0.6) + logit(0.7) + 1.0) / 2))
    assert out[1] == pytest.approx(expit((logit(0.6) - 1.0) / 2))  # nothing lent, a place
    assert out[2] == 0.0  # no offer at all: no pair, wherever they are
    assert blend(content, lent, np.zeros(3)) == pytest.approx(blend(content, lent))
