"""Ranking metrics of one query (ties broken fairly, in expectation) and of exposure across queries.

A ranker that gives several candidates the same score does not get to pick the lucky order:
each metric is its expected value over all orders of the tied candidates. A ranker that
scores everyone the same is therefore exactly the random baseline. Missing (NaN) scores
rank last, tied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from math import comb

import numpy as np
from scipy.stats import bootstrap


def _groups(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each item: how many items score strictly higher, and how many score the same."""
    # The distinct scores in ascending order, missing (NaN, all one value) after them.
    values, group, same = np.unique(
        np.asarray(scores, dtype=np.float64), return_inverse=True, return_counts=True
    )
    scored = same * ~np.isnan(values)  # a missing score is below any score, -inf included
    higher = scored[::-1].cumsum()[::-1] - scored  # items in the groups above each group
    higher[np.isnan(values)] = scored.sum()
    return higher[group], same[group]


def reciprocal_rank(scores: np.ndarray, relevant: np.ndarray) -> float:
    """1 / the rank of the first relevant candidate (0 if none), expected over tied orders."""
    relevant = np.asarray(relevant, dtype=bool)
    if not relevant.any():
        return 0.0
    higher, same = _groups(np.asarray(scores, dtype=np.float64))
    first = higher[relevant].min()
    group = higher == first
    before, size, hits = int(first), int(same[group][0]), int(relevant[group].sum())
    total = comb(size, hits)
    # The best-placed of `hits` relevant items among `size` tied places lands on place j
    # with probability C(size - j, hits - 1) / C(size, hits).
    return sum(comb(size - j, hits - 1) / total / (before + j) for j in range(1, size - hits + 2))


def in_top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Each candidate's probability of being ranked in the top `k` (ties broken fairly)."""
    higher, same = _groups(np.asarray(scores, dtype=np.float64))
    return np.clip((k - higher) / same, 0.0, 1.0)


def recall_at_k(
    scores: np.ndarray, relevant: np.ndarray, k: int, n_relevant: int | None = None
) -> float:
    """Expected share of the relevant candidates ranked in the top `k`.

    `n_relevant` counts relevant people outside the candidates too (default: those inside).
    """
    relevant = np.asarray(relevant, dtype=bool)
    total = int(relevant.sum()) if n_relevant is None else n_relevant
    if total == 0:
        return 0.0
    return float(in_top_k(scores, k)[relevant].sum() / total)


def ndcg_at_k(
    scores: np.ndarray, relevant: np.ndarray, k: int, n_relevant: int | None = None
) -> float:
    """Expected normalized discounted cumulative gain at `k`, with binary relevance."""
    relevant = np.asarray(relevant, dtype=bool)
    total = int(relevant.sum()) if n_relevant is None else n_relevant
    if total == 0:
        return 0.0
    discount = 1.0 / np.log2(np.arange(2, k + 2))  # places 1..k
    cumulative = np.concatenate([[0.0], np.cumsum(discount)])
    higher, same = _groups(np.asarray(scores, dtype=np.float64))
    first = np.minimum(higher[relevant], k)
    last = np.minimum(higher[relevant] + same[relevant], k)
    gain = ((cumulative[last] - cumulative[first]) / same[relevant]).sum()
    return float(gain / cumulative[min(total, k)])


def exposure(
    rankings: Iterable[tuple[Sequence[int], np.ndarray]], catalogue: Sequence[int], k: int
) -> np.ndarray:
    """Expected number of top-`k` lists each catalogue member is in, over (candidates, scores)."""
    position = {int(m): i for i, m in enumerate(catalogue)}
    counts = np.zeros(len(position))
    for candidates, scores in rankings:
        rows = np.array([position.get(int(m), -1) for m in candidates], dtype=np.int64)
        known = rows >= 0
        np.add.at(counts, rows[known], in_top_k(scores, k)[known])
    return counts


def catalogue_coverage(exposures: np.ndarray) -> float:
    """Share of the catalogue that is ever shown (exposure above zero)."""
    exposures = np.asarray(exposures)
    return float((exposures > 0).mean()) if len(exposures) else 0.0


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values: 0 when all equal, near 1 when one has everything."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2 * (ranks * x).sum() / (n * x.sum()) - (n + 1) / n)


def bootstrap_interval(
    statistic: Callable[..., np.ndarray],
    samples: Sequence[np.ndarray],
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `statistic` over queries resampled together.

    `samples` are per-query values (e.g. one ranker's and another's reciprocal ranks, in the
    same query order); `statistic(*samples, axis)` is vectorized (scipy.stats.bootstrap).
    None with fewer than two queries. Seeded, so a report is reproducible.
    """
    samples = [np.asarray(x, dtype=np.float64) for x in samples]
    if len(samples[0]) < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        result = bootstrap(
            samples,
            statistic,
            paired=True,
            vectorized=True,
            confidence_level=confidence,
            n_resamples=n_resamples,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    low, high = result.confidence_interval
    if not (np.isfinite(low) and np.isfinite(high)):
        return None
    return float(low), float(high)
