"""Exact nearest-neighbour search over normalized float32 vectors, in bounded-memory chunks."""

from __future__ import annotations

import numpy as np

HUB_NEIGHBOURS = 10  # the k of `hubness` (CSLS's own)


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


def top_members(
    queries: np.ndarray,
    query_member: np.ndarray,
    corpus: np.ndarray,
    corpus_member: np.ndarray,
    k: int,
    *,
    chunk: int = 256,
    advance: object | None = None,
    skip: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each query (need), the `k` members whose best corpus row (offer) is nearest.

    A member's score is the maximum cosine over their corpus rows; a query's own member is
    never returned, nor are the (query, corpus row) pairs of `skip` compared. Exact, computed
    in chunks of `chunk` queries so memory stays bounded. Returns `(members, scores)` of shape
    (n_queries, k), best first, padded with -1 / -inf.
    """
    n_queries = len(queries)
    if len(corpus) == 0 or n_queries == 0:
        return np.full((n_queries, k), -1, dtype=np.int64), np.full(
            (n_queries, k), -np.inf, dtype=np.float32
        )
    order = np.argsort(corpus_member, kind="stable")
    sorted_corpus = corpus[order]
    sorted_member = corpus_member[order]
    starts = np.flatnonzero(np.r_[True, sorted_member[1:] != sorted_member[:-1]])
    column_member = sorted_member[starts]
    k_eff = min(k, len(column_member))
    members = np.full((n_queries, k), -1, dtype=np.int64)
    scores = np.full((n_queries, k), -np.inf, dtype=np.float32)
    if k_eff == 0:
        return members, scores
    own_column = np.searchsorted(column_member, query_member)
    own_column_valid = (own_column < len(column_member)) & (
        column_member[np.minimum(own_column, len(column_member) - 1)] == query_member
    )
    skip_query, skip_column = (
        (np.zeros(0, dtype=np.int64),) * 2
        if skip is None
        else (np.asarray(skip[0]), np.argsort(order, kind="stable")[np.asarray(skip[1])])
    )
    for start in range(0, n_queries, chunk):
        stop = min(start + chunk, n_queries)
        sims = queries[start:stop] @ sorted_corpus.T
        here = (skip_query >= start) & (skip_query < stop)
        sims[skip_query[here] - start, skip_column[here]] = -np.inf
        best = np.maximum.reduceat(sims, starts, axis=1)
        rows = np.arange(stop - start)
        own = own_column_valid[start:stop]
        best[rows[own], own_column[start:stop][own]] = -np.inf
        part = np.argpartition(-best, k_eff - 1, axis=1)[:, :k_eff]
        part_scores = np.take_along_axis(best, part, axis=1)
        order_in = np.argsort(-part_scores, axis=1, kind="stable")
        part = np.take_along_axis(part, order_in, axis=1)
        members[start:stop, :k_eff] = column_member[part]
        scores[start:stop, :k_eff] = np.take_along_axis(part_scores, order_in, axis=1)
        if advance is not None:
            advance(stop - start)
    members[~np.isfinite(scores)] = -1
    return members, scores


def hubness(rows: np.ndarray, against: np.ndarray, k: int, *, chunk: int = 1024) -> np.ndarray:
    """How near each row (an offer, say) is to everything on the other side (the needs): the
    mean cosine of its `k` nearest rows of `against` (all of them when fewer), less the
    average of that over all rows, where more (0: no nearer to everything than a typical row;
    one text is as near whoever wrote it). A text near every need ("happy to help with
    anything music") is a hub of nearest-neighbour search, found first by needs it does not
    answer; subtracting half of each side's (CSLS: Conneau et al., 2018, "Word translation
    without parallel data") ranks the pair by how much nearer the two are than each is to
    all. Computed in chunks of `chunk` rows so memory stays bounded."""
    k_eff = min(k, len(against))
    if not k_eff or len(rows) == 0:
        return np.zeros(len(rows), dtype=np.float32)
    near = np.empty(len(rows))
    for start in range(0, len(rows), chunk):
        stop = min(start + chunk, len(rows))
        sims = rows[start:stop] @ against.T
        near[start:stop] = -np.partition(-sims, k_eff - 1, axis=1)[:, :k_eff].mean(axis=1)
    # Only nearer than typical counts: a text near nothing (a stranger's) is not lifted.
    return np.maximum(near - near.mean(), 0.0).astype(np.float32)
