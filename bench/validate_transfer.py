"""Rolling validation of `matcher.transfer` inside a Stack Exchange dump's training period.

    .venv/bin/python bench/validate_transfer.py ../shared/data/stackexchange/beer

The evidence behind lending the ranker's scores to typed needs (a script, not a test). As in
`bench/validate_ranker.py`, the questions from 20% to 70% by time are ranked, each by models
refitted every 10 questions on every earlier question. Each question is also read as a typed
need: its content score alone (what a typed search served before), against the content score
blended with the learned scores (relative to a typical candidate) of the 20 earlier questions
most like it (`transfer.neighbour_needs`, `lent_scores`, `blend`). And, as a check of whether
a member's own needs should borrow too, the learned ranker's own scores against the same
blend of them with the neighbours' ("smoothed"). It prints MRR / Recall@1 / Recall@10 /
NDCG@10 and the paired differences with their standard errors.
"""

from __future__ import annotations

import argparse

import numpy as np
from validate_ranker import FIRST, mean_se  # the same validation period, the same print

from matcher import transfer
from matcher.config import Settings
from matcher.datasets import load_stackexchange
from matcher.embed import configured_encoder
from matcher.evaluate.baselines import BASELINES
from matcher.evaluate.protocol import (
    TEST_SHARE,
    encode_posts,
    per_query,
    refit_points,
    refits_every,
    score,
)
from matcher.evaluate.stackexchange import MIN_ANSWERS, REFIT_EVERY, scored_question
from matcher.features.pairs import FEATURE_NAMES
from matcher.features.queries import QueryBlock, experienced_helpers
from matcher.features.training import Outcomes, collect, training_rows
from matcher.rank import Ranker
from matcher.score import relative_odds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    args = parser.parse_args()
    dump = load_stackexchange(args.path)
    vectors = encode_posts(dump.community, configured_encoder(Settings()))
    truth = dump.truth
    stop = round(len(truth) * (1 - TEST_SHARE))
    blocks = list(
        collect(
            dump.community, vectors, truth.index[:stop].tolist(), experienced_helpers(MIN_ANSWERS)
        )
    )
    row = {int(p): i for i, p in enumerate(dump.community.posts.index)}
    need_vectors = np.stack([vectors[row[b.need_post_id]] for b in blocks]).astype(np.float64)
    outcomes = Outcomes(dump.community)
    first = round(len(truth) * FIRST)
    starts = refit_points(first, len(blocks), refits_every(len(blocks) - first, REFIT_EVERY))
    queries = []
    scores: dict[str, list[np.ndarray]] = {k: [] for k in ("content", "typed", "own", "smoothed")}
    for start, end in zip(starts, [*starts[1:], len(blocks)], strict=True):
        at = blocks[start].at
        rows = training_rows([b for b in blocks[:start] if b.at < at], outcomes.pairs_before(at))
        model = Ranker(features=FEATURE_NAMES, min_labels=5).fit(rows.X, rows.y, rows.groups)
        base_rate = float(np.mean(rows.y))

        def learned(block: QueryBlock, model=model, base_rate=base_rate) -> np.ndarray:
            """The ranker's scores, relative to a typical candidate (as a build keeps them)."""
            return relative_odds(model.predict_proba(block.features)[:, 1], base_rate)

        for i in range(start, end):
            block = blocks[i]
            query = scored_question(block, truth)
            if query is None:
                continue
            queries.append(query)
            earlier = [j for j in range(i) if blocks[j].at < block.at]
            slots, weights = transfer.neighbour_needs(need_vectors[earlier] @ need_vectors[i])
            neighbours = [blocks[earlier[s]] for s in slots]
            width = max((len(b.candidates) for b in neighbours), default=0)
            members = np.full((len(neighbours), width), -1, dtype=np.int64)
            lent_from = np.full((len(neighbours), width), np.nan)
            for r, b in enumerate(neighbours):
                members[r, : len(b.candidates)] = b.candidates
                lent_from[r, : len(b.candidates)] = learned(b)
            lent = transfer.lent_scores(members, lent_from, weights, np.asarray(block.candidates))
            content, own = BASELINES["content"](block.features), learned(block)
            scores["content"].append(content)
            scores["typed"].append(transfer.blend(content, lent))
            scores["own"].append(own)
            scores["smoothed"].append(transfer.blend(own, lent))
    print(f"{dump.site}: {len(queries)} validation questions ({first}..{stop - 1} by time)")
    for name, m in score(queries, scores).items():
        print(
            f"  {name:9s} MRR {m['mrr']:.3f}  R@1 {m['recall@1']:.3f}  "
            f"R@10 {m['recall@10']:.3f}  NDCG@10 {m['ndcg@10']:.3f}"
        )
    for before, after in (("content", "typed"), ("own", "smoothed")):
        a, b = per_query(queries, scores[before]), per_query(queries, scores[after])
        print(
            f"  {after} - {before}: MRR {mean_se(b['mrr'] - a['mrr'])}, "
            f"Recall@10 {mean_se(b['recall@10'] - a['recall@10'])}"
        )


if __name__ == "__main__":
    main()
