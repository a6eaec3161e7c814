"""The learned ranker: how likely a candidate is to help with a need, from the pair features.

A logistic regression over the named pair features (missing values imputed and flagged,
features standardized); optionally (`objective`) a pairwise one that learns only from the
comparisons within a need. Models of several strengths of regularization are averaged, and
their probabilities calibrated (Platt scaling) on the most recent slice of the training
queries, so nothing is tuned on the data it is evaluated on. Below `min_labels` positive
outcomes there is no ranker: `fit` raises `TooFewLabels` and the caller keeps the content
score.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from matcher.config import MIN_TRAINING_LABELS
from matcher.errors import BuildError, MatcherError
from matcher.evaluate.metrics import reciprocal_rank
from matcher.features.pairs import COLUMN, FEATURE_NAMES

RANKER_FILE = "ranker.joblib"


class TooFewLabels(MatcherError):
    """Too few labelled outcomes to train a ranker (see the min_training_labels setting);
    `positives` and `needed` say how many there were and how many it takes, when that is why."""

    def __init__(self, message: str, positives: int | None = None, needed: int | None = None):
        super().__init__(message)
        self.positives = positives
        self.needed = needed


# The objectives, measured by rolling validation inside the training period of both Stack
# Exchange dumps (the questions from 20% to 70% by time, each ranked by models refitted every
# 10 questions on what was known before it; MiniLM), against "pointwise": "both" changed MRR
# by -.001 (paired s.e. .011) on beer and +.049 (.019) on sustainability, Recall@10 by +.002 /
# +.015; "pairwise" by -.007 (.015) / +.055 (.026), Recall@10 +.014 / +.000 (with the earlier
# Cs (0.01, 0.1, 1); with `CS`, "both" -.007 (.010) / -.001 (.017), "pairwise" -.015 (.013) /
# +.024 (.026)). Support on one site and none on the other is not enough to change the
# default; on the test questions "both" then moved the matcher's MRR by -.015 (beer) and
# -.028 (sustainability), within noise but no better. Tried the same way and not kept (so
# not in this module): a small, strongly regularized HistGradientBoosting averaged with the
# logistic regression (MRR +.012 beer, -.022 sustainability), and stacking a behaviour-only
# and a text-only model with a second-level logistic regression fitted on their out-of-time
# scores (MRR -.009 / -.006, Recall@10 lower on both).
OBJECTIVES = ("pointwise", "pairwise", "both")
# Strengths of regularization whose models are averaged: one per decade. Rolling validation
# inside the training period of both Stack Exchange dumps (`bench/validate_ranker.py PATH
# --objective pointwise --cs 0.01,0.1,1`) found the earlier (0.01, 0.1, 1) too strongly
# regularized: with the two weaker strengths added, the matcher's MRR rose by .013 (paired
# s.e. .009) on beer and .023 (.016) on sustainability, Recall@10 by .019 and .000; each other
# grid tried with weaker strengths (0.1-10, 1-100, 10-1000, 1, 10, 10^4) gained on both sites.
CS = (0.01, 0.1, 1.0, 10.0, 100.0)
# The pairwise model learns from at most this many (helper, other candidate) pairs: a memory
# budget (every pair is a row of feature differences), not a tuned constant. Beyond it each
# helper keeps a random sample of the other candidates of its need, weighted so that every
# helper still counts as one; the Stack Exchange training sets stay far below it.
MAX_PAIRS = 250_000


class Ranker(ClassifierMixin, BaseEstimator):
    """P(candidate helps | pair features): calibrated, regularized logistic regressions.

    `features` names the columns of `FEATURE_NAMES` to use (e.g. without the text features
    for the "behaviour" baseline). `fit(X, y, groups)` takes the rows of many queries in time
    order, `groups` naming the query of each row. One logistic regression is fitted for each
    strength of regularization in `Cs` and their scores are averaged: with a few hundred
    labelled needs, picking one C on a small validation slice flips with the slightest change
    in the data, and averaging is steadier. The last `validation` share of the queries (the
    most recent) is held out once to measure the averaged model (`validation_mrr_`, and there
    too the score a build without the ranker serves, `fit`'s `content`:
    `content_validation_mrr_`) and to fit its calibration (Platt scaling); the final models
    are then refitted on every query.

    `objective`: "pointwise" (the default) fits each row on its own (does this candidate
    help?). "pairwise" fits a RankNet-style model instead: a logistic regression without
    intercept on the standardized feature differences of each helper minus each other
    candidate of the same need (each helper weighing one), which learns only from the
    comparisons within a need, as the task ("which of these candidates helps") asks. "both"
    averages the two scores (both are utilities on a log-odds scale). Pointwise is the
    default because neither of the others did better on both Stack Exchange sites (the
    measurements are by `OBJECTIVES`).
    """

    def __init__(
        self,
        features: Sequence[str] = FEATURE_NAMES,
        Cs: Sequence[float] = CS,
        validation: float = 0.25,
        min_labels: int = MIN_TRAINING_LABELS,
        objective: str = "pointwise",
    ):
        self.features = features
        self.Cs = Cs
        self.validation = validation
        self.min_labels = min_labels
        self.objective = objective

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        groups: np.ndarray | None = None,
        content: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> Ranker:
        """Learn from labelled rows (1: helped) of queries given in time order. `content`
        scores rows (all of `FEATURE_NAMES`) as a build without the ranker would, for the
        comparison on the held-out queries (default: the content similarity alone)."""
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y).astype(int)
        groups = np.zeros(len(y), dtype=np.int64) if groups is None else np.asarray(groups)
        positives = int(y.sum())
        if positives < self.min_labels:
            raise TooFewLabels(
                f"{positives} labelled outcomes (a helper and a need they helped with or "
                "accepted, counted once, from interactions that name the need, the helper "
                f"among its candidates); a ranker needs at least {self.min_labels} "
                "(setting min_training_labels)",
                positives=positives,
                needed=self.min_labels,
            )
        unknown = sorted(set(self.features) - set(COLUMN))
        if unknown:
            raise ValueError(f"unknown features: {unknown}")
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, not {self.objective!r}")
        self.classes_ = np.array([0, 1])
        self.columns_ = self._columns()
        self.n_features_in_ = X.shape[1]
        early, late = _time_split(groups, self.validation)
        if len(np.unique(y[early])) < 2 or len(np.unique(y[late])) < 2:
            # The late slice measures the model and calibrates it: it needs helpers and others.
            raise TooFewLabels(
                "the training queries need helpers and other candidates both early and late in time"
            )
        # The content score on the same held-out queries, for the build to compare with.
        served = content(X[late]) if content is not None else X[late, COLUMN["sim_best"]]
        self.content_validation_mrr_ = _mean_rr(served, y[late], groups[late])
        X = X[:, self.columns_]
        held_out = self._score(*self._models(X[early], y[early], groups[early]), X[late])
        self.validation_mrr_ = _mean_rr(held_out, y[late], groups[late])
        self.calibration_ = LogisticRegression(C=1e6).fit(held_out[:, None], y[late])
        self.models_, self.pairwise_models_ = self._models(X, y, groups)
        return self

    @property
    def beats_content(self) -> bool:
        """Whether it ranked the held-out helpers above the content score (`fit`'s
        `content`): a build serves it only then."""
        return self.validation_mrr_ > self.content_validation_mrr_

    def _models(self, X, y, groups) -> tuple[list[Pipeline], list[Pipeline]]:
        """The pointwise and the pairwise models (one per C) that the objective asks for."""
        pointwise = (
            [_pipeline(C).fit(X, y) for C in self.Cs] if self.objective != "pairwise" else []
        )
        pairwise = _pairwise(self.Cs, X, y, groups) if self.objective != "pointwise" else []
        return pointwise, pairwise

    @staticmethod
    def _score(pointwise: list[Pipeline], pairwise: list[Pipeline], X: np.ndarray) -> np.ndarray:
        return np.mean([_average(models, X) for models in (pointwise, pairwise) if models], axis=0)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The model's uncalibrated score of each row (higher: more likely to help)."""
        check_is_fitted(self, "models_")
        # Looked up by name again: a ranker saved when FEATURE_NAMES listed the features in
        # another order still reads the ones it learned from.
        X = np.asarray(X, dtype=np.float64)[:, self._columns()]
        if len(X) == 0:  # a need nobody could be asked about
            return np.zeros(0)
        # A ranker saved by a build from before `objective` existed has no pairwise models.
        return self._score(self.models_, getattr(self, "pairwise_models_", []), X)

    def _columns(self) -> np.ndarray:
        """The columns of `features` in this version's FEATURE_NAMES."""
        return np.array([COLUMN[name] for name in self.features])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of (not helping, helping), one row per candidate."""
        decision = self.decision_function(X)
        if len(decision) == 0:
            return np.zeros((0, 2))
        return self.calibration_.predict_proba(decision[:, None])

    def log_odds(self, X: np.ndarray) -> np.ndarray:
        """The calibrated log-odds of helping, one per row (the log-odds of `predict_proba`)."""
        decision = self.decision_function(X)
        if len(decision) == 0:
            return np.zeros(0)
        return self.calibration_.decision_function(decision[:, None])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """1 where helping is more likely than not."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def save(self, folder: Path | str) -> Path:
        """Write the fitted ranker into a build folder; returns the file."""
        check_is_fitted(self, "models_")
        path = Path(folder) / RANKER_FILE
        joblib.dump(self, path)
        return path

    @staticmethod
    def load(folder: Path | str) -> Ranker:
        """The ranker saved in a build folder."""
        path = Path(folder) / RANKER_FILE
        try:
            ranker = joblib.load(path)
        except (OSError, EOFError, ValueError, AttributeError, ImportError) as exc:
            raise BuildError(f"cannot read the ranker {path}: {exc}") from exc
        if not isinstance(ranker, Ranker):
            raise BuildError(f"{path} holds no ranker")
        return ranker


