"""The time-split evaluation of a community's own store: do the rankers find who really helped?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from matcher.config import MIN_TRAINING_LABELS, Settings
from matcher.embed import CachedEncoder, Encoder
from matcher.evaluate.baselines import content_score
from matcher.evaluate.protocol import TEST_SHARE, Evaluation, TestQuery, run
from matcher.features.pairs import COLUMN
from matcher.features.queries import QueryBlock, content_candidates
from matcher.features.replay import texts_at
from matcher.features.training import Outcomes, collect, labelled_needs, labels
from matcher.progress import Reporter
from matcher.score import ContentScorer, content_calibration
from matcher.snapshot import Community

BASELINES = ("random", "activity", "recency", "bm25", "content")
REFITS = 4  # the learned rankers are refitted this many times through the test needs


@dataclass(frozen=True)
class TimeSplit:
    """The store's needs with an outcome, in posting order, each with its candidates and
    features as of its time; those from `split_index` on (the last 30%) are the test."""

    labelled: pd.Series  # creation time of each need with an outcome, by post id
    split_index: int
    blocks: list[QueryBlock]

    @property
    def split_time(self) -> pd.Timestamp:
        """When the first test need is read: its block's time, which is before its creation
        when an interaction names it earlier (the blocks are in that order, not creation's)."""
        return self.blocks[self.split_index].at


def time_split(
    community: Community,
    post_vectors: np.ndarray,
    candidates: int,
    progress: Reporter | None = None,
) -> TimeSplit | None:
    """The split of the store's evaluation (None: too few needs with an outcome)."""
    labelled = labelled_needs(community)
    split_index = round(len(labelled) * (1 - TEST_SHARE))
    if len(labelled) < 2 or split_index >= len(labelled):
        return None
    blocks = collect(
        community, post_vectors, labelled.index.tolist(), content_candidates(candidates), progress
    )
    return TimeSplit(labelled, split_index, blocks)


def encode_community(
    community: Community, encoder: Encoder, sessions: sessionmaker[Session], progress: Reporter
) -> np.ndarray:
    """The vectors of the community's texts (`Community.texts`), through the store's cache."""
    texts = community.texts()
    return CachedEncoder(encoder, sessions).encode(
        texts, progress=progress.task("encoding posts", len(texts))
    )


def evaluate_community(
    community: Community,
    post_vectors: np.ndarray,
    settings: Settings,
    progress: Reporter,
    candidates: int | None = None,
) -> Evaluation:
    """The store's own evaluation as `matcher evaluate` and the evaluation notebook make it:
    `evaluate_store` with the settings' candidates, label threshold and content weights (the
    notebook, which wrote this call out again, had left the weights out)."""
    return evaluate_store(
        community,
        post_vectors,
        candidates=candidates or settings.candidates_per_need,
        min_labels=settings.min_training_labels,
        dataset=settings.database_shown,
        progress=progress,
        settings=settings,
    )


def evaluate_store(
    community: Community,
    post_vectors: np.ndarray,
    *,
    candidates: int = 200,
    min_labels: int = MIN_TRAINING_LABELS,
    dataset: str = "store",
    refits: int = REFITS,
    progress: Reporter | None = None,
    settings: Settings | None = None,
) -> Evaluation:
    """Rank the helpers of the needs of the last 30% of time, learning only from earlier ones.

    Queries are needs with a helped or accepted outcome, in order of posting; the last 30%
    are the test. Candidates are the `candidates` members whose offers or past help are
    closest to the need as of its time (the engine's candidates), never the seeker. Every
    member with a positive outcome on the need is relevant; a helper the candidates missed
    counts as a miss for every ranker. The content score stands in for "embedding": as a
    build serves it (shared tags and closeness weighted by `settings`), calibrated on the
    candidates of the earlier needs. The learned rankers are refitted `refits` times through
    the test needs, each time on the earlier needs labelled with the outcomes recorded by
    then; where a build would not serve the matcher's ranker, the content score stands in.
    """
    split = time_split(community, post_vectors, candidates, progress)
    if split is None:
        needs = len(labelled_needs(community))
        note = (
            f"too few needs with a helped or accepted outcome to split by time ({needs}; "
            f"the last {TEST_SHARE:.0%} of them are the test)"
        )
        return Evaluation(dataset, 0, 0.0, {}, [note])
    blocks, split_index = split.blocks, split.split_index
    outcomes = Outcomes(community)
    helpers = outcomes.pairs_before(pd.Timestamp.max.tz_localize("UTC"))

    def make_test(block: QueryBlock) -> TestQuery:
        relevant = labels(block, helpers)
        return TestQuery(block, relevant, relevant)

    settings = settings or Settings()
    past = [b.features[:, COLUMN["sim_best"]] for b in blocks[:split_index]] or [np.empty(0)]
    known = (community.posts["created_at"] < split.split_time).to_numpy()  # as a build then
    then = post_vectors[texts_at(community, split.split_time)[known]]
    calibration = content_calibration(np.concatenate(past), then, post_vectors[:0])
    scorer = ContentScorer.from_manifest({"calibration": calibration}, settings)
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
        content=content_score(scorer, settings.proximity_km),
    )
    found = [bool(b.features.size) and labels(b, helpers).any() for b in blocks[split_index:]]
    evaluation.details.update(
        {
            "split_at": split.split_time.isoformat(),
            "needs_with_outcome": len(split.labelled),
            "helper_among_candidates": round(float(np.mean(found)), 4) if found else 0.0,
        }
    )
    return evaluation
