"""Labelled training rows from a community's own outcomes: who helped with which need."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matcher.config import MAX_TRAINING_ROWS
from matcher.domain import ERASED, NEED, POSITIVE_KINDS
from matcher.features.pairs import FEATURE_NAMES
from matcher.features.queries import (
    CandidateRule,
    QueryBlock,
    content_candidates,
    query_features,
)
from matcher.progress import Reporter, Silent
from matcher.snapshot import Community


@dataclass(frozen=True)
class TrainingSet:
    """Rows of pair features with labels (1: helped), and the query (need) of each row."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # queries numbered in time order
    need_post_ids: list[int]

    @property
    def positives(self) -> int:
        """How many labelled outcomes say "helped" (what min_training_labels counts)."""
        return int(self.y.sum())


def _positive_outcomes(community: Community) -> pd.DataFrame:
    """The interactions that say someone helped with a need (POSITIVE_KINDS, naming the need)."""
    events = community.interactions
    return events[events["kind"].isin(sorted(POSITIVE_KINDS)) & events["need_post_id"].notna()]


class Outcomes:
    """Every helped or accepted outcome on a need, to read the labels known at any time."""

    def __init__(self, community: Community):
        done = _positive_outcomes(community)
        self.need_post_ids = done["need_post_id"].to_numpy(dtype=np.int64)
        self.helpers = done["from_member_id"].to_numpy(dtype=np.int64)
        self.times = pd.to_datetime(done["occurred_at"], utc=True).reset_index(drop=True)

    def pairs_before(self, before: pd.Timestamp) -> set[tuple[int, int]]:
        """(need post, helper) of the outcomes recorded before `before`."""
        known = (self.times < before).to_numpy()
        return set(
            zip(self.need_post_ids[known].tolist(), self.helpers[known].tolist(), strict=True)
        )


def positive_pairs(community: Community, before: pd.Timestamp) -> set[tuple[int, int]]:
    """(need post, helper) of every helped or accepted outcome recorded before `before`."""
    return Outcomes(community).pairs_before(before)


def labelled_needs(community: Community, before: pd.Timestamp | None = None) -> pd.Series:
    """Creation time of each need with a positive outcome (before `before`), in time order.

    Not a need whose member was erased: its words are gone, and every erased text reads the
    same ("(erased)"), so every erased member's offer would be a perfect match for it. The
    help given on it still counts in the helpers' history.
    """
    done = _positive_outcomes(community)
    if before is not None:
        done = done[done["occurred_at"] < before]
    posts = community.posts
    ids = done["need_post_id"].astype(int).unique()
    needs = posts[posts.index.isin(ids) & (posts["side"] == NEED) & (posts["text"] != ERASED)]
    return needs["created_at"].sort_values(kind="stable")


def collect(
    community: Community,
    post_vectors: np.ndarray,
    need_post_ids: Sequence[int],
    rule: CandidateRule,
    progress: Reporter | None = None,
) -> list[QueryBlock]:
    """Each need's candidates and features as of its time, in time order, reporting progress."""
    return list(_streamed(community, post_vectors, need_post_ids, rule, progress))


def _streamed(community, post_vectors, need_post_ids, rule, progress) -> Iterator[QueryBlock]:
    advance = (progress or Silent()).task("features of needs", len(need_post_ids))
    for block in query_features(community, post_vectors, need_post_ids, rule):
        advance(1)
        yield block


def labels(block: QueryBlock, positives: set[tuple[int, int]]) -> np.ndarray:
    """For each candidate of the block: did they help with its need (among `positives`)?"""
    need = block.need_post_id
    return np.array([(need, int(c)) in positives for c in block.candidates], dtype=bool)


def training_rows(
    blocks: Iterable[QueryBlock],
    positives: set[tuple[int, int]],
    max_rows: int | None = MAX_TRAINING_ROWS,
) -> TrainingSet:
    """Every candidate of the queries that have a positive, labelled, in time order; beyond
    `max_rows` rows (None: no bound) only the most recent such queries that fit, the latest
    whole even if it alone is larger. `blocks` may be a stream: a query is let go as soon as
    later ones fill the budget, so no more than the budget (and one query) is ever held."""
    kept: deque[tuple[QueryBlock, np.ndarray]] = deque()
    rows = 0
    for block in blocks:
        labelled = labels(block, positives)
        if not labelled.any():
            continue
        kept.append((block, labelled))
        rows += len(labelled)
        while max_rows is not None and rows > max_rows and len(kept) > 1:
            rows -= len(kept.popleft()[1])
    if not kept:
        return TrainingSet(
            np.zeros((0, len(FEATURE_NAMES))), np.zeros(0, bool), np.zeros(0, int), []
        )
    sizes = [len(labelled) for _, labelled in kept]
    return TrainingSet(
        np.vstack([block.features for block, _ in kept]),
        np.concatenate([labelled for _, labelled in kept]),
        np.repeat(np.arange(len(kept)), sizes),
        [block.need_post_id for block, _ in kept],
    )


def training_set(
    community: Community,
    post_vectors: np.ndarray,
    *,
    at: pd.Timestamp,
    candidates: int = 200,
    max_needs: int = 0,
    progress: Reporter | None = None,
) -> TrainingSet:
    """The rows a build trains its ranker on: needs helped before `at` (the latest `max_needs`
    of them, if set), each against the `candidates` members closest by content as of the
    need's time, labelled by who helped; the latest that fit in MAX_TRAINING_ROWS rows.
    """
    needs = labelled_needs(community, before=at)
    if max_needs > 0:
        needs = needs.iloc[-max_needs:]
    positives = positive_pairs(community, at)
    # Streamed into the rows: a need whose helper is no candidate is dropped at once, and only
    # the needs that fit in the row budget beside later ones are held.
    blocks = _streamed(
        community, post_vectors, needs.index.tolist(), content_candidates(candidates), progress
    )
    return training_rows(blocks, positives)
