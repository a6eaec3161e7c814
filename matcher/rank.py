"""The learned ranker: how likely a candidate is to help with a need, from the pair features.

A logistic regression over the named pair features (missing values imputed and flagged,
features standardized). Its strength of regularization is chosen, and its probabilities
calibrated (Platt scaling), on the most recent slice of the training queries, so nothing is
tuned on the data it is evaluated on. Below `min_labels` positive outcomes there is no
ranker: `fit` raises `TooFewLabels` and the caller keeps the content score.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from matcher.errors import BuildError, MatcherError
from matcher.evaluate.metrics import reciprocal_rank
from matcher.features.pairs import COLUMN, FEATURE_NAMES

RANKER_FILE = "ranker.joblib"


class TooFewLabels(MatcherError):
    """Too few labelled outcomes to train a ranker (see the min_training_labels setting)."""


class Ranker(ClassifierMixin, BaseEstimator):
    """P(candidate helps | pair features): a calibrated, regularized logistic regression.

    `features` names the columns of `FEATURE_NAMES` to use (e.g. without the text features
    for the "behaviour" baseline). `fit(X, y, groups)` takes the rows of many queries in time
    order, `groups` naming the query of each row. One logistic regression is fitted for each
    strength of regularization in `Cs` and their scores are averaged: with a few hundred
    labelled needs, picking one C on a small validation slice flips with the slightest change
    in the data, and averaging is steadier. The last `validation` share of the queries (the
    most recent) is held out once to measure the averaged model (`validation_mrr_`) and to
    fit its calibration (Platt scaling); the final models are then refitted on every query.
    """

    def __init__(
        self,
        features: Sequence[str] = FEATURE_NAMES,
        Cs: Sequence[float] = (0.01, 0.1, 1.0),
        validation: float = 0.25,
        min_labels: int = 200,
    ):
        self.features = features
        self.Cs = Cs
        self.validation = validation
        self.min_labels = min_labels

    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> Ranker:
        """Learn from labelled rows (1: helped) of queries given in time order."""
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y).astype(int)
        groups = np.zeros(len(y), dtype=np.int64) if groups is None else np.asarray(groups)
        positives = int(y.sum())
        if positives < self.min_labels:
            raise TooFewLabels(
                f"{positives} positive outcomes; a ranker needs at least {self.min_labels} "
                "(setting min_training_labels)"
            )
        unknown = sorted(set(self.features) - set(COLUMN))
        if unknown:
            raise ValueError(f"unknown features: {unknown}")
        self.classes_ = np.array([0, 1])
        self.columns_ = np.array([COLUMN[name] for name in self.features])
        self.n_features_in_ = X.shape[1]
        early, late = _time_split(groups, self.validation)
        if len(np.unique(y[early])) < 2 or not y[late].any():
            raise TooFewLabels("the training queries need positives both early and late in time")
        held_out = _average(
            [_pipeline(C).fit(X[early][:, self.columns_], y[early]) for C in self.Cs],
            X[late][:, self.columns_],
        )
        self.validation_mrr_ = _mean_rr(held_out, y[late], groups[late])
        self.calibration_ = LogisticRegression(C=1e6).fit(held_out[:, None], y[late])
        self.models_ = [_pipeline(C).fit(X[:, self.columns_], y) for C in self.Cs]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The model's uncalibrated score of each row (higher: more likely to help)."""
        check_is_fitted(self, "models_")
        return _average(self.models_, np.asarray(X, dtype=np.float64)[:, self.columns_])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of (not helping, helping), one row per candidate."""
        decision = self.decision_function(X)
        return self.calibration_.predict_proba(decision[:, None])

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
    return Pipeline(
        [
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=C, max_iter=2000)),
        ]
    )


def _time_split(groups: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the earlier queries, and of the last `share` of them (queries in time order)."""
    _, first = np.unique(groups, return_index=True)
    queries = groups[np.sort(first)]  # in the order they first appear
    late = np.isin(groups, queries[len(queries) - max(1, round(len(queries) * share)) :])
    return ~late, late


def _mean_rr(scores: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """Mean reciprocal rank of the positives over the queries that have one."""
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    values = [
        reciprocal_rank(scores[rows], y[rows] == 1)
        for rows in np.split(order, bounds)
        if y[rows].any()
    ]
    return float(np.mean(values)) if values else 0.0
