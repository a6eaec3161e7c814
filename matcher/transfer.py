"""What the ranker learned, lent to a need it never scored: a typed need borrows the learned
scores of the built needs most like it.

A need typed in a search has no seeker, no history and no candidate list of its own, so the
ranker never scored it, and its list was the content score's alone: "need our EP mixed" read
as near "New EP out now - happy to send it to radio" as to a mixing engineer's offer. The
build's needs most like it were scored by the ranker, which learned from outcomes who helps
with needs of their kind. Each candidate's lent score is the mean of their learned scores
over those needs, weighted by how alike each need is; the typed need's own content score (its
words, tags and place) and the lent score are then averaged in log-odds, both being relative
to a typical candidate (0.5). On the 2,000-member demo, judged by its hidden truth
(`bench/served_truth.py --typed`), this halved the share of listed people who could not help
with the need at all; the figures are in docs/matching.md, section 3.

What the lent scores learned of places is of the places of the needs they were learned for,
not of the typed need's: a search for a drummer in Leeds borrowed from drummer needs anywhere,
and listed drummers in London, Dundee and Atlanta before the one in Leeds. Where the search
names a place, the lent half of the average also holds how much the ranker learned that a
candidate's place counts (`place_effect`: in the same town, so far away), weighted as the
content score weighs closeness, by how relevant their text is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import expit

from matcher.features.pairs import COLUMN, FEATURE_NAMES
from matcher.score import log_odds, relative_odds

# Built needs a typed need borrows from: as many as the past needs `knn_votes` consults.
NEIGHBOURS = 20


def neighbour_needs(cosine: np.ndarray, k: int = NEIGHBOURS) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the `k` needs most like a typed one, from each need's `cosine` to it
    (-inf: not to be borrowed from), and their weights: the cosine, those not alike at all
    (cosine <= 0) left out."""
    cosine = np.asarray(cosine, dtype=np.float64)
    k = min(k, len(cosine))
    if k == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    nearest = np.argpartition(-cosine, k - 1)[:k]
    nearest = nearest[np.argsort(-cosine[nearest], kind="stable")]
    alike = cosine[nearest] > 0
    return nearest[alike], cosine[nearest][alike]


def lent_scores(
    candidate_members: np.ndarray,
    learned: np.ndarray,
    weights: np.ndarray,
    member_rows: np.ndarray,
) -> np.ndarray:
    """Per member row of `member_rows`, the weighted mean of their learned score over the
    needs whose candidate lists (`candidate_members`, member rows, -1 padded) and learned
    scores (`learned`, NaN padded) are given, one row per need. Each need's scores are first
    taken relative to its median listed candidate's (as odds against theirs: that candidate is
    0.5, as a typical candidate is in the content score), and a member missing from a need's
    list counts as its lowest: not among its nearest, so no better than its last. A need with
    no score listed lends nothing. NaN for everyone when no need lends anything; the caller
    makes NaN whom the build could not see (`blend` reads it as a typical candidate)."""
    out = np.full(len(member_rows), np.nan)
    members = np.asarray(candidate_members)
    scores = np.asarray(learned, dtype=np.float64)
    listed = (members >= 0) & np.isfinite(scores)
    lends = listed.any(axis=1) & (np.asarray(weights) > 0)
    if not lends.any() or len(member_rows) == 0:
        return out
    members, scores, listed = members[lends], scores[lends], listed[lends]
    weights = np.asarray(weights, dtype=np.float64)[lends]
    typical = np.nanmedian(np.where(listed, scores, np.nan), axis=1)
    relative = np.where(listed, relative_odds(scores, typical[:, None]), np.inf)
    lowest = relative.min(axis=1)
    out[:] = weights @ lowest
    rows, cols = np.nonzero(listed)
    who = members[rows, cols]
    member_rows = np.asarray(member_rows, dtype=np.int64)
    order = np.argsort(member_rows, kind="stable")
    at = np.minimum(np.searchsorted(member_rows[order], who), len(order) - 1)
    hit = member_rows[order][at] == who
    rows, cols = rows[hit], cols[hit]
    np.add.at(out, order[at[hit]], weights[rows] * (relative[rows, cols] - lowest[rows]))
    return out / weights.sum()


def place_effect(
    ranker_log_odds: Callable[[np.ndarray], np.ndarray], same_town: np.ndarray, km: np.ndarray
) -> np.ndarray:
    """What the ranker (`ranker_log_odds` of rows of FEATURE_NAMES) learned each candidate's
    place is worth, in log-odds: being in the typed place's town (`same_town`) and `km` away
    from it (NaN: unknown), against a candidate whose place is unknown, all else as typical (every
    other feature left for the ranker to fill in, as it fills in a missing value)."""
    n = len(same_town)
    rows = np.full((n + 1, len(FEATURE_NAMES)), np.nan)
    rows[:, COLUMN["same_town"]] = np.r_[np.asarray(same_town, dtype=np.float64), 0.0]
    rows[:n, COLUMN["distance_km"]] = km
    scores = ranker_log_odds(rows)
    return scores[:n] - scores[n]


def blend(content: np.ndarray, lent: np.ndarray, place: np.ndarray | None = None) -> np.ndarray:
    """The content score and the lent score averaged in log-odds, the lent one with `place`
    added (log-odds: `place_effect`, weighted), where a typed need names a place. Nothing lent
    (NaN: a member the build could not see) reads as a typical candidate's 0.5, so that
    everyone's content score is taken alike; no pair at all (content 0: no offer) stays 0."""
    content = np.asarray(content, dtype=np.float64)
    lent = np.where(np.isfinite(lent), lent, 0.5)
    out = content.copy()
    pair = content > 0
    lent_odds = log_odds(lent[pair]) + (0.0 if place is None else np.asarray(place)[pair])
    out[pair] = expit((log_odds(content[pair]) + lent_odds) / 2)
    return out
