from __future__ import annotations

import numpy as np
import pytest

from matcher.retrieve import hubness, max_by_group, top_members


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_max_by_group_names_the_best_row_of_each_group():
    scores = np.array([0.1, 0.9, 0.3, 0.9, 0.2], dtype=np.float32)
    groups = np.array([0, 0, 1, 2, 2])
    best, arg = max_by_group(scores, groups, 4)
    np.testing.assert_allclose(best[:3], [0.9, 0.3, 0.9])
    assert list(arg) == [1, 2, 3, -1]
    assert np.isneginf(best[3])


def test_top_members_takes_each_members_best_row_and_never_the_query_member():
    rng = np.random.default_rng(1)
    corpus = _unit(rng.normal(size=(300, 8)))
    corpus_member = rng.integers(0, 40, size=300)
    queries = _unit(rng.normal(size=(9, 8)))
    query_member = rng.integers(0, 40, size=9)
    members, scores = top_members(queries, query_member, corpus, corpus_member, 5, chunk=4)
    sims = queries @ corpus.T
    for q in range(9):
        best = {}
        for row, m in enumerate(corpus_member):
            if m != query_member[q]:
                best[m] = max(best.get(m, -np.inf), sims[q, row])
        expected = sorted(best, key=lambda m: -best[m])[:5]
        assert list(members[q]) == expected
        np.testing.assert_allclose(scores[q], [best[m] for m in expected], rtol=1e-5)


def test_top_members_never_compares_the_pairs_it_is_told_to_skip():
    rng = np.random.default_rng(2)
    corpus = _unit(rng.normal(size=(200, 8)))
    corpus_member = rng.integers(0, 30, size=200)
    queries = _unit(rng.normal(size=(7, 8)))
    query_member = np.full(7, -1)
    sims = queries @ corpus.T
    skip = (np.array([0, 0, 3, 6]), np.array([sims[0].argmax(), 5, sims[3].argmax(), 199]))
    members, scores = top_members(
        queries, query_member, corpus, corpus_member, 4, chunk=3, skip=skip
    )
    skipped = set(zip(*(a.tolist() for a in skip), strict=True))
    for q in range(7):
        best = {}
        for row, m in enumerate(corpus_member):
            if (q, row) not in skipped:
                best[m] = max(best.get(m, -np.inf), sims[q, row])
        expected = sorted(best, key=lambda m: -best[m])[:4]
        assert list(members[q]) == expected
        np.testing.assert_allclose(scores[q], [best[m] for m in expected], rtol=1e-5)


def test_hubness_is_how_much_nearer_to_everything_a_text_is_than_a_typical_one():
    """Unit vectors: offer 0 lies between all three needs, offer 1 on one of them, offer 2
    (a copy of 1) likewise, offer 3 far from all."""
    needs = np.eye(3, dtype=np.float32)
    offers = np.array([[1, 1, 1], [1, 0, 0], [1, 0, 0], [-1, -1, -1]], dtype=np.float32) / np.array(
        [[3**0.5], [1], [1], [3**0.5]], dtype=np.float32
    )
    hub = hubness(offers, needs, k=2)
    assert hub[0] > hub[1] == hub[2] >= 0  # the same text is as near whoever wrote it
    assert hub[3] == 0  # a text near nothing is not lifted
    assert hub[0] == pytest.approx(3**-0.5 - np.mean([3**-0.5, 0.5, 0.5, -(3**-0.5)]))
    assert len(hubness(offers, needs[:0], k=2)) == 4 and not hubness(offers, needs[:0], k=2).any()
