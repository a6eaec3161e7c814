import numpy as np
import pytest
from scipy.special import logit

from matcher import geo
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


def _unit(angle: float) -> np.ndarray:
    return np.array([np.cos(angle), np.sin(angle)], dtype=np.float32)


def test_help_given_once_weighs_less_than_an_offer_of_as_close_words():
    # A need a member helped with reads like any need: a label who once helped a band find a
    # guitarist was quoted and ranked for "need a bassist" above a bass player's offer (two
    # organisers' communities). It now counts as an offer less `help_weight` in log-odds.
    from matcher.pairs import Items, best_pairs

    need = Items.typed(_unit(0.0)[None, :])
    # Candidate 0 only helped with a need (cosine .80); candidate 1 offers (cosine .78);
    # candidate 2 has both: the help (.80) and an offer nearly as close (.78).
    angles, owners, helped = [0.6435, 0.6751, 0.6435, 0.6751], [0, 1, 2, 2], [1, 0, 1, 0]
    offers = Items(
        np.stack([_unit(a) for a in angles]),
        np.array(owners),
        [("build", i) for i in range(4)],
        np.arange(10, 14),
        np.array(helped, dtype=bool),
        np.zeros(4, dtype=np.float32),
        [frozenset()] * 4,
    )
    plain = best_pairs(need, offers, 3, needs_by_candidate=False)
    assert [round(float(c), 2) for c in plain.cosine] == [0.8, 0.78, 0.8]
    assert plain.offer[2] == 2
    discount = SCORER.help_discount
    assert discount == pytest.approx(0.5 * 0.085)
    weighed = best_pairs(need, offers, 3, needs_by_candidate=False, help_discount=discount)
    assert weighed.cosine[0] == pytest.approx(0.8 - discount, abs=1e-4)
    assert weighed.cosine[0] < weighed.cosine[1]  # the offer now ranks first
    assert weighed.offer[2] == 3  # and is what candidate 2 is quoted by


def test_a_helper_in_town_comes_before_a_slightly_closer_text_100_km_away():
    """Two testers found a local need answered by rehearsal rooms 100 km away before those in
    town, at the closeness weight of 0.5 (docs/matching.md, section 3: the content score): by
    default a helper in town now comes first where the one away is a little more alike in
    words."""
    from matcher.config import Settings

    scorer = ContentScorer.from_manifest({"calibration": {"mean": 0.45, "std": 0.085}}, Settings())
    in_town, away = scorer.probability(
        np.array([0.55, 0.595]), np.zeros(2), geo.proximity(np.array([2.0, 100.0]), np.zeros(2), 50)
    )
    assert in_town > away


def test_a_member_of_the_seekers_own_kind_weighs_the_kind_weight_less_in_log_odds():
    """MiniLM reads the topic, not the role: another venue's "we host bands on Friday nights"
    read as the answer to a venue's "bands for our Friday nights"."""
    cosine, tags, near = np.array([0.6, 0.6]), np.array([1.0, 1.0]), np.array([1.0, 1.0])
    stranger, peer = SCORER.probability(cosine, tags, near, np.array([0.0, 1.0]))
    assert float(logit(stranger) - logit(peer)) == pytest.approx(SCORER.kind_weight)
    assert SCORER.kind_weight == 1.0
    unknown = SCORER.probability(cosine, tags, near)  # a typed need's seeker is of no kind
    assert unknown[0] == pytest.approx(stranger)


def test_other_or_no_kind_is_nobodys_peer():
    from matcher.pairs import peers

    kinds = ["session_musician", "band", "other", ""]
    assert peers("session_musician", kinds, {}).tolist() == [1, 0, 0, 0]
    assert not peers("other", ["other"], {}).any()  # "other" says nobody's role
    assert not peers("", [""], {}).any()  # a typed need's seeker


def test_a_kind_tells_against_a_helper_as_much_as_few_members_have_it():
    """A circle of songwriters all "artist" keeps its scores: a kind every member has says
    nothing of a pair; a venue among a few venues says most."""
    from matcher.pairs import kind_shares, peers

    everyone = ["artist"] * 4
    assert not peers("artist", everyone, kind_shares(everyone)).any()
    scene = ["venue", "band", "band", "band", "studio"]
    shares = kind_shares(scene)
    assert shares == pytest.approx({"venue": 0.2, "band": 0.6, "studio": 0.2})
    assert peers("venue", scene, shares).tolist() == pytest.approx([0.8, 0, 0, 0, 0])
    assert peers("band", scene, shares).tolist() == pytest.approx([0, 0.4, 0.4, 0.4, 0])
