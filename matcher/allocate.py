"""Fair weekly allocation: who is suggested to whom, under capacities and a coverage floor.

Plain functions over candidate rows (one row = one seeker and one member who could be
suggested to them, with a score). Members are dense indices 0..M-1 in one index space for
both roles. The allocation runs in rounds of proposals, in the spirit of FairRec (Patro et
al. 2020): every seeker first gets one good match, then the under-exposed members ask
first for a few slots (the coverage floor, greedily: not a guarantee), then every seeker
fills the rest of their email by score, and nobody is suggested more often than their
capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.evaluate.metrics import gini

# Share of each seeker's slots that the coverage floor may take, so every email keeps
# its best matches too.
FLOOR_SHARE = 0.5


def propose(
    proposer: np.ndarray,
    acceptor: np.ndarray,
    score: np.ndarray,
    proposer_quota: np.ndarray,
    acceptor_quota: np.ndarray,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """Rows chosen in rounds: proposers ask for their best rows, acceptors keep the best asks.

    Each round, every proposer with quota left asks for its best remaining rows (up to that
    quota) and every acceptor keeps the highest-scored asks (up to its quota); the rest of a
    full acceptor's rows drop out. Rounds repeat until no row can be chosen. Returns the
    chosen row indices (into the full arrays), restricted to `rows` when given.
    """
    p_left = np.asarray(proposer_quota, dtype=np.int64).copy()
    a_left = np.asarray(acceptor_quota, dtype=np.int64).copy()
    work = np.arange(len(score)) if rows is None else np.asarray(rows, dtype=np.int64)
    # Sorted once by proposer, best score first (ties: lower row first); filtering keeps it.
    work = work[np.lexsort((work, -score[work], proposer[work]))]
    chosen: list[np.ndarray] = []
    while True:
        work = work[(p_left[proposer[work]] > 0) & (a_left[acceptor[work]] > 0)]
        if len(work) == 0:
            break
        asks = work[_rank_within(proposer[work]) < p_left[proposer[work]]]
        asks = asks[np.lexsort((asks, -score[asks], acceptor[asks]))]
        kept = asks[_rank_within(acceptor[asks]) < a_left[acceptor[asks]]]
        chosen.append(kept)
        np.subtract.at(p_left, proposer[kept], 1)
        np.subtract.at(a_left, acceptor[kept], 1)
        taken = np.zeros(len(score), dtype=bool)
        taken[kept] = True
        work = work[~taken[work]]
    return np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)


def turns(groups: np.ndarray) -> np.ndarray:
    """Each element's turn within its group, in the order given: 0 for the first element of
    its group, 1 for the second, and so on. Ordering by (turn, the order given) lets groups
    take turns: every group's best comes before any group's second best."""
    groups = np.asarray(groups)
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    by_group = np.argsort(groups, kind="stable")  # grouped, each group in the order given
    out = np.empty(len(groups), dtype=np.int64)
    out[by_group] = _rank_within(groups[by_group])
    return out


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal values (the array is grouped)."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.ones(n, dtype=bool)
    starts[1:] = groups[1:] != groups[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return np.arange(n) - first


def allocate(
    seeker: np.ndarray,
    member: np.ndarray,
    score: np.ndarray,
    helps_you: np.ndarray,
    *,
    n: int,
    capacity: np.ndarray,
    floor: np.ndarray | None = None,
    quota: np.ndarray | None = None,
    floor_share: float = FLOOR_SHARE,
    post: np.ndarray | None = None,
) -> np.ndarray:
    """Chosen row indices: up to `n` per seeker, both directions mixed, nobody over capacity.

    `capacity[m]` is how often member m may still be suggested this week; `floor[m]` how many
    suggestions m asks for first (under-exposed members; clipped to capacity; proposals in
    rounds, so greedy: one can miss it where another assignment had room); `quota[s]`
    how many slots seeker s still has (default `n` each). Every seeker first gets one slot
    (their best candidate with room left), then the floor, then the rest by score: half the
    slots go to "could help you" and half to "you could help" when both exist, the rest to
    either. `post[r]` names the seeker's post that row r answers (their need it would help
    with, or their offer that would help): after the first slot, in the floor and the rest, a
    seeker's posts take turns (`turns`), each one's best row first, so that one need does not
    take every slot. Each (seeker, member) pair must appear at most once.
    """
    seeker = np.asarray(seeker, dtype=np.int64)
    member = np.asarray(member, dtype=np.int64)
    score = np.asarray(score, dtype=np.float64)
    helps_you = np.asarray(helps_you, dtype=bool)
    size = _index_size(seeker, member, capacity)
    cap = np.zeros(size, dtype=np.int64)
    cap[: len(capacity)] = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    total = np.full(size, n, dtype=np.int64)
    if quota is not None:
        total[: len(quota)] = np.minimum(np.asarray(quota, dtype=np.int64), n)
    # Slots per (seeker, direction): group 2*s for "helps you", 2*s+1 for "you help".
    group = 2 * seeker + (~helps_you).astype(np.int64)
    group_quota = np.empty(2 * size, dtype=np.int64)
    group_quota[0::2] = (total + 1) // 2
    group_quota[1::2] = total // 2
    taken = np.zeros(len(score), dtype=bool)

    def take(rows: np.ndarray) -> None:
        taken[rows] = True
        np.subtract.at(cap, member[rows], 1)
        np.subtract.at(group_quota, group[rows], 1)
        np.subtract.at(total, seeker[rows], 1)

    # 1. Everyone's first slot: each seeker asks for their best candidate.
    take(propose(seeker, member, score, np.minimum(total, 1), cap))
    # Then the seeker's posts take turns: a post's next row comes after the next row of
    # every post served fewer times (`_in_turn`; the posts numbered and the rows ordered by
    # score once, for both steps).
    if post is not None:
        code = np.unique(np.asarray(post, dtype=np.int64), return_inverse=True)[1]
        by_score = np.lexsort((np.arange(len(score)), -score))

    def in_turn() -> np.ndarray:
        return score if post is None else _in_turn(score, code, by_score, taken, cap[member] > 0)

    ranked = in_turn()
    # 2. The floor: under-exposed members not yet suggested ask for the seekers they suit
    #    best, who keep the best such asks in up to `floor_share` of their email.
    if floor is not None:
        guaranteed = np.zeros(size, dtype=np.int64)
        guaranteed[: len(floor)] = np.asarray(floor, dtype=np.int64)
        guaranteed -= np.bincount(member[taken], minlength=size)
        guaranteed = np.minimum(np.maximum(guaranteed, 0), cap)
        floor_slots = np.minimum(np.maximum(total, 0), int(np.ceil(n * floor_share)))
        rows = np.flatnonzero(~taken & (guaranteed[member] > 0))
        take(propose(member, seeker, ranked, guaranteed, floor_slots, rows))
        ranked = in_turn()
    # 3. The rest by score (the posts taking turns): first each direction's share (within
    #    what is left), then either.
    left = np.maximum(total, 0)
    group_quota[0::2] = np.minimum(np.maximum(group_quota[0::2], 0), left)
    group_quota[1::2] = np.minimum(np.maximum(group_quota[1::2], 0), left - group_quota[0::2])
    take(propose(group, member, ranked, group_quota, cap, np.flatnonzero(~taken)))
    take(propose(seeker, member, ranked, total, cap, np.flatnonzero(~taken)))
    return np.flatnonzero(taken)


def _in_turn(
    score: np.ndarray,
    code: np.ndarray,
    by_score: np.ndarray,
    taken: np.ndarray,
    room: np.ndarray,
) -> np.ndarray:
    """Scores (in [0, 1]) less each row's turn: how many rows of its post (`code`, numbered
    0..) were taken, plus its place among the post's rows not taken whose member has `room`
    left, best first (`by_score`: the rows, best first; a row that cannot be chosen takes no
    turn). Every post's next row then ranks above any post's row after it, and by score
    among rows of the same turn."""
    served = np.bincount(code[taken], minlength=code.max(initial=-1) + 1)
    order = by_score[~taken[by_score] & room[by_score]]
    turn = np.zeros(len(score), dtype=np.int64)
    turn[order] = turns(code[order])
    return score - (turn + served[code])


def top_n(
    seeker: np.ndarray,
    member: np.ndarray,
    score: np.ndarray,
    helps_you: np.ndarray,
    n: int,
    post: np.ndarray | None = None,
) -> np.ndarray:
    """Chosen row indices of the unconstrained top-N: the same direction mix and turns of
    the seeker's posts, no capacities."""
    seeker = np.asarray(seeker, dtype=np.int64)
    member = np.asarray(member, dtype=np.int64)
    unlimited = np.full(_index_size(seeker, member, np.zeros(0)), len(score) + 1)
    return allocate(seeker, member, score, helps_you, n=n, capacity=unlimited, post=post)


