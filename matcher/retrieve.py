"""Exact nearest-neighbour search over normalized float32 vectors, in bounded-memory chunks."""

from __future__ import annotations

import numpy as np


def top_k(
    queries: np.ndarray,
    corpus: np.ndarray,
    k: int,
    *,
    chunk: int = 65536,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The `k` corpus rows nearest (by cosine) to each query row: `(ids, scores)`, best first.

    Vectors must be L2-normalized. The corpus is scanned in chunks of `chunk` rows, so memory
    stays at O(len(queries) * (chunk + k)) whatever the corpus size. `exclude` is an optional
    boolean mask over the corpus of rows never to return. Rows with fewer than `k` eligible
    corpus rows are padded with id -1 and score -inf.
    """
    queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    n_queries, n_corpus = len(queries), len(corpus)
    k_eff = min(k, n_corpus)
    best_ids = np.full((n_queries, k), -1, dtype=np.int64)
    best_scores = np.full((n_queries, k), -np.inf, dtype=np.float32)
    if k_eff == 0 or n_queries == 0:
        return best_ids, best_scores
    for start in range(0, n_corpus, chunk):
        block = corpus[start : start + chunk]
        scores = queries @ block.T
        if exclude is not None:
            scores[:, exclude[start : start + chunk]] = -np.inf
        take = min(k_eff, scores.shape[1])
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        part_scores = np.take_along_axis(scores, part, axis=1)
        merged_ids = np.concatenate([best_ids, part + start], axis=1)
        merged_scores = np.concatenate([best_scores, part_scores], axis=1)
        keep = np.argpartition(-merged_scores, k - 1, axis=1)[:, :k]
        best_ids = np.take_along_axis(merged_ids, keep, axis=1)
        best_scores = np.take_along_axis(merged_scores, keep, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    best_ids = np.take_along_axis(best_ids, order, axis=1)
    best_scores = np.take_along_axis(best_scores, order, axis=1)
    best_ids[~np.isfinite(best_scores)] = -1
    return best_ids, best_scores


def max_by_group(
    scores: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each group (e.g. member), the best score among its rows and which row it was.

    `scores` has one value per row (post), `groups` the group of each row. Returns
    `(best, argbest)` of length `n_groups`: -inf and -1 for groups with no row.
    """
    best = np.full(n_groups, -np.inf, dtype=np.float32)
    np.maximum.at(best, groups, scores)
    argbest = np.full(n_groups, -1, dtype=np.int64)
    hit = scores >= best[groups]
    rows = np.flatnonzero(hit)
    argbest[groups[rows[::-1]]] = rows[::-1]  # first row reaching the best wins
    return best, argbest
