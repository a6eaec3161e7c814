"""Fusing the two directions of a pair, s(A->B) and s(B->A), into one reciprocal score."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from matcher.config import CHOICES

OPERATORS = CHOICES["reciprocal_operator"]
NEUTRAL = 0.5  # "no evidence either way" for the uninorm


def uninorm(x: np.ndarray, y: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """The cross-ratio uninorm xy / (xy + (1-x)(1-y)): 0.5 is neutral, agreement reinforces.
    It adds the log-odds of x and y; `weight` scales y's (1: the uninorm itself)."""
    x = np.clip(np.asarray(x, dtype=np.float64), 1e-6, 1 - 1e-6)
    y = np.clip(np.asarray(y, dtype=np.float64), 1e-6, 1 - 1e-6)
    return expit(logit(x) + weight * logit(y))


def harmonic(x: np.ndarray, y: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """The weighted harmonic mean (1 + w)xy / (wx + y), y weighing `weight` (w; x: 1): 2xy /
    (x + y) at weight 1 (0 where wx + y is 0)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    total = weight * x + y
    return np.divide((1 + weight) * x * y, total, out=np.zeros_like(total), where=total > 0)


def geometric(x: np.ndarray, y: np.ndarray, weight: float = 1.0) -> np.ndarray:
    """The weighted geometric mean x^(1/(1+w)) y^(w/(1+w)), y weighing `weight` (w; x: 1):
    the square root of xy at weight 1. The setting's value for it is "product" (kept for the
    configurations that name it), but it is a mean of the two, not their product."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return x ** (1 / (1 + weight)) * y ** (weight / (1 + weight))


def is_mutual(forward: np.ndarray, reverse: np.ndarray) -> np.ndarray:
    """Each could help the other: both directions at least a typical candidate's (NEUTRAL)."""
    return (np.asarray(forward) >= NEUTRAL) & (np.asarray(reverse) >= NEUTRAL)


def fuse(
    forward: np.ndarray, reverse: np.ndarray, operator: str = "uninorm", weight: float = 1.0
) -> np.ndarray:
    """One score per pair from s(A->B) and s(B->A), both probabilities in [0, 1].

    `weight` is how much the reverse direction counts against the direction asked (1: as
    much; 0: not at all, the one-way score).

    Reverse evidence only ever adds, and only to a pair that is a match in its own direction:
    where B needs nothing A offers (reverse at or below neutral), or B is a weaker candidate
    than a typical one for A (forward below neutral), the pair keeps its one-way score; mutual
    help ranks above it. (Else someone who could barely help A, but whom A could help a lot,
    would top A's list of who could help them, for a reason the list does not give.) With
    "harmonic" and "product", which are means, mutual help ranks above its one-way score only
    where the reverse direction is the stronger.
    """
    forward = np.asarray(forward, dtype=np.float64)
    reverse = np.asarray(reverse, dtype=np.float64)
    if operator == "uninorm":
        combined = uninorm(forward, np.maximum(reverse, NEUTRAL), weight)
    elif operator == "harmonic":
        combined = harmonic(forward, reverse, weight)
    elif operator == "product":
        combined = geometric(forward, reverse, weight)
    else:
        raise ValueError(f"unknown reciprocal operator {operator!r}; use one of {OPERATORS}")
    # At exactly neutral, reverse evidence adds nothing: each operator gives `forward` back.
    return np.where(is_mutual(forward, reverse), np.maximum(forward, combined), forward)
