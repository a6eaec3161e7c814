"""The learned step of a build: train the ranker on outcomes, then score every candidate list.

With enough labelled outcomes (settings.min_training_labels), a `Ranker` is trained on the
needs helped before the build (each against its content candidates, as of its time) and then,
if it ranks the helpers of the most recent of those needs better than the content score it
would replace does, scores each open need's candidate list as of the build. Its calibrated
probability P(helps) is turned into odds relative to a typical candidate (the training base
rate), so that 0.5 means "as likely as a typical candidate", the same meaning as the content
score's 0.5, and the two directions can be fused with the uninorm.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher.config import MAX_TRAINING_ROWS
from matcher.evaluate.baselines import Scorer
from matcher.features import member_state, need_from_post, pair_features, training_set
from matcher.progress import Reporter, Silent
from matcher.rank import Ranker, TooFewLabels
from matcher.score import relative_odds
from matcher.snapshot import Community

LEARNED_FILE = "candidate_learned.npy"


@dataclass(frozen=True)
class Learned:
    """What the learned step produced: the scores of the candidate lists, or why there are none."""

    scores: np.ndarray | None  # (n_needs, K) relative probabilities, NaN where no candidate
    report: dict[str, Any]


SCORING_BATCH = 256  # needs whose candidates the ranker scores in one call


def learn(
    folder: Path,
    community: Community,
    post_vectors: np.ndarray,
    need_post_ids: np.ndarray,
    candidate_member_ids: np.ndarray,
    *,
    at: pd.Timestamp,
    candidates: int,
    min_labels: int,
    max_needs: int = 0,
    content: Scorer | None = None,
    reporter: Reporter | None = None,
) -> Learned:
    """Train the ranker (when there are enough labels) and score every (need, candidate).

    `post_vectors` has one row per text of `community.texts()` (the posts, then their earlier
    texts); `need_post_ids[i]` is the need of candidate list `i`, `candidate_member_ids[i]` its
    candidates' store ids (-1: none).
    """
    reporter = reporter or Silent()
    examples = training_set(
        community,
        post_vectors,
        at=at,
        candidates=candidates,
        max_needs=max_needs,
        progress=reporter,
    )
    report: dict[str, Any] = {
        "labelled_needs": len(examples.need_post_ids),
        "max_training_needs": max_needs,
        "positives": examples.positives,
        "rows": len(examples.y),
        "max_training_rows": MAX_TRAINING_ROWS,  # the most recent labelled needs' rows, at most
        "min_training_labels": min_labels,
    }
    try:
        ranker = Ranker(min_labels=min_labels).fit(
            examples.X, examples.y, examples.groups, content=content
        )
    except TooFewLabels as exc:
        reason = f"content score only: {exc}"
        return Learned(None, {**report, "used": False, "reason": reason})
    checked = {
        "validation_mrr": round(float(ranker.validation_mrr_), 4),
        "content_validation_mrr": round(float(ranker.content_validation_mrr_), 4),
    }
    if not ranker.beats_content:
        # A ranker that learned mostly who helped lately can lose to reading the texts (few
        # labels, a small community): the build serves what ranks the recent needs better.
        reason = (
            "content score only: on the most recent quarter of the labelled needs, the learned "
            f"ranker (MRR {ranker.validation_mrr_:.3f}) does not rank their helpers above the "
            f"content score (MRR {ranker.content_validation_mrr_:.3f})"
        )
        return Learned(None, {**report, **checked, "used": False, "reason": reason})
    ranker.save(folder)
    base_rate = float(examples.y.mean())
    state = member_state(community, post_vectors, at)
    rows = pd.Index(state.post_ids).get_indexer(need_post_ids)
    scores = np.full(candidate_member_ids.shape, np.nan, dtype=np.float32)
    advance = reporter.task("scoring candidates", len(need_post_ids))
    for start in range(0, len(rows), SCORING_BATCH):  # one call of the model per batch of needs
        features, cells = [], []
        for slot in range(start, min(start + SCORING_BATCH, len(rows))):
            row, members = rows[slot], candidate_member_ids[slot]
            valid = np.flatnonzero(members >= 0)
            if row >= 0 and len(valid):
                need = need_from_post(state, row)
                features.append(pair_features(state, need, members[valid], at))
                cells.append((np.full(len(valid), slot), valid))
            advance(1)
        if features:
            probability = ranker.predict_proba(np.vstack(features))[:, 1]
            slots, columns = (np.concatenate(c) for c in zip(*cells, strict=True))
            scores[slots, columns] = relative_odds(probability, base_rate)
    np.save(folder / LEARNED_FILE, scores)
    return Learned(
        scores,
        {
            **report,
            "used": True,
            "reason": f"learned ranker on {examples.positives} labelled outcomes",
            "base_rate": base_rate,
            **checked,
        },
    )
