"""The time-split protocol shared by every evaluation: learn from the past, rank the future.

Training queries come before the split and are labelled only with outcomes known at the
split; test queries come after it. Every ranker (the baselines, "behaviour" and the matcher)
scores exactly the same candidates of the same test queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from matcher.embed import Encoder
from matcher.evaluate.baselines import BASELINES, Scorer
from matcher.evaluate.metrics import (
    catalogue_coverage,
    exposure,
    gini,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)
from matcher.features.pairs import BEHAVIOUR_FEATURES, FEATURE_NAMES
from matcher.features.queries import QueryBlock
from matcher.features.training import training_rows
from matcher.progress import Reporter, Silent
from matcher.rank import Ranker, TooFewLabels
from matcher.snapshot import Community

TEST_SHARE = 0.3  # the last 30% of queries by time are the test queries
ENCODE_CHUNK = 256


@dataclass(frozen=True)
class TestQuery:
    """A test need: its candidates' features, whom MRR looks for, and who counts as relevant."""

    block: QueryBlock
    target: np.ndarray  # bool per candidate: the answer for MRR and Recall@1
    relevant: np.ndarray  # bool per candidate: relevant for Recall@10 and NDCG@10


@dataclass(frozen=True)
class Evaluation:
    """Metrics of every ranker on one dataset, with what they were computed on."""

    dataset: str
    n_queries: int
    median_candidates: float
    rankers: dict[str, dict[str, float]]
    notes: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def encode_posts(
    community: Community, encoder: Encoder, progress: Reporter | None = None
) -> np.ndarray:
    """Vectors of every post's text, in the order of `community.posts`."""
    texts = community.posts["text"].fillna("").tolist()
    advance = (progress or Silent()).task("encoding posts", len(texts))
    parts = [np.zeros((0, encoder.dim), dtype=np.float32)]
    for start in range(0, len(texts), ENCODE_CHUNK):
        chunk = texts[start : start + ENCODE_CHUNK]
        parts.append(encoder.encode(chunk))
        advance(len(chunk))
    return np.vstack(parts)


def learned_rankers(
    X: np.ndarray, y: np.ndarray, groups: np.ndarray, min_labels: int, notes: list[str]
) -> dict[str, Scorer]:
    """The behaviour and matcher rankers trained on the rows.

    Without enough labels there is no ranker: as in a build, the matcher keeps the content
    score and behaviour falls back to recency, and the notes say so.
    """
    out: dict[str, Scorer] = {}
    fallbacks = {"behaviour": "recency", "matcher": "content"}
    for name, features in (("behaviour", BEHAVIOUR_FEATURES), ("matcher", FEATURE_NAMES)):
        try:
            ranker = Ranker(features=features, min_labels=min_labels).fit(X, y, groups)
        except TooFewLabels as exc:
            notes.append(f"{name}: no ranker ({exc}); showing the {fallbacks[name]} score")
            out[name] = BASELINES[fallbacks[name]]
            continue
        out[name] = _probability(ranker)
    return out


def _probability(ranker: Ranker) -> Scorer:
    return lambda features: ranker.predict_proba(features)[:, 1]


def score(queries: Sequence[TestQuery], scorers: dict[str, Scorer], k: int = 10):
    """Metrics of each ranker over the test queries (ties broken fairly)."""
    catalogue = sorted({int(c) for q in queries for c in q.block.candidates})
    results: dict[str, dict[str, float]] = {}
    for name, scorer in scorers.items():
        values: dict[str, list[float]] = {
            "mrr": [],
            "recall@1": [],
            f"recall@{k}": [],
            f"ndcg@{k}": [],
        }
        rankings = []
        for q in queries:
            s = scorer(q.block.features)
            rankings.append((q.block.candidates, s))
            values["mrr"].append(reciprocal_rank(s, q.target))
            values["recall@1"].append(recall_at_k(s, q.target, 1))
            values[f"recall@{k}"].append(recall_at_k(s, q.relevant, k))
            values[f"ndcg@{k}"].append(ndcg_at_k(s, q.relevant, k))
        summary = {m: round(float(np.mean(v)), 4) if v else 0.0 for m, v in values.items()}
        shown = exposure(rankings, catalogue, k)
        summary[f"coverage@{k}"] = round(catalogue_coverage(shown), 4)
        summary[f"gini@{k}"] = round(gini(shown), 4)
        results[name] = summary
    return results


def run(
    dataset: str,
    blocks: Sequence[QueryBlock],
    split_index: int,
    positives: set[tuple[int, int]],
    make_test: Callable[[QueryBlock], TestQuery | None],
    baselines: Sequence[str],
    min_labels: int,
) -> Evaluation:
    """Train on the blocks before `split_index`, test on the rest, and score every ranker."""
    notes: list[str] = []
    rows = training_rows(blocks[:split_index], positives)
    X, y, groups = rows.X, rows.y, rows.groups
    scorers = {name: BASELINES[name] for name in baselines}
    scorers.update(learned_rankers(X, y, groups, min_labels, notes))
    queries = [q for q in map(make_test, blocks[split_index:]) if q is not None]
    sizes = [len(q.block.candidates) for q in queries]
    return Evaluation(
        dataset=dataset,
        n_queries=len(queries),
        median_candidates=float(np.median(sizes)) if sizes else 0.0,
        rankers=score(queries, scorers) if queries else {name: {} for name in scorers},
        notes=notes,
        details={
            "training_queries": len(np.unique(groups)),
            "training_rows": len(y),
            "training_positives": int(y.sum()),
        },
    )
