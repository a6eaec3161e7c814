"""The time-split evaluation of a community's own store: do the rankers find who really helped?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.evaluate.protocol import TEST_SHARE, Evaluation, TestQuery, run
from matcher.features.queries import QueryBlock, content_candidates
from matcher.features.training import Outcomes, collect, labelled_needs
from matcher.progress import Reporter
from matcher.snapshot import Community

BASELINES = ("random", "activity", "recency", "bm25", "content")
REFITS = 4  # the learned rankers are refitted this many times through the test needs


def evaluate_store(
    community: Community,
    post_vectors: np.ndarray,
    *,
    candidates: int = 200,
    min_labels: int = 200,
    dataset: str = "store",
    refits: int = REFITS,
    progress: Reporter | None = None,
) -> Evaluation:
    """Rank the helpers of the needs of the last 30% of time, learning only from earlier ones.

    Queries are needs with a helped or accepted outcome, in order of posting; the last 30%
    are the test. Candidates are the `candidates` members whose offers or past help are
    closest to the need as of its time (the engine's candidates), never the seeker. Every
    member with a positive outcome on the need is relevant; a helper the candidates missed
    counts as a miss for every ranker. The content score stands in for "embedding". The
    learned rankers are refitted `refits` times through the test needs, each time on the
    earlier needs labelled with the outcomes recorded by then.
    """
    labelled = labelled_needs(community)
    split_index = round(len(labelled) * (1 - TEST_SHARE))
    if len(labelled) < 2 or split_index >= len(labelled):
        return Evaluation(dataset, 0, 0.0, {}, ["too few needs with an outcome to split"])
    split_time = labelled.iloc[split_index]
    blocks = collect(
        community, post_vectors, labelled.index.tolist(), content_candidates(candidates), progress
    )
    outcomes = Outcomes(community)
    helpers = outcomes.pairs_before(pd.Timestamp.max.tz_localize("UTC"))

    def make_test(block: QueryBlock) -> TestQuery:
        relevant = np.array([(block.need_post_id, int(c)) in helpers for c in block.candidates])
        return TestQuery(block, relevant, relevant)

    evaluation = run(
        dataset,
        blocks,
        split_index,
        outcomes,
        make_test,
        BASELINES,
        min_labels,
        refits=refits,
        progress=progress,
    )
    found = [
        bool(b.features.size) and any((b.need_post_id, int(c)) in helpers for c in b.candidates)
        for b in blocks[split_index:]
    ]
    evaluation.details.update(
        {
            "split_at": split_time.isoformat(),
            "needs_with_outcome": len(labelled),
            "helper_among_candidates": round(float(np.mean(found)), 4) if found else 0.0,
        }
    )
    return evaluation