def _index_size(seeker: np.ndarray, member: np.ndarray, capacity: np.ndarray) -> int:
    biggest = max(int(seeker.max(initial=-1)), int(member.max(initial=-1)))
    return max(biggest + 1, len(capacity))


@dataclass(frozen=True)
class Fairness:
    """How evenly one allocation spreads suggestions, and how good they are."""

    suggestions: int
    exposure_gini: float  # over the members who could have been suggested
    coverage: float  # share of those members suggested at least once
    mean_score: float

    def as_dict(self) -> dict[str, float]:
        """Plain data for reports."""
        return {
            "suggestions": self.suggestions,
            "exposure_gini": round(self.exposure_gini, 4),
            "coverage": round(self.coverage, 4),
            "mean_score": round(self.mean_score, 4),
        }


def fairness(
    member: np.ndarray, score: np.ndarray, chosen: np.ndarray, population: np.ndarray
) -> Fairness:
    """Exposure Gini, coverage and mean score of the `chosen` rows over the `population` members."""
    member = np.asarray(member, dtype=np.int64)
    population = np.unique(np.asarray(population, dtype=np.int64))
    size = max(int(member.max(initial=-1)), int(population.max(initial=-1))) + 1
    exposure = np.bincount(member[chosen], minlength=size)[population]
    return Fairness(
        suggestions=len(chosen),
        exposure_gini=gini(exposure),
        coverage=float(np.mean(exposure > 0)) if len(population) else 0.0,
        mean_score=float(np.mean(score[chosen])) if len(chosen) else 0.0,
    )
