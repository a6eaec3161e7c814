from __future__ import annotations

import numpy as np
import pytest

from matcher.allocate import allocate, fairness, propose, top_n, turns
from matcher.evaluate.metrics import gini


def random_market(seed: int, members: int = 60, per_seeker: int = 12):
    """Candidate rows with a few very popular members, as in a real community."""
    rng = np.random.default_rng(seed)
    seeker = np.repeat(np.arange(members), per_seeker)
    popular = rng.zipf(1.6, size=len(seeker)) % members
    member = np.where(popular == seeker, (popular + 1) % members, popular)
    keys = np.unique(seeker * members + member)
    seeker, member = keys // members, keys % members
    score = rng.random(len(seeker)) * 0.3 + 0.7 / (1 + member / 5)
    helps_you = rng.random(len(seeker)) < 0.6
    capacity = rng.integers(0, 5, size=members)
    return seeker, member, score, helps_you, capacity


def test_proposals_keep_every_quota_and_the_best_asks():
    proposer = np.array([0, 0, 1, 1, 2])
    acceptor = np.array([0, 1, 0, 1, 0])
    score = np.array([0.9, 0.5, 0.8, 0.7, 0.95])
    chosen = propose(proposer, acceptor, score, np.array([1, 1, 1]), np.array([1, 2]))
    # Everyone asks for acceptor 0 first; it keeps the best ask (proposer 2); then 0 and 1
    # ask for acceptor 1, which has room for both.
    assert chosen.tolist() == [1, 3, 4]


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("posts", [False, True])
def test_allocation_respects_capacities_quotas_and_never_repeats_a_pair(seed, posts):
    seeker, member, score, helps_you, capacity = random_market(seed)
    n = 1 + seed % 5
    rng = np.random.default_rng(seed)
    floor = rng.integers(0, 3, size=len(capacity))
    post = 10 * seeker + rng.integers(0, 3, size=len(seeker)) if posts else None  # 1-3 each
    chosen = allocate(
        seeker, member, score, helps_you, n=n, capacity=capacity, floor=floor, post=post
    )
    assert len(np.unique(chosen)) == len(chosen)
    exposure = np.bincount(member[chosen], minlength=len(capacity))
    assert np.all(exposure <= capacity)
    per_seeker = np.bincount(seeker[chosen], minlength=len(capacity))
    assert per_seeker.max() <= n
    # Nothing is left on the table: an unchosen row has a full seeker or a full member.
    left = np.setdiff1d(np.arange(len(score)), chosen)
    full = exposure[member[left]] >= capacity[member[left]]
    assert np.all((per_seeker[seeker[left]] >= n) | full)


def test_the_floor_gives_rarely_suggested_members_a_place_and_top_n_does_not():
    # Three seekers, each with a strong favourite (member 3), a good match (5) and a
    # weaker newcomer (4) who has rarely been suggested.
    seeker = np.repeat([0, 1, 2], 3)
    member = np.tile([3, 5, 4], 3)
    score = np.tile([0.9, 0.6, 0.4], 3)
    helps_you = np.ones(9, dtype=bool)
    capacity = np.array([0, 0, 0, 9, 9, 9])
    floor = np.array([0, 0, 0, 0, 1, 0])
    fair = allocate(seeker, member, score, helps_you, n=2, capacity=capacity, floor=floor)
    best = top_n(seeker, member, score, helps_you, n=2)
    assert np.bincount(member[best], minlength=6)[4] == 0
    exposure = np.bincount(member[fair], minlength=6)
    assert exposure[4] == 1 and exposure[3] == 3 and exposure[5] == 2


def test_every_seeker_gets_a_first_match_before_anyone_gets_a_second():
    # Member 3 has room for one: seeker 0's second choice, seeker 1's only one.
    seeker = np.array([0, 0, 1])
    member = np.array([2, 3, 3])
    score = np.array([0.9, 0.8, 0.5])
    helps_you = np.array([True, False, False])
    capacity = np.array([0, 0, 1, 1])
    chosen = allocate(seeker, member, score, helps_you, n=2, capacity=capacity)
    pairs = zip(seeker[chosen].tolist(), member[chosen].tolist(), strict=True)
    assert sorted(pairs) == [(0, 2), (1, 3)]


def test_the_floor_only_takes_its_share_of_each_email():
    seeker = np.zeros(4, dtype=np.int64)
    member = np.array([1, 2, 3, 4])
    score = np.array([0.9, 0.8, 0.3, 0.2])
    helps_you = np.ones(4, dtype=bool)
    capacity = np.full(5, 5)
    floor = np.array([0, 0, 0, 1, 1])  # the two weakest are under-exposed
    chosen = allocate(seeker, member, score, helps_you, n=2, capacity=capacity, floor=floor)
    # Of the two slots, the floor may take half: one newcomer plus the best match.
    assert sorted(member[chosen].tolist()) == [1, 3]