def _average(models: list[Pipeline], X: np.ndarray) -> np.ndarray:
    """The mean of the models' log-odds."""
    return np.mean([model.decision_function(X) for model in models], axis=0)


def _pipeline(C: float) -> Pipeline:
    return Pipeline([*_preprocessing(), ("model", LogisticRegression(C=C, max_iter=2000))])


def _preprocessing() -> list[tuple[str, object]]:
    return [
        ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
        ("scale", StandardScaler()),
    ]


def _pairwise(
    Cs: Sequence[float], X: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = 0
) -> list[Pipeline]:
    """Logistic regressions (one per C, no intercept) on the standardized differences of each
    helper minus the other candidates of its need; as pipelines scoring one row.

    Without an intercept, a difference d labelled 1 and -d labelled 0 cost the same, so every
    other row is flipped to give the solver two classes; fitting each pair once with C doubled
    is the same as fitting both signs of every pair with C, at half the cost.
    """
    prep = Pipeline(_preprocessing()).fit(X)
    rng = np.random.default_rng(seed)
    D, weights = _differences(prep.transform(X), y, groups, rng)
    if len(D) == 0:
        return []
    sign = np.where(np.arange(len(D)) % 2 == 0, 1.0, -1.0)
    D, target = D * sign[:, None], (sign > 0).astype(int)
    out = []
    for C in Cs:
        model = LogisticRegression(C=2 * C, fit_intercept=False, max_iter=2000)
        model.fit(D, target, sample_weight=weights)
        out.append(Pipeline([*prep.steps, ("model", model)]))
    return out


