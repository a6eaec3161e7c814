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

    Replays the community once; each need is read from the state just before it was posted.
    """
    need_post_ids = list(need_post_ids)
    times = community.posts.loc[need_post_ids, "created_at"]
    rows = community.posts.index.get_indexer(need_post_ids)
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


def content_candidates(k: int) -> CandidateRule:
    """Candidates: the `k` members (not the seeker) whose offers or help match the need best."""

    def rule(state: MemberState, need: Need) -> np.ndarray:
        rows, owners = state.match_rows.values, state.match_owners.values
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        scores = (state.post_vectors @ need.vector)[rows]
        if need.seeker is not None:
            scores[owners == state.positions([need.seeker])[0]] = -np.inf
        # Members in order of their best text: the first time each appears in score order.
        order = np.argsort(-scores, kind="stable")
        order = order[np.isfinite(scores[order])]
        ranked = owners[order]
        _, first = np.unique(ranked, return_index=True)
        return state.member_ids[ranked[np.sort(first)[:k]]]

    return rule
