"""How few labelled outcomes the ranker needs: a learning curve on a Stack Exchange dump.

    .venv/bin/python bench/learning_curve.py ../shared/data/stackexchange/beer
    .venv/bin/python bench/learning_curve.py PATH --sizes 25,50,100,200 --at 0.5 --until 0.7

The evidence behind the default of `min_training_labels` (a script, not a test). Inside the
training period of `matcher evaluate stackexchange` (the first 70% of questions by time), the
questions from `--at` to `--until` are ranked by models trained once, at `--at`, on the most
recent earlier questions that hold N answers (each answer a positive, known before `--at`),
for each N of `--sizes`; beside them, what a build without a ranker falls back to (the
content score, here "embedding") and recency. Prints MRR and Recall@10 for each N.
"""

from __future__ import annotations

import argparse

import numpy as np

from matcher.config import Settings
from matcher.datasets import load_stackexchange
from matcher.embed import configured_encoder
from matcher.evaluate.baselines import BASELINES
from matcher.evaluate.protocol import TEST_SHARE, encode_posts, score
from matcher.evaluate.stackexchange import MIN_ANSWERS, scored_question
from matcher.features.pairs import BEHAVIOUR_FEATURES, FEATURE_NAMES
from matcher.features.queries import experienced_helpers
from matcher.features.training import Outcomes, collect, labels, training_rows
from matcher.rank import Ranker, TooFewLabels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--sizes", type=_sizes, default=(25, 50, 100, 150, 200))
    parser.add_argument("--at", type=float, default=0.5, help="Train here (share of questions).")
    parser.add_argument(
        "--until", type=float, default=1 - TEST_SHARE, help="Rank up to here (share)."
    )
    args = parser.parse_args()
    dump = load_stackexchange(args.path)
    vectors = encode_posts(dump.community, configured_encoder(Settings()))
    truth = dump.truth
    start, stop = round(len(truth) * args.at), round(len(truth) * args.until)
    blocks = collect(
        dump.community, vectors, truth.index[:stop].tolist(), experienced_helpers(MIN_ANSWERS)
    )
    at = blocks[start].at
    positives = Outcomes(dump.community).pairs_before(at)
    past = [b for b in blocks[:start] if b.at < at]
    # Positives held by the most recent k earlier questions, for every k.
    held = np.cumsum([int(labels(b, positives).sum()) for b in reversed(past)])
    tests = [(b, q) for b in blocks[start:stop] if (q := scored_question(b, truth)) is not None]
    print(
        f"{dump.site}: trained at question {start}, {held[-1] if len(held) else 0} answers "
        f"known then; {len(tests)} questions ranked ({start}..{stop - 1})"
    )
    for size in args.sizes:
        recent = int(np.searchsorted(held, size)) + 1  # the fewest recent questions with size
        rows = training_rows(past[-recent:], positives)
        scorers = {"recency": BASELINES["recency"], "embedding": BASELINES["embedding"]}
        for name, features in (("behaviour", BEHAVIOUR_FEATURES), ("matcher", FEATURE_NAMES)):
            try:
                ranker = Ranker(features=features, min_labels=1)
                scorers[name] = ranker.fit(rows.X, rows.y, rows.groups).decision_function
            except TooFewLabels as exc:
                print(f"  N={size}: {name}: {exc}")
        scores = {name: [s(b.features) for b, _ in tests] for name, s in scorers.items()}
        result = score([q for _, q in tests], scores)
        line = "  ".join(
            f"{name} {m['mrr']:.3f} ({m['recall@10']:.3f})" for name, m in result.items()
        )
        print(f"  N={rows.positives:4d} ({len(rows.need_post_ids):3d} questions)  {line}")
    print("  (MRR, and Recall@10 in brackets)")


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(c) for c in text.split(","))
    except ValueError:
        message = f"not a comma-separated list of counts: {text!r}"
        raise argparse.ArgumentTypeError(message) from None


if __name__ == "__main__":
    main()