def test_each_email_mixes_both_directions_when_it_can():
    seeker = np.zeros(6, dtype=np.int64)
    member = np.arange(1, 7)
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    helps_you = np.array([True, True, True, True, False, False])
    capacity = np.full(7, 3)
    chosen = allocate(seeker, member, score, helps_you, n=4, capacity=capacity)
    assert sorted(member[chosen].tolist()) == [1, 2, 5, 6]
    only_one_way = allocate(
        seeker[:4], member[:4], score[:4], helps_you[:4], n=4, capacity=capacity
    )
    assert len(only_one_way) == 4


def test_without_binding_capacities_the_allocation_is_the_top_n():
    seeker, member, score, helps_you, _ = random_market(3)
    plenty = np.full(60, 10_000)
    fair = allocate(seeker, member, score, helps_you, n=4, capacity=plenty)
    assert fair.tolist() == top_n(seeker, member, score, helps_you, 4).tolist()


def test_capacities_spread_exposure_at_a_small_cost():
    seeker, member, score, helps_you, capacity = random_market(5, members=400, per_seeker=20)
    capacity = np.full(400, 3)
    fair = allocate(seeker, member, score, helps_you, n=4, capacity=capacity, floor=np.ones(400))
    best = top_n(seeker, member, score, helps_you, 4)
    everyone = np.arange(400)
    f, b = fairness(member, score, fair, everyone), fairness(member, score, best, everyone)
    assert f.coverage > b.coverage + 0.2
    assert f.exposure_gini < b.exposure_gini - 0.2
    assert b.mean_score > f.mean_score


def test_gini():
    assert gini(np.array([2, 2, 2, 2])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)
    assert gini(np.array([1, 2, 3, 4])) == pytest.approx(0.25)
    assert gini(np.zeros(3)) == 0.0


def test_fairness_counts_members_never_suggested():
    member = np.array([1, 1, 2])
    score = np.array([0.5, 0.7, 0.9])
    report = fairness(member, score, np.array([0, 1]), population=np.array([1, 2, 3]))
    assert report.coverage == pytest.approx(1 / 3)
    assert report.mean_score == pytest.approx(0.6)
    assert report.suggestions == 2


def test_turns_count_each_groups_elements_in_the_order_given():
    assert turns(np.array([5, 5, 2, 5, 2, 9])).tolist() == [0, 1, 0, 2, 1, 0]
    assert turns(np.array([], dtype=np.int64)).tolist() == []


def test_a_seekers_posts_take_turns_in_the_rest_of_their_slots():
    # Seeker 0 has two needs: post 10 (members 1 and 2 score .9 and .8) and post 11 (member 3,
    # .6); seeker 4 has one need, post 12, which member 3 suits less (.5).
    seeker = np.array([0, 0, 0, 4])
    member = np.array([1, 2, 3, 3])
    score = np.array([0.9, 0.8, 0.6, 0.5])
    helps_you = np.ones(4, dtype=bool)
    post = np.array([10, 10, 11, 12])
    capacity = np.full(5, 2)
    by_score = allocate(seeker, member, score, helps_you, n=2, capacity=capacity)
    taking_turns = allocate(seeker, member, score, helps_you, n=2, capacity=capacity, post=post)
    assert by_score.tolist() == [0, 1, 3]
    assert taking_turns.tolist() == [0, 2, 3]
    assert top_n(seeker, member, score, helps_you, 2, post).tolist() == [0, 2, 3]


def test_a_post_whose_best_member_has_no_room_left_keeps_its_turn():
    # Seeker 0's need 10 is best answered by member 1, who has no room left this week; its
    # next (2, then 5) are free. Need 11 has members 3 and 4. With 3 slots, each need gets its
    # best free member, then the better of the seconds (5 at .7, not 4 at .45): a member who
    # cannot be suggested does not use up the need's turn.
    seeker = np.zeros(5, dtype=np.int64)
    member = np.array([1, 2, 5, 3, 4])
    score = np.array([0.9, 0.8, 0.7, 0.5, 0.45])
    post = np.array([10, 10, 10, 11, 11])
    capacity = np.array([0, 0, 1, 1, 1, 1])
    chosen = allocate(
        seeker, member, score, np.ones(5, dtype=bool), n=3, capacity=capacity, post=post
    )
    assert sorted(member[chosen].tolist()) == [2, 3, 5]
