from __future__ import annotations

import numpy as np
import pytest

from matcher.allocate import allocate, fairness, gini, propose, top_n


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


@pytest.mark.parametrize("seed", range(8))
def test_allocation_respects_capacities_quotas_and_never_repeats_a_pair(seed):
    seeker, member, score, helps_you, capacity = random_market(seed)
    floor = np.ones_like(capacity)
    chosen = allocate(seeker, member, score, helps_you, n=4, capacity=capacity, floor=floor)
    assert len(np.unique(chosen)) == len(chosen)
    exposure = np.bincount(member[chosen], minlength=len(capacity))
    assert np.all(exposure <= capacity)
    assert np.bincount(seeker[chosen]).max() <= 4
    # Nothing is left on the table: an unchosen row has a full seeker or a full member.
    per_seeker = np.bincount(seeker[chosen], minlength=len(capacity))
    left = np.setdiff1d(np.arange(len(score)), chosen)
    assert np.all(
        (per_seeker[seeker[left]] >= 4) | (exposure[member[left]] >= capacity[member[left]])
    )


def test_the_floor_gives_rarely_suggested_members_a_place_and_top_n_does_not():
    # Three seekers, each with one strong favourite (member 3) and a weaker newcomer (4).
    seeker = np.array([0, 0, 1, 1, 2, 2])
    member = np.array([3, 4, 3, 4, 3, 4])
    score = np.array([0.9, 0.4, 0.9, 0.4, 0.9, 0.4])
    helps_you = np.ones(6, dtype=bool)
    capacity = np.array([0, 0, 0, 9, 9])
    floor = np.array([0, 0, 0, 0, 1])
    fair = allocate(seeker, member, score, helps_you, n=1, capacity=capacity, floor=floor)
    best = top_n(seeker, member, score, helps_you, n=1)
    assert np.bincount(member[best], minlength=5)[4] == 0
    assert np.bincount(member[fair], minlength=5)[4] == 1
    assert np.bincount(member[fair], minlength=5)[3] == 2


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
