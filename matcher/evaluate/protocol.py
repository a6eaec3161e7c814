"""The time-split protocol shared by every evaluation: learn from the past, rank the future.

Test queries are the last 30% by time; the learned rankers are refitted through them on an
expanding window, each fit learning from the earlier queries labelled only with the outcomes
recorded before the queries it ranks. Every ranker (the baselines, "behaviour" and the
matcher) scores exactly the same candidates of the same test queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from matcher.embed import Encoder
from matcher.evaluate.baselines import BASELINES, Scorer
from matcher.evaluate.metrics import (
    bootstrap_interval,
    catalogue_coverage,
    exposure,
    gini,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)
from matcher.features.pairs import BEHAVIOUR_FEATURES, FEATURE_NAMES
from matcher.features.queries import QueryBlock
from matcher.features.training import Outcomes, TrainingSet, training_rows
from matcher.progress import Reporter, Silent
from matcher.rank import Ranker, TooFewLabels
from matcher.snapshot import Community

TEST_SHARE = 0.3  # the last 30% of queries by time are the test queries
# Below this many test queries an evaluation says that its figures mean little (a bootstrap
# interval over a handful of queries is as unreliable as the figure it bounds).
FEW_QUERIES = 20
LEARNED = ("behaviour", "matcher")
FALLBACKS = {"behaviour": "recency", "matcher": "content"}  # where a ranker could not be fitted
CONFIDENCE = 0.95  # of the bootstrap intervals over test queries ("..._ci95")
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
    rankers: dict[str, dict[str, object]]
    notes: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)
    # The matcher against the best baseline and against behaviour (see `compare`).
    comparisons: dict[str, dict[str, object]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def encode_posts(
    community: Community, encoder: Encoder, progress: Reporter | None = None
) -> np.ndarray:
    """Vectors of every text of `community.texts()`: the posts', in their order, then what
    edited ones said before."""
    texts = community.texts()
    advance = (progress or Silent()).task("encoding posts", len(texts))
    parts = [np.zeros((0, encoder.dim), dtype=np.float32)]
    for start in range(0, len(texts), ENCODE_CHUNK):
        chunk = texts[start : start + ENCODE_CHUNK]
        parts.append(encoder.encode(chunk))
        advance(len(chunk))
    return np.vstack(parts)


def learned_rankers(
    X: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    min_labels: int,
    missed: dict[str, list[TooFewLabels]],
    content: Scorer = BASELINES["content"],
    kept: list[tuple[float, float]] | None = None,
) -> dict[str, Scorer]:
    """The behaviour and matcher rankers trained on the rows.

    As in a build: without enough labels there is no ranker, the matcher keeps the `content`
    score and behaviour falls back to recency (FALLBACKS), and `missed` records why; and a
    matcher that ranks the helpers of the most recent quarter of its training queries no
    better than `content` does is not used either (`kept` records both figures then).
    """
    out: dict[str, Scorer] = {}
    fallback = {**{n: BASELINES[f] for n, f in FALLBACKS.items()}, "matcher": content}
    for name, features in (("behaviour", BEHAVIOUR_FEATURES), ("matcher", FEATURE_NAMES)):
        try:
            ranker = Ranker(features=features, min_labels=min_labels).fit(
                X, y, groups, content=content
            )
        except TooFewLabels as exc:
            missed.setdefault(name, []).append(exc)
            out[name] = fallback[name]
            continue
        if name == "matcher" and not ranker.beats_content:
            if kept is not None:
                kept.append((ranker.validation_mrr_, ranker.content_validation_mrr_))
            out[name] = content
            continue
        out[name] = _probability(ranker)
    return out


def fallback_note(name: str, missed: Sequence[TooFewLabels], refits: int) -> str:
    """One line summing up the refits at which ranker `name` could not be fitted, and why."""
    counts = sorted(e.positives for e in missed if e.positives is not None)
    reasons = []
    if counts:
        span = str(counts[0]) if counts[0] == counts[-1] else f"{counts[0]} to {counts[-1]}"
        needed = next(e.needed for e in missed if e.positives is not None)
        reasons.append(f"{span} positive outcomes, {needed} needed: setting min_training_labels")
    reasons += sorted({str(e) for e in missed if e.positives is None})
    return (
        f"{name}: no ranker at {len(missed)} of {refits} refits ({'; '.join(reasons)}); "
        f"showing the {FALLBACKS[name]} score there"
    )


def _span(values: Sequence[float]) -> str:
    low, high = f"{min(values):.3f}", f"{max(values):.3f}"
    return low if low == high else f"{low} to {high}"


def _probability(ranker: Ranker) -> Scorer:
    return lambda features: ranker.predict_proba(features)[:, 1]


def per_query(
    queries: Sequence[TestQuery], per_query_scores: Sequence[np.ndarray], k: int = 10
) -> dict[str, np.ndarray]:
    """Each ranking metric of one ranker on every test query (ties fair), in query order."""
    values: dict[str, list[float]] = {"mrr": [], "recall@1": [], f"recall@{k}": [], f"ndcg@{k}": []}
    for q, s in zip(queries, per_query_scores, strict=True):
        values["mrr"].append(reciprocal_rank(s, q.target))
        values["recall@1"].append(recall_at_k(s, q.target, 1))
        values[f"recall@{k}"].append(recall_at_k(s, q.relevant, k))
        values[f"ndcg@{k}"].append(ndcg_at_k(s, q.relevant, k))
    return {name: np.array(v, dtype=np.float64) for name, v in values.items()}


def score(
    queries: Sequence[TestQuery],
    scores: dict[str, list[np.ndarray]],
    k: int = 10,
    values: dict[str, dict[str, np.ndarray]] | None = None,
) -> dict[str, dict[str, object]]:
    """Metrics of each ranker from its scores of every test query's candidates (ties fair),
    with a bootstrap interval of its MRR over the test queries. `values`: each ranker's
    `per_query` metrics, when the caller has them already."""
    catalogue = sorted({int(c) for q in queries for c in q.block.candidates})
    results: dict[str, dict[str, object]] = {}
    for name, per_query_scores in scores.items():
        values_of = values[name] if values is not None else per_query(queries, per_query_scores, k)
        summary: dict[str, object] = {
            m: round(float(v.mean()), 4) if len(v) else 0.0 for m, v in values_of.items()
        }
        summary["mrr_ci95"] = _rounded(bootstrap_interval(_mean, [values_of["mrr"]], CONFIDENCE))
        rankings = [(q.block.candidates, s) for q, s in zip(queries, per_query_scores, strict=True)]
        shown = exposure(rankings, catalogue, k)
        summary[f"coverage@{k}"] = round(catalogue_coverage(shown), 4)
        summary[f"gini@{k}"] = round(gini(shown), 4)
        results[name] = summary
    return results


def compare(
    values: dict[str, dict[str, np.ndarray]], baselines: Sequence[str]
) -> dict[str, dict[str, object]]:
    """The matcher's MRR against the best of `baselines` and against behaviour, from each
    ranker's `per_query` metrics: the ratio and the difference, each with a paired bootstrap
    interval over the test queries (the same queries resampled for both rankers). With a few
    dozen test queries these intervals are wide, and a gap inside them is not evidence either
    way.
    """
    mrr = {name: v["mrr"] for name, v in values.items()}
    if "matcher" not in mrr or not len(mrr["matcher"]):
        return {}
    references = {}
    present = [name for name in baselines if name in mrr]
    if present:
        references["best_baseline"] = max(present, key=lambda name: mrr[name].mean())
    if "behaviour" in mrr:
        references["behaviour"] = "behaviour"
    return {
        f"matcher_vs_{role}": _paired(mrr["matcher"], mrr[name], name)
        for role, name in references.items()
    }


def _paired(mine: np.ndarray, theirs: np.ndarray, reference: str) -> dict[str, object]:
    samples = [mine, theirs]
    has_ratio = theirs.mean() > 0
    return {
        "reference": reference,
        "mrr": round(float(mine.mean()), 4),
        "reference_mrr": round(float(theirs.mean()), 4),
        "mrr_ratio": round(float(mine.mean() / theirs.mean()), 4) if has_ratio else None,
        "mrr_ratio_ci95": (
            _rounded(bootstrap_interval(_ratio, samples, CONFIDENCE)) if has_ratio else None
        ),
        "mrr_difference": round(float(mine.mean() - theirs.mean()), 4),
        "mrr_difference_ci95": _rounded(bootstrap_interval(_difference, samples, CONFIDENCE)),
    }


def _mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return x.mean(axis=axis)


def _ratio(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return a.mean(axis=axis) / b.mean(axis=axis)


def _difference(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return a.mean(axis=axis) - b.mean(axis=axis)


def _rounded(interval: tuple[float, float] | None) -> list[float] | None:
    return None if interval is None else [round(interval[0], 4), round(interval[1], 4)]


def refits_every(queries: int, every: int, most: int | None = None) -> int:
    """How many refits put one every `every` of `queries` test queries (at most `most`)."""
    refits = -(-queries // max(1, every))
    return refits if most is None else min(most, refits)


def refit_points(first: int, stop: int, refits: int) -> list[int]:
    """Where to refit among queries first..stop-1: `refits` evenly spaced starts, first included."""
    n = stop - first
    if n <= 0:
        return []
    return sorted(
        {first + (i * n) // max(1, min(refits, n)) for i in range(max(1, min(refits, n)))}
    )


@dataclass(frozen=True)
class Rolled:
    """What `rank_rolling` ranked: the test queries kept, each ranker's scores of them (one
    array per query, in the same order), and the size of each fit's training set."""

    queries: list[TestQuery]
    scores: dict[str, list[np.ndarray]]
    fits: list[dict[str, int]]


