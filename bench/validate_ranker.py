"""Rolling validation of the ranker's options inside a Stack Exchange dump's training period.

    .venv/bin/python bench/validate_ranker.py ../shared/data/stackexchange/beer
    .venv/bin/python bench/validate_ranker.py PATH --objective pointwise --cs 0.01,0.1,1

The evidence behind `Ranker`'s `objective` and its `CS` (a script, not a test). Only the
first 70% of the questions by time (the training period of `matcher evaluate stackexchange`)
are read as queries: the questions from 20% to 70% are ranked, each by models refitted every
10 questions on every earlier question, labelled with the answers recorded before the refit
(as the evaluation does through its test period). For each objective and each grid of strengths of
regularization (`--cs`, besides the default `CS`), with and without the text features, it
prints MRR / Recall@1 / Recall@10 / NDCG@10 over those questions and the paired difference
(with its standard error) of each against "pointwise" with the default `CS`.
"""

from __future__ import annotations

import argparse

import numpy as np

from matcher.config import Settings
from matcher.datasets import load_stackexchange
from matcher.embed import configured_encoder
from matcher.evaluate.baselines import BASELINES, Scorer
from matcher.evaluate.protocol import (
    TEST_SHARE,
    encode_posts,
    per_query,
    rank_rolling,
    refits_every,
    score,
)
from matcher.evaluate.stackexchange import MIN_ANSWERS, REFIT_EVERY, scored_question
from matcher.features.pairs import BEHAVIOUR_FEATURES, FEATURE_NAMES
from matcher.features.queries import experienced_helpers
from matcher.features.training import Outcomes, TrainingSet, collect
from matcher.rank import CS, OBJECTIVES, Ranker, TooFewLabels

FIRST = 0.2  # the first validation question, as a share of all questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument(
        "--refit-every", type=int, default=REFIT_EVERY, help="Questions between two refits."
    )
    parser.add_argument(
        "--objective",
        dest="objectives",
        action="append",
        choices=OBJECTIVES,
        help="Objectives to compare (repeat; default: all).",
    )
    parser.add_argument(
        "--cs",
        dest="grids",
        action="append",
        type=_grid,
        default=[],
        help="Another grid of C to compare, comma-separated (repeat).",
    )
    args = parser.parse_args()
    objectives = args.objectives or list(OBJECTIVES)
    grids = [CS, *(g for g in args.grids if g != CS)]
    settings = Settings()
    dump = load_stackexchange(args.path)
    encoder = configured_encoder(settings)
    vectors = encode_posts(dump.community, encoder)
    truth = dump.truth
    stop = round(len(truth) * (1 - TEST_SHARE))
    blocks = collect(
        dump.community, vectors, truth.index[:stop].tolist(), experienced_helpers(MIN_ANSWERS)
    )
    variants = {
        _name(name, objective, Cs): (features, objective, Cs)
        for name, features in (("behaviour", BEHAVIOUR_FEATURES), ("matcher", FEATURE_NAMES))
        for objective in objectives
        for Cs in grids
    }
    first = round(len(truth) * FIRST)

    def learn(rows: TrainingSet) -> dict[str, Scorer]:
        fitted: dict[str, Scorer] = {}
        for name, (features, objective, Cs) in variants.items():
            ranker = Ranker(features=features, objective=objective, Cs=Cs)
            try:
                fitted[name] = ranker.fit(rows.X, rows.y, rows.groups).decision_function
            except TooFewLabels:
                fitted[name] = BASELINES["recency"]
        return fitted

    rolled = rank_rolling(
        blocks,
        first,
        Outcomes(dump.community),
        lambda block: scored_question(block, truth),
        {"recency": BASELINES["recency"]},
        learn,
        refits=refits_every(stop - first, args.refit_every),
    )
    queries, scores = rolled.queries, rolled.scores
    print(f"{dump.site}: {len(queries)} validation questions ({first}..{stop - 1} by time)")
    for name, m in score(queries, scores).items():
        print(
            f"  {name:34s} MRR {m['mrr']:.3f}  R@1 {m['recall@1']:.3f}  "
            f"R@10 {m['recall@10']:.3f}  NDCG@10 {m['ndcg@10']:.3f}"
        )
    for name in variants:
        base = _name(name.split("/")[0], "pointwise", CS)
        if name != base and base in scores:
            print(f"  {name} - {base}: {_paired(queries, scores[base], scores[name])}")


def _grid(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(c) for c in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of numbers: {text!r}"
        ) from None


def _name(features: str, objective: str, Cs: tuple[float, ...]) -> str:
    grid = "" if Cs == CS else "/C=" + ",".join(f"{c:g}" for c in Cs)
    return f"{features}/{objective}{grid}"


def _paired(queries, base, other) -> str:
    before, after = per_query(queries, base), per_query(queries, other)
    return (
        f"MRR {mean_se(after['mrr'] - before['mrr'])}, "
        f"Recall@10 {mean_se(after['recall@10'] - before['recall@10'])}"
    )


def mean_se(values: np.ndarray) -> str:
    """A paired difference's mean and standard error, as printed."""
    return f"{np.mean(values):+.3f} (s.e. {np.std(values, ddof=1) / np.sqrt(len(values)):.3f})"


if __name__ == "__main__":
    main()
