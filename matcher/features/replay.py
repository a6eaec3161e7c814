"""Replaying a community's posts and interactions in time order into a `MemberState`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from matcher.domain import NEED
from matcher.features import versions
from matcher.features.history import MemberState, to_days
from matcher.snapshot import Community

# Kinds of event, in the column "post": a post's row (>= 0), or one of these.
_INTERACTION, _POST_EDIT, _PROFILE_EDIT = -1, -2, -3


def _events(community: Community, state: MemberState) -> pd.DataFrame:
    """Posts, interactions and edits in time order: kind, source, target, need row, time
    (days); an edit's row in "source" and the version it makes current in "need"."""
    # An offer is known from the moment it was posted, even to a need posted at that very
    # moment (posts dated by the day: an offer and the needs it met on the same date); a need,
    # and every interaction, only after it.
    posts = pd.DataFrame(
        {
            "t": state.post_time,
            "post": np.arange(len(state.post_time)),
            "order": np.where(state.post_is_need, 0, -1),
        }
    )
    events = community.interactions
    need_rows = pd.Index(state.post_ids).get_indexer(events["need_post_id"].fillna(-1))
    interactions = pd.DataFrame(
        {
            "t": to_days(events["occurred_at"]),
            "post": _INTERACTION,
            "order": 1,
            "kind": events["kind"].to_numpy(),
            "source": state.positions(events["from_member_id"]),
            "target": state.positions(events["to_member_id"]),
            "need": need_rows,
        }
    )
    # An edit, as an interaction, is known only after the moment it was made.
    edits = [
        versions.edits(index, revisions[owner], to_days(revisions["replaced_at"]))
        .rename(columns={"row": "source", "version": "need"})
        .assign(post=kind, order=1)
        for kind, index, revisions, owner in (
            (_POST_EDIT, community.posts.index, community.post_revisions, "post_id"),
            (_PROFILE_EDIT, community.members.index, community.member_revisions, "member_id"),
        )
    ]
    both = pd.concat([posts, interactions, *edits], ignore_index=True)
    both = both[np.isfinite(both["t"])]
    return both.sort_values(["t", "order"], kind="stable").reset_index(drop=True)


def replay(
    community: Community, post_vectors: np.ndarray, times: Sequence | pd.Series
) -> Iterator[tuple[int, MemberState]]:
    """For each query time (in time order), its index in `times` and the state just before it
    (with the offers posted at that very time: see `_events`).

    The same state object is yielded each time, advanced: read it before the next step.
    """
    state = MemberState(community, post_vectors)
    events = _events(community, state)
    query_days = np.asarray(to_days(pd.Series(times)), dtype=np.float64)
    order = np.argsort(query_days, kind="stable")
    cursor = 0
    columns = ("t", "order", "post", "kind", "source", "target", "need")
    event_time, rank, post, kind, source, target, need = (events[c].to_numpy() for c in columns)
    for index in order:
        t = query_days[index]
        while cursor < len(events) and (
            event_time[cursor] < t or (event_time[cursor] == t and rank[cursor] < 0)
        ):
            _apply(
                state,
                post[cursor],
                kind[cursor],
                source[cursor],
                target[cursor],
                need[cursor],
                event_time[cursor],
            )
            cursor += 1
        state.at = t
        yield int(index), state


def _apply(state, post, kind, source, target, need, t) -> None:
    if post >= 0:
        state.add_post(int(post))
    elif post == _INTERACTION:
        state.add_interaction(str(kind), int(source), int(target), int(need), float(t))
    elif post == _POST_EDIT:
        state.edit_post(int(source), int(need))
    else:
        state.edit_member(int(source), int(need))


def member_state(community: Community, post_vectors: np.ndarray, at: pd.Timestamp) -> MemberState:
    """The frozen state of every member as of `at`, from posts and interactions before it (and
    the offers posted at `at` itself, as `replay` reads them)."""
    created, posts = community.posts["created_at"], community.posts
    keep = ((created < at) | ((created == at) & (posts["side"] != NEED))).to_numpy()
    revisions = community.post_revisions
    kept = revisions["post_id"].isin(posts.index[keep]).to_numpy()
    past = dataclasses.replace(
        community,
        posts=posts[keep],
        interactions=community.interactions[community.interactions["occurred_at"] < at],
        post_revisions=revisions[kept],
    )
    vectors = np.asarray(post_vectors)
    vectors = np.concatenate([vectors[: len(posts)][keep], vectors[len(posts) :][kept]])
    for _, state in replay(past, vectors, [at]):
        return state.freeze()
    raise AssertionError("unreachable")  # pragma: no cover


def texts_at(community: Community, at: pd.Timestamp) -> np.ndarray:
    """Which text each post read at `at`, as a row of `Community.texts` (so of the vectors
    of the posts): its current one, or the one an edit after `at` replaced."""
    revisions = community.post_revisions
    return versions.versions_at(
        community.posts.index,
        revisions["post_id"],
        to_days(revisions["replaced_at"]),
        float(to_days(at)),
    )
