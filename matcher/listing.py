"""How a member's matches are listed: which pairs pass, which of the seeker's posts each
answers, the ranker's score where it has one, and the order they are shown in."""

from __future__ import annotations

import numpy as np
from scipy.special import logit

from matcher import reciprocal
from matcher.allocate import turns
from matcher.pairs import Direction
from matcher.score import PairScores


def prefer_learned(learned: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The ranker's score where it has one and the pair still exists (content > 0)."""
    return np.where(np.isnan(learned) | (content <= 0), content, learned)


def passing_pairs(fused: PairScores, mutual: bool | None) -> np.ndarray:
    """Per pair: whether it is a match in the direction asked (score above 0 there) and, with
    the `mutual` filter, mutual or not as asked."""
    eligible = fused.primary > 0
    if mutual is not None:
        eligible &= fused.mutual == mutual
    return eligible


def answered_post(direction: np.ndarray, forward: Direction, reverse: Direction) -> np.ndarray:
    """Per pair, which of the seeker's posts it answers: their need where the candidate helps
    them (even numbers), their offer where they help the candidate (odd)."""
    return np.where(direction == "helps_you", 2 * forward.need, 2 * reverse.offer + 1)


def listing_order(
    ids: list[int],
    score: np.ndarray,
    eligible: np.ndarray,
    busy: np.ndarray,
    declined: np.ndarray,
    post: np.ndarray,
    busy_weight: float,
) -> np.ndarray:
    """The positions of the eligible pairs in the order they are listed.

    Those already asked as often as they can take this week are listed by their score less
    `busy_weight` in log-odds, and those who said no to the one they would help lately after
    every good match (at least a typical candidate's score) still to ask; a good match of
    either kind still comes before the poor ones: where nobody free fits, the only van in
    town is listed first, marked busy. (Listed after every good match, a busy drummer at .93
    fell out of the first 100 of a search whose free matches ran down to .52.)

    The seeker's posts (`post`) take turns: each of their needs (offers, for whom they could
    help) gets its best match listed before any gets its second (turns counted over the whole
    list, the list sorted by tier, then turn, then as ranked). Ranked by their single best
    pair alone, a member's longest or most general need answered every slot and "flyerers
    needed!" none.
    """
    tier = np.where(score >= reciprocal.NEUTRAL, 0, 2) + declined
    key = logit(np.clip(score, 1e-9, 1 - 1e-9)) - busy_weight * busy
    ranked = np.array(
        [i for i in np.lexsort((np.array(ids), -key, tier)) if eligible[i]], dtype=np.int64
    )
    turn = turns(post[ranked])
    return ranked[np.lexsort((np.arange(len(ranked)), turn, tier[ranked]))]
