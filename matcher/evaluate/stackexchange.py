"""The expert-finding protocol of ../shared/DATA.md on a Stack Exchange dump."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.config import MIN_TRAINING_LABELS
from matcher.datasets.stackexchange import StackExchangeDump
from matcher.evaluate.protocol import TEST_SHARE, Evaluation, TestQuery, refits_every, run
from matcher.features.queries import QueryBlock, experienced_helpers
from matcher.features.training import Outcomes, collect
from matcher.progress import Reporter

MIN_ANSWERS = 3  # a candidate answered at least this often before the question
MIN_CANDIDATES = 10  # questions with fewer candidates are dropped
BASELINES = ("random", "activity", "recency", "bm25", "embedding")
# The learned rankers are refitted every this many test questions, on everything known by then
# (DATA.md step 1 allows learning from all that happened before each question; refitting at
# every question would cost ten times as much for a few more labels).
REFIT_EVERY = 10
# ... and at most this many times in all: a compute budget, not a tuned constant. A fit's rows
# are the earlier questions x their candidates, both growing with the site: fitting the ranker
# took 4.7 s on beer's 24,566 rows, 9.5 s on 3x and 24.2 s on 9x as many (the rows repeated),
# so a site with three times beer's questions and candidates (9x the rows) would need 3x the
# refits, each up to 5x as slow. Beyond MAX_REFITS the interval widens instead (beer and
# sustainability have 20 and 13 refits, unchanged). Rolling validation inside the training
# period (`bench/validate_ranker.py PATH --refit-every N`) found refitting every 20 questions
# as good as every 10 (MRR -.006 beer, +.028 sustainability) and every 40 within noise
# (-.008, -.010).
MAX_REFITS = 20


def scored_question(block: QueryBlock, truth: pd.DataFrame) -> TestQuery | None:
    """A question as DATA.md scores it: the accepted answerer is the target, every answerer
    with score > 0 is relevant; None for questions the protocol drops (fewer than
    MIN_CANDIDATES candidates, no accepted answer, or one by the asker or a non-candidate)."""
    row = truth.loc[block.need_post_id]
    accepted = row["accepted"]
    if len(block.candidates) < MIN_CANDIDATES or pd.isna(accepted):
        return None
    target = block.candidates == int(accepted)
    if int(accepted) == row["asker"] or not target.any():
        return None
    return TestQuery(block, target, np.isin(block.candidates, row["relevant"]))


def evaluate_stackexchange(
    dump: StackExchangeDump,
    post_vectors: np.ndarray,
    *,
    min_labels: int = MIN_TRAINING_LABELS,
    refit_every: int = REFIT_EVERY,
    max_refits: int = MAX_REFITS,
    progress: Reporter | None = None,
) -> Evaluation:
    """Rank the answerers of the last 30% of questions, learning only from what came before.

    Candidates: users with at least 3 answers before the question, except the asker.
    Questions with fewer than 10 candidates, or whose accepted answer is by the asker or by
    a non-candidate, are dropped. The accepted answerer is the target (MRR, Recall@1); every
    answerer with score > 0, and the accepted one, is relevant (Recall@10, NDCG@10).
    Training labels: who answered each earlier question (every answerer: acceptances and
    votes carry no date in the dump, so they could come from the future), as known when the
    rankers are refitted, every `refit_every` test questions (at most `max_refits` times,
    evenly spread).
    """
    truth = dump.truth  # questions in time order
    question_ids = truth.index.tolist()
    split_index = round(len(question_ids) * (1 - TEST_SHARE))
    if split_index >= len(question_ids):
        said = f"{len(question_ids)} question{'' if len(question_ids) == 1 else 's'}"
        why = f"too few questions to split: {said}, none in the last {TEST_SHARE:.0%} to test"
        return Evaluation(dump.site, 0, 0.0, {}, [why])
    split_time = truth["created_at"].iloc[split_index]
    blocks = collect(
        dump.community, post_vectors, question_ids, experienced_helpers(MIN_ANSWERS), progress
    )

    evaluation = run(
        dump.site,
        blocks,
        split_index,
        Outcomes(dump.community),
        lambda block: scored_question(block, truth),
        BASELINES,
        min_labels,
        refits=refits_every(len(blocks) - split_index, refit_every, max_refits),
        progress=progress,
    )
    if evaluation.n_queries == 0:
        test = truth.iloc[split_index:]
        evaluation.notes.append(
            "no test question qualifies (an accepted answer by a candidate, a user with "
            f"{MIN_ANSWERS} earlier answers other than the asker, among at least "
            f"{MIN_CANDIDATES}): of the last {len(test)} questions, "
            f"{int(test['accepted'].notna().sum())} have an accepted answer at all"
        )
    evaluation.details.update(
        {
            "split_at": split_time.isoformat(),
            "questions": len(question_ids),
            "attribution": f"CC BY-SA, https://{dump.site}.stackexchange.com",
        }
    )
    return evaluation