def rank_rolling(
    blocks: Sequence[QueryBlock],
    split_index: int,
    outcomes: Outcomes,
    make_test: Callable[[QueryBlock], TestQuery | None],
    scorers: dict[str, Scorer],
    learn: Callable[[TrainingSet], dict[str, Scorer]],
    refits: int = 1,
    progress: Reporter | None = None,
) -> Rolled:
    """Score the blocks from `split_index` on with `scorers` and with the rankers `learn`
    fits, learning only from what was known before each.

    `learn` is called `refits` times, evenly through the test queries (an expanding window,
    DATA.md step 1): each time with every earlier query, labelled only with the outcomes
    recorded before the first query it ranks; an outcome later than that is never a label.
    `refits=1` trains once, at the split.
    """
    starts = refit_points(split_index, len(blocks), refits)
    advance = (progress or Silent()).task("training rankers", len(starts))
    queries: list[TestQuery] = []
    scores: dict[str, list[np.ndarray]] = {name: [] for name in scorers}
    fits: list[dict[str, int]] = []
    for start, stop in zip(starts, [*starts[1:], len(blocks)], strict=True):
        at = blocks[start].at
        past = [b for b in blocks[:start] if b.at < at]
        rows = training_rows(past, outcomes.pairs_before(at))
        fits.append(
            {
                "queries": len(rows.need_post_ids),
                "rows": len(rows.y),
                "positives": rows.positives,
            }
        )
        fitted = {**scorers, **learn(rows)}
        for block in blocks[start:stop]:
            query = make_test(block)
            if query is None:
                continue
            queries.append(query)
            for name, scorer in fitted.items():
                scores.setdefault(name, []).append(scorer(block.features))
        advance(1)
    return Rolled(queries, scores, fits)