def _differences(
    Z: np.ndarray, y: np.ndarray, groups: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of helper minus other candidate within each query, and weights that make each
    helper count as one (at most MAX_PAIRS rows, sampling the other candidates beyond it)."""
    per_helper = max(1, MAX_PAIRS // max(1, int(y.sum())))
    parts, weights = [], []
    for rows in _query_rows(groups):
        helpers, others = rows[y[rows] == 1], rows[y[rows] == 0]
        if len(helpers) == 0 or len(others) == 0:
            continue
        for helper in helpers:
            chosen = others
            if len(others) > per_helper:
                chosen = rng.choice(others, per_helper, replace=False)
            parts.append(Z[helper] - Z[chosen])
            weights.append(np.full(len(chosen), 1.0 / len(chosen)))
    if not parts:
        return np.zeros((0, Z.shape[1])), np.zeros(0)
    w = np.concatenate(weights)
    return np.vstack(parts), w * len(w) / w.sum()


def _time_split(groups: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the earlier queries, and of the last `share` of them (queries in time order)."""
    _, first = np.unique(groups, return_index=True)
    queries = groups[np.sort(first)]  # in the order they first appear
    late = np.isin(groups, queries[len(queries) - max(1, round(len(queries) * share)) :])
    return ~late, late


def _mean_rr(scores: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """Mean reciprocal rank of the positives over the queries that have one."""
    values = [
        reciprocal_rank(scores[rows], y[rows] == 1) for rows in _query_rows(groups) if y[rows].any()
    ]
    return float(np.mean(values)) if values else 0.0


def _query_rows(groups: np.ndarray) -> list[np.ndarray]:
    """The rows of each query (in the order of the query ids)."""
    order = np.argsort(groups, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(groups[order])) + 1)
