import numpy as np
import pytest
from scipy.special import logit

from matcher.score import ContentScorer

SCORER = ContentScorer(mean=0.45, std=0.085, tag_weight=1.0, proximity_weight=0.5)


def lift(cosine: float, tags: float, near: float) -> float:
    """What shared tags and closeness add to the log-odds of a pair of this cosine."""
    with_context = SCORER.probability(np.array([cosine]), np.array([tags]), np.array([near]))
    alone = SCORER.probability(np.array([cosine]), np.array([0.0]), np.array([0.0]))
    return float(logit(with_context[0]) - logit(alone[0]))


def test_shared_tags_count_whatever_the_wording():
    """A J-card designer for "album artwork" in a real community's words: a cosine of .35,
    below a typical candidate's, with every tag shared. The tags said it in one word; scaled
    by the weak cosine, they added a quarter of their weight (an organiser's designer ranked
    below strangers)."""
    assert lift(0.35, 1.0, 0.0) == pytest.approx(1.0)
    assert lift(0.60, 1.0, 0.0) == pytest.approx(1.0)
    assert SCORER.probability(np.array([0.35]), np.array([1.0]), np.array([0.0]))[0] > 0.4


def test_closeness_counts_as_much_as_the_text_is_relevant():
    """A photographer next door is still no answer to "we need a drummer"."""
    assert lift(0.20, 0.0, 1.0) < 0.05
    assert lift(0.60, 0.0, 1.0) == pytest.approx(0.5 * 0.85, abs=0.05)
    assert SCORER.probability(np.array([0.20]), np.array([0.0]), np.array([1.0]))[0] < 0.1