def run(
    dataset: str,
    blocks: Sequence[QueryBlock],
    split_index: int,
    outcomes: Outcomes,
    make_test: Callable[[QueryBlock], TestQuery | None],
    baselines: Sequence[str],
    min_labels: int,
    refits: int = 1,
    progress: Reporter | None = None,
    content: Scorer = BASELINES["content"],
) -> Evaluation:
    """Rank the blocks from `split_index` on with the baselines, behaviour and the matcher
    (refitted `refits` times, see `rank_rolling`), and measure every ranker. `content` is
    the score a build without the ranker serves: the "content" baseline, and the matcher
    wherever a build would not use its ranker (`learned_rankers`)."""
    missed: dict[str, list[TooFewLabels]] = {}
    kept: list[tuple[float, float]] = []
    rolled = rank_rolling(
        blocks,
        split_index,
        outcomes,
        make_test,
        {name: content if name == "content" else BASELINES[name] for name in baselines},
        lambda rows: learned_rankers(
            rows.X, rows.y, rows.groups, min_labels, missed, content, kept
        ),
        refits,
        progress,
    )
    queries, scores, fits = rolled.queries, rolled.scores, rolled.fits
    notes = [fallback_note(name, missed[name], len(fits)) for name in LEARNED if name in missed]
    if kept:
        ranker, served = (_span(v) for v in zip(*kept, strict=True))
        notes.append(
            f"matcher: the content score at {len(kept)} of {len(fits)} refits, where the ranker "
            "did not rank the helpers of the most recent quarter of its training needs above "
            f"it (MRR {ranker}, against {served}), as a build would not serve it"
        )
    if 0 < len(queries) < FEW_QUERIES:
        notes.append(
            f"only {len(queries)} test queries: every figure here, the intervals too, could "
            "change completely with a few more"
        )
    for name in LEARNED:
        scores.setdefault(name, [])
    sizes = [len(q.block.candidates) for q in queries]
    first = fits[0] if fits else {"queries": 0, "rows": 0, "positives": 0}
    values = {name: per_query(queries, s) for name, s in scores.items()}
    return Evaluation(
        dataset=dataset,
        n_queries=len(queries),
        median_candidates=float(np.median(sizes)) if sizes else 0.0,
        rankers=score(queries, scores, values=values) if queries else {n: {} for n in scores},
        notes=notes,
        comparisons=compare(values, baselines),
        details={
            "training_queries": first["queries"],
            "training_rows": first["rows"],
            "training_positives": first["positives"],
            "refits": len(fits),
            "last_fit_training_queries": fits[-1]["queries"] if fits else 0,
        },
    )
