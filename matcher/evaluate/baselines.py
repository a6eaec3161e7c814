"""The simple rankers every evaluation reports beside the matcher, each one score per candidate.

They read the same feature matrix as the matcher, so they always rank exactly the same
candidates. Higher scores rank first; ties are broken fairly by the metrics.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from matcher import geo
from matcher.features.pairs import COLUMN
from matcher.score import ContentScorer

Scorer = Callable[[np.ndarray], np.ndarray]


def _column(name: str, sign: float = 1.0) -> Scorer:
    def score(features: np.ndarray) -> np.ndarray:
        return sign * features[:, COLUMN[name]]

    return score


BASELINES: dict[str, Scorer] = {
    # Everyone tied: the expected value of a random order.
    "random": lambda features: np.zeros(len(features)),
    # How many times the candidate helped before.
    "activity": _column("log_helped"),
    # How recently the candidate last helped (never: last).
    "recency": _column("log_days_since_help", -1.0),
    # BM25 of the need against the candidate's offers (answers and About Me on Stack Exchange).
    "bm25": _column("bm25_offer"),
    # Cosine of the need to the centroid of the same texts.
    "embedding": _column("sim_offer_mean"),
    # The engine's content score: the closest offer or past help.
    "content": _column("sim_best"),
}


def content_score(scorer: ContentScorer, proximity_km: float) -> Scorer:
    """The score a build without the learned ranker serves, from the feature rows: the best
    cosine, calibrated by `scorer`, with shared tags and closeness added as the engine adds
    them. The tags are the share of the need's tags the candidate has (`tag_overlap`), where
    the engine compares the two members' tags: the nearest the features come."""

    def score(features: np.ndarray) -> np.ndarray:
        same_town = np.nan_to_num(features[:, COLUMN["same_town"]]) > 0
        near = geo.proximity(features[:, COLUMN["distance_km"]], same_town, proximity_km)
        tags = np.nan_to_num(features[:, COLUMN["tag_overlap"]])
        return scorer.probability(features[:, COLUMN["sim_best"]], tags, near)

    return score
