"""Text features of a need against candidates: embedding similarities, topic history, BM25."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy import sparse

from matcher.features.lexical import bm25, idf

if TYPE_CHECKING:
    from matcher.features.history import MemberState
    from matcher.features.pairs import Need

TOPIC_HALF_LIVES = (30.0, 100.0, 300.0)  # in helps by anyone (see decay.EVENT_HALF_LIVES)
KNN = 20  # past needs consulted by knn_votes


class Helped(NamedTuple):
    """The needs the candidates helped with, as the features of one need read them."""

    rows: np.ndarray  # post rows of the needs helped
    owner: np.ndarray  # position in the candidates of who helped with each
    clocks: np.ndarray  # the help clock when each was helped
    times: np.ndarray  # ... and the time (days)
    length: np.ndarray  # each candidate's helped-needs document length (BM25)
    helpers_of_need: int  # members in the state who helped with the need itself


def helped_before(state: MemberState, need: Need, cand: np.ndarray) -> Helped:
    """What the candidates at state positions `cand` helped with, leaving out `need` itself.

    Help already given to a need is no evidence of who fits it: the ranker learned from needs
    whose features were computed before any help on them, and a build scores open needs that
    some members have already helped with (without this, the helper's closest helped need
    would be the need itself). The document frequencies stay those of the whole state.
    """
    rows, owner = state.helped.gather(cand)
    clocks, _ = state.helped_clock.gather(cand)
    times, _ = state.helped_time.gather(cand)
    length = np.where(cand >= 0, state.helped_length[np.maximum(cand, 0)], 0.0)
    own = rows == need.post_row if need.post_row >= 0 else np.zeros(len(rows), dtype=bool)
    # Everyone's help with the need, candidates or not: the tags' community-wide counts leave
    # it out whoever the candidates are.
    helpers = int(state.helpers_of_need[need.post_row]) if need.post_row >= 0 else 0
    if own.any():
        length[owner[own]] -= state.post_length[need.post_row]
        rows, owner, clocks, times = rows[~own], owner[~own], clocks[~own], times[~own]
    return Helped(rows, owner, clocks, times, length, helpers)


def text_features(
    state: MemberState, need: Need, cand: np.ndarray, seeker: int, helped: Helped
) -> dict[str, np.ndarray]:
    """The text features of the candidates at state positions `cand` (`helped`: what they
    helped with, from `helped_before`)."""
    f: dict[str, np.ndarray] = {}
    offers, offerer = state.offers.gather(cand)
    offer_length = np.where(cand >= 0, state.offer_length[np.maximum(cand, 0)], 0.0)
    for side, rows, owner, length in (
        ("offer", offers, offerer, offer_length),
        ("helped", helped.rows, helped.owner, helped.length),
    ):
        f[f"sim_{side}_max"], f[f"sim_{side}_mean"] = _similarities(
            state.post_vectors[rows], owner, need.vector, len(cand)
        )
        f[f"bm25_{side}"] = _bm25(state, need, rows, owner, length)
        best = f[f"bm25_{side}"].max(initial=0.0)
        f[f"bm25_{side}_rel"] = f[f"bm25_{side}"] / best if best > 0 else np.zeros(len(cand))
    f["knn_votes"] = _knn_votes(state, need, helped.rows, helped.owner, len(cand))
    for h in TOPIC_HALF_LIVES:
        f[f"topic_share_{int(h)}"] = _topic(
            state, need, helped.rows, helped.owner, helped.clocks, len(cand), h
        )
    f["sim_best"] = np.fmax(f["sim_offer_max"], f["sim_helped_max"])
    f["sim_reverse"] = np.full(len(cand), np.nan)
    if seeker >= 0:
        mine = state.post_vectors[state.offers.row(seeker)]
        rows, owner = state.needs.gather(cand)
        if len(mine) and len(rows):
            best = (state.post_vectors[rows] @ mine.T).max(axis=1)
            starts, groups = _runs(owner)
            f["sim_reverse"][groups] = np.maximum.reduceat(best, starts)
    return f


def _similarities(vectors, owner, query, n) -> tuple[np.ndarray, np.ndarray]:
    best = np.full(n, np.nan)
    centroid = np.full(n, np.nan)
    if len(vectors) == 0:
        return best, centroid
    sims = vectors @ query
    starts, groups = _runs(owner)
    best[groups] = np.maximum.reduceat(sims, starts)
    # Sums of each candidate's vectors, as one sparse product (much faster than reduceat).
    indicator = sparse.csr_matrix(
        (np.ones(len(owner), dtype=vectors.dtype), (owner, np.arange(len(owner)))),
        shape=(n, len(owner)),
    )
    sums = indicator @ vectors
    norms = np.linalg.norm(sums, axis=1)
    has = norms > 0
    centroid[has] = (sums[has] @ query) / norms[has]
    return best, centroid


def _knn_votes(state, need, rows, owner, n) -> np.ndarray:
    """Similarity-weighted share of the K nearest helped needs that each candidate helped with."""
    votes = np.zeros(n)
    if len(rows) == 0:
        return votes
    unique = np.unique(rows)
    sims = state.post_vectors[unique] @ need.vector
    nearest = unique[np.argsort(-sims, kind="stable")[:KNN]]
    weight = np.maximum(state.post_vectors[nearest] @ need.vector, 0.0)
    if weight.sum() <= 0:
        return votes
    hit = np.isin(rows, nearest)
    order = np.argsort(nearest)
    row_weight = weight[order[np.searchsorted(nearest[order], rows[hit])]]
    return np.bincount(owner[hit], weights=row_weight, minlength=n) / weight.sum()


def _topic(state, need, rows, owner, clocks, n, half_life) -> np.ndarray:
    """Needs each candidate helped with, weighted by likeness and age (helps since), as a share."""
    if len(rows) == 0:
        return np.zeros(n)
    sims = np.maximum(state.post_vectors[rows] @ need.vector, 0.0)
    weight = sims * np.exp2(-np.maximum(state.total_helps - clocks, 0.0) / half_life)
    total = weight.sum()
    return np.bincount(owner, weights=weight, minlength=n) / (total if total > 0 else 1.0)


def _runs(owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal (sorted) owners starts, and its owner."""
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    return starts, owner[starts]


def _bm25(state, need, rows, owner, doc_len) -> np.ndarray:
    """BM25 of the need against each candidate's document (`rows` of `owner`, of length
    `doc_len`). The collection is the candidates: the average length is theirs (over those
    with a document). Over every member's, a community where many wrote only a short profile
    (most of a Stack Exchange site's users: an About Me, no answers) made every candidate's
    document look several times too long, and BM25 much weaker (DATA.md's bm25 baseline is
    this feature)."""
    n = len(doc_len)
    terms = need.term_ids
    if len(terms) == 0 or len(rows) == 0:
        return np.zeros(n)
    has = doc_len > 0
    average = float(doc_len[has].mean()) if has.any() else 0.0  # 0: no scores (bm25)
    sub = state.terms(rows)
    row_of = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
    hit = np.isin(sub.indices, terms)
    flat = owner[row_of[hit]] * len(terms) + np.searchsorted(terms, sub.indices[hit])
    tf = np.bincount(flat, weights=sub.data[hit], minlength=n * len(terms))
    # The corpus as the need found it: a need the state already holds (an open need a build
    # scores) is not one of its own documents, as it was not in training, where a need is
    # read just before it was posted.
    held = int(need.post_row >= 0 and state.post_time[need.post_row] < state.at)
    weights = idf(state.doc_freq[terms] - held, state.n_docs - held)
    return bm25(tf.reshape(n, len(terms)), doc_len, average, weights)
