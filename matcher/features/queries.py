"""The training path: features of many needs, each against its candidates as of the need's time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matcher.features.history import MemberState
from matcher.features.pairs import Need, need_from_post, pair_features
from matcher.features.replay import replay
from matcher.snapshot import Community

CandidateRule = Callable[[MemberState, Need], np.ndarray]


@dataclass(frozen=True)
class QueryBlock:
    """One need at its time: its candidates (member ids) and their features."""

    need_post_id: int
    at: pd.Timestamp
    candidates: np.ndarray
    features: np.ndarray


def query_features(
    community: Community,
    post_vectors: np.ndarray,
    need_post_ids: Sequence[int],
    candidates: CandidateRule,
) -> Iterator[QueryBlock]:
    """For each need (in time order), its candidates and features from what was known before it.

    Replays the community once; each need is read from the state just before it was posted,
    or before the first interaction that names it, if that is earlier (a need imported
    without its date is dated by the import, after the help it got): what it led to is
    never part of what is known of it.
    """
    need_post_ids = list(need_post_ids)
    times = community.posts.loc[need_post_ids, "created_at"]
    events = community.interactions
    named = events[events["need_post_id"].isin(need_post_ids)]
    first = named.groupby(named["need_post_id"].astype(np.int64))["occurred_at"].min()
    earlier = first.reindex(times.index)
    times = times.mask(earlier < times, earlier)
    rows = community.posts.index.get_indexer(need_post_ids)
    plan = getattr(candidates, "plan", None)
    if plan is not None:  # the rule may prepare for the needs to come, in time order
        plan(rows[np.argsort(times.to_numpy(), kind="stable")])
    for index, state in replay(community, post_vectors, times):
        need = need_from_post(state, int(rows[index]))
        chosen = np.asarray(candidates(state, need), dtype=np.int64)
        yield QueryBlock(
            need_post_id=need_post_ids[index],
            at=times.iloc[index],
            candidates=chosen,
            features=pair_features(state, need, chosen, state.at),
        )


def experienced_helpers(min_helps: int = 3) -> CandidateRule:
    """Candidates: members who helped at least `min_helps` times before, except the seeker."""

    def rule(state: MemberState, need: Need) -> np.ndarray:
        keep = state.n_helped >= min_helps
        ids = state.member_ids[keep]
        return ids[ids != need.seeker] if need.seeker is not None else ids

    return rule


class ContentCandidates:
    """Candidates: the `k` members (not the seeker) whose offers or help match the need best.

    Members come in order of their best matching text (ties: the earlier text first). The
    similarities of many needs to every post are computed together, a block of needs at a
    time (one matrix product instead of one pass over all posts per need), when the needs to
    come are announced with `plan`; the candidates are the same either way.
    """

    BLOCK_BYTES = 32 * 2**20  # similarities held at once

    def __init__(self, k: int):
        self.k = k
        self._planned: np.ndarray = np.zeros(0, dtype=np.int64)
        self._block: dict[int, int] = {}
        self._sims: np.ndarray | None = None
        self._rows: np.ndarray = np.zeros(0, dtype=np.int64)  # the needs of the block
        self._vectors: np.ndarray | None = None  # the post vectors the block was computed on
        self._edits_seen = 0  # ... and how many edits of posts it has followed

    def plan(self, need_rows: Sequence[int]) -> None:
        """The post rows of the needs that will be asked for, in the order they will be."""
        self._planned = np.asarray(need_rows, dtype=np.int64)
        self._block, self._sims = {}, None

    def similarities(self, state: MemberState, need: Need) -> np.ndarray:
        """Cosine of the need to every post of the state."""
        row = need.post_row
        if row in self._block and self._vectors is state.post_vectors:
            self._follow_edits(state)
            return self._sims[self._block[row]]
        where = np.flatnonzero(self._planned == row) if row >= 0 else np.zeros(0, dtype=np.int64)
        if len(where) == 0:
            return state.post_vectors @ need.vector
        size = max(1, self.BLOCK_BYTES // max(1, 4 * len(state.post_vectors)))
        rows = self._planned[where[0] : where[0] + size]
        self._sims = state.post_vectors[rows] @ state.post_vectors.T
        self._block = {int(r): i for i, r in enumerate(rows)}
        self._rows = rows
        self._vectors = state.post_vectors
        self._edits_seen = len(state.edited_posts)
        return self._sims[self._block[row]]

    def _follow_edits(self, state: MemberState) -> None:
        """Bring the block up to the posts edited since it was computed: their columns, and
        the rows of the needs among them."""
        edited = state.edited_posts.values[self._edits_seen :]
        if len(edited) == 0:
            return
        changed = np.unique(edited)
        vectors = state.post_vectors
        self._sims[:, changed] = vectors[self._rows] @ vectors[changed].T
        for r in changed[np.isin(changed, self._rows)]:
            self._sims[self._block[int(r)]] = vectors @ vectors[r]
        self._edits_seen = len(state.edited_posts)

    def __call__(self, state: MemberState, need: Need) -> np.ndarray:
        rows, owners = state.match_rows.values, state.match_owners.values
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        scores = self.similarities(state, need)[rows]
        if need.seeker is not None:
            scores[owners == state.positions([need.seeker])[0]] = -np.inf
        # Only texts at least as close as the k-th member's best can place a member in the k.
        best = np.full(len(state.member_ids), -np.inf, dtype=scores.dtype)
        np.maximum.at(best, owners, scores)
        best = best[np.isfinite(best)]
        threshold = (
            np.partition(best, len(best) - self.k)[len(best) - self.k]
            if len(best) > self.k
            else -np.inf
        )
        within = np.flatnonzero((scores >= threshold) & np.isfinite(scores))
        # Members in order of their best text: the first time each appears in score order.
        ranked = owners[within[np.argsort(-scores[within], kind="stable")]]
        _, first = np.unique(ranked, return_index=True)
        return state.member_ids[ranked[np.sort(first)[: self.k]]]


def content_candidates(k: int) -> ContentCandidates:
    """Candidates: the `k` members (not the seeker) whose offers or help match the need best."""
    return ContentCandidates(k)
