"""Directional scores s(A->B): the content score, calibrated per build to a probability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit, logit

from matcher import reciprocal
from matcher.config import Settings

_EDGE = 1e-6  # probabilities are kept inside (0, 1) before their log-odds are taken


def log_odds(probability: np.ndarray | float) -> np.ndarray:
    """The log-odds of probabilities, those of 0 and 1 taken as just inside them (finite)."""
    return logit(np.clip(np.asarray(probability, dtype=np.float64), _EDGE, 1 - _EDGE))


def relative_odds(probability: np.ndarray, typical: float | np.ndarray) -> np.ndarray:
    """A probability as odds against a typical candidate's (`typical`: one, or one per row
    that broadcasts), mapped back to [0, 1]: 0.5 is as likely as a typical candidate, the
    meaning the content score's 0.5 has."""
    return expit(log_odds(probability) - log_odds(typical))


@dataclass(frozen=True)
class ContentScorer:
    """How likely B can help A, from text similarity, shared tags and closeness.

    The cosine of the best need-offer pair is standardised by the mean and spread of the
    build's candidate similarities (so 0.5 is a typical candidate). Shared tags add to the
    log-odds with their configured weight: a tag is what the two said they need and do, in
    one word, where a short text's cosine is weak evidence ("J-card design" for "album
    artwork"). Closeness adds with its weight scaled by how relevant the text already is: a
    photographer next door is still no answer to "we need a drummer". A need the member
    once helped with counts as an offer of its words less `help_weight` (`help_discount`).
    Each pair's cosine is first taken `hub_weight` times the two texts' hubness
    (`retrieve.hubness`) down: a text near everything is found first by all. A member of the
    seeker's own kind, a peer (`pairs.peers`), loses up to `kind_weight` in log-odds: a peer
    venue's offer reads like the answer to a venue's need, being about the same thing.
    """

    mean: float
    std: float
    tag_weight: float = 1.0
    proximity_weight: float = 1.0
    help_weight: float = 0.5
    hub_weight: float = 0.5
    kind_weight: float = 1.0

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], settings: Settings) -> ContentScorer:
        """The scorer calibrated by a build (its manifest's "calibration"), weighted by the
        settings."""
        calibration = manifest.get("calibration", {})
        return cls(
            float(calibration.get("mean", 0.0)),
            float(calibration.get("std", 1.0)) or 1.0,
            settings.content_tag_weight,
            settings.content_proximity_weight,
            settings.content_help_weight,
            settings.content_hub_weight,
            settings.content_kind_weight,
        )

    @property
    def help_discount(self) -> float:
        """What a "helped with" text's cosine loses against an offer's: `help_weight` in
        log-odds, in the cosine's units (taken before the best pair is chosen, so an offer
        nearly as close is the one quoted)."""
        return self.help_weight * self.std

    def probability(
        self,
        cosine: np.ndarray,
        tag_overlap: np.ndarray,
        proximity: np.ndarray,
        peers: np.ndarray | None = None,
    ) -> np.ndarray:
        """Probabilities in [0, 1]; 0 where there is no need-offer pair at all. `peers`: how
        much each pair's two members are peers, 0 to 1 (`pairs.peers`; None: unknown, as for
        a typed need)."""
        cosine = np.asarray(cosine, dtype=np.float64)
        has = np.isfinite(cosine)
        relevance = self._relevance(cosine)
        tags = self.tag_weight * np.asarray(tag_overlap)
        near = self.proximity_weight * np.asarray(proximity)
        peer = 0.0 if peers is None else self.kind_weight * np.asarray(peers, float)
        return np.where(has, expit(relevance + tags + expit(relevance) * near - peer), 0.0)

    def place_weight(self, cosine: np.ndarray) -> np.ndarray:
        """How much where a candidate is counts, from 0 to 1, given how relevant their text is
        (the cosine of the best pair): a photographer next door is still no answer to "we
        need a drummer". The share of `proximity_weight` that `probability` adds."""
        return expit(self._relevance(np.asarray(cosine, dtype=np.float64)))

    def _relevance(self, cosine: np.ndarray) -> np.ndarray:
        """The cosine standardised: 0 for a typical candidate (no pair: the same as 0)."""
        return (np.where(np.isfinite(cosine), cosine, 0.0) - self.mean) / self.std


# Fewer candidate cosines than this: a build calibrates on the demo community's
# (matcher.reference); the store's evaluation on sampled pairs of the community's texts.
MIN_CALIBRATION_SCORES = 100
CALIBRATION_SAMPLE = 10_000


def content_calibration(
    scores: np.ndarray, needs: np.ndarray, offers: np.ndarray, seed: int = 0
) -> dict[str, object]:
    """The mean and spread of the cosines of a typical candidate, which the content score
    maps to 0.5: those of the needs' candidate lists, or, when there are too few of those (a
    new community whose offers came first), those of sampled pairs of any two texts, so that
    two unrelated members never look typical."""
    finite = scores[np.isfinite(scores)]
    source = "candidate lists"
    if finite.size < MIN_CALIBRATION_SCORES:
        texts = np.concatenate([needs, offers])
        if len(texts) < 2:
            return {"mean": 0.0, "std": 1.0, "source": "none (fewer than two texts)"}
        rng = np.random.default_rng(seed)
        a = rng.integers(0, len(texts), CALIBRATION_SAMPLE)
        b = (a + rng.integers(1, len(texts), CALIBRATION_SAMPLE)) % len(texts)  # never a == b
        finite = np.concatenate([finite, np.einsum("ij,ij->i", texts[a], texts[b])])
        source = "candidate lists and sampled pairs of texts"
    spread = float(finite.std())
    return {"mean": float(finite.mean()), "std": spread if spread > 0 else 1.0, "source": source}


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
    forward: np.ndarray, reverse: np.ndarray, direction: str, operator: str, weight: float = 1.0
) -> PairScores:
    """Fuse the two directions for `direction` (helps_you, you_help or both), the other one
    weighing `weight` (`reciprocal.fuse`)."""
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
    score = reciprocal.fuse(primary, secondary, operator, weight)
    mutual = reciprocal.is_mutual(forward, reverse)
    return PairScores(forward, reverse, primary, score, mutual, label)
