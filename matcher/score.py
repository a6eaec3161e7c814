"""Directional scores s(A->B): the content score, calibrated per build to a probability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from matcher import reciprocal


@dataclass(frozen=True)
class ContentScorer:
    """How likely B can help A, from text similarity, shared tags and closeness.

    The cosine of the best need-offer pair is standardised by the mean and spread of the
    build's candidate similarities (so 0.5 is a typical candidate). Shared tags and closeness
    add to the log-odds with the configured weights, scaled by how relevant the text already
    is: a photographer next door is still no answer to "we need a drummer".
    """

    mean: float
    std: float
    tag_weight: float = 1.0
    proximity_weight: float = 0.5

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], tag_weight: float, proximity_weight: float):
        """The scorer calibrated by a build."""
        calibration = manifest.get("calibration", {})
        return cls(
            float(calibration.get("mean", 0.0)),
            float(calibration.get("std", 1.0)) or 1.0,
            tag_weight,
            proximity_weight,
        )

    def probability(
        self, cosine: np.ndarray, tag_overlap: np.ndarray, proximity: np.ndarray
    ) -> np.ndarray:
        """Probabilities in [0, 1]; 0 where there is no need-offer pair at all."""
        cosine = np.asarray(cosine, dtype=np.float64)
        has = np.isfinite(cosine)
        relevance = (np.where(has, cosine, 0.0) - self.mean) / self.std
        context = self.tag_weight * np.asarray(tag_overlap) + self.proximity_weight * np.asarray(
            proximity
        )
        return np.where(has, expit(relevance + expit(relevance) * context), 0.0)


@dataclass(frozen=True)
class PairScores:
    """Both directions of many pairs, fused: the score a match is ranked by."""

    forward: np.ndarray  # s(A->B): B could help A
    reverse: np.ndarray  # s(B->A): A could help B
    primary: np.ndarray  # the direction asked for (or the stronger one)
    score: np.ndarray  # the reciprocal fusion
    mutual: np.ndarray  # both directions at least a typical candidate's
    direction: np.ndarray  # "helps_you" | "you_help" per pair


def pair_scores(
    forward: np.ndarray, reverse: np.ndarray, direction: str, operator: str
) -> PairScores:
    """Fuse the two directions for `direction` (helps_you, you_help or both)."""
    forward = np.asarray(forward, dtype=np.float64)
    reverse = np.asarray(reverse, dtype=np.float64)
    if direction == "helps_you":
        primary, secondary = forward, reverse
        label = np.full(len(forward), "helps_you", dtype=object)
    elif direction == "you_help":
        primary, secondary = reverse, forward
        label = np.full(len(forward), "you_help", dtype=object)
    else:
        primary, secondary = np.maximum(forward, reverse), np.minimum(forward, reverse)
        label = np.where(forward >= reverse, "helps_you", "you_help").astype(object)
    score = reciprocal.fuse(primary, secondary, operator)
    mutual = (forward >= 0.5) & (reverse >= 0.5)
    return PairScores(forward, reverse, primary, score, mutual, label)
