"""Earlier versions of posts and profiles (the store's revisions) as the replay applies them.

The store keeps each post's and member's current values and, for every edit, what they were
until then (`post_revisions`, `member_revisions`: one row per version replaced, with the time
it was replaced). Replayed in time order, a post or a member starts at its first version and
each edit is applied at its time, so the features of a need read the words, tags and places
as they were when it was posted, not as they were edited since.

Versions are numbered as the texts of `Community.texts`: row i's current version is i, and
the version kept in row k of the revisions is `n_rows + k`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _by_owner(
    index: pd.Index, owners: pd.Series, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The revisions (of the rows `owners` of `index`, replaced at `days`) of known rows in
    order of row, then time replaced, then revision: each one's row, time and version."""
    rows = index.get_indexer(np.asarray(owners))
    days = np.asarray(days, dtype=np.float64)
    known = np.flatnonzero((rows >= 0) & np.isfinite(days))
    order = known[np.lexsort((known, days[known], rows[known]))]
    return rows[order], days[order], len(index) + order


def edits(index: pd.Index, owners: pd.Series, days: np.ndarray) -> pd.DataFrame:
    """Every edit: its time (days), the row it changed and the version it made current (the
    one the next edit replaced, or the current one after the last)."""
    rows, days, versions = _by_owner(index, owners, days)
    last = np.r_[rows[1:] != rows[:-1], True] if len(rows) else np.zeros(0, dtype=bool)
    after = np.where(last, rows, np.r_[versions[1:], -1][: len(rows)])
    return pd.DataFrame({"t": days, "row": rows, "version": after})


def versions_at(index: pd.Index, owners: pd.Series, days: np.ndarray, at: float) -> np.ndarray:
    """Each row's version at time `at` (days): the one the first edit after `at` replaced,
    else the current one."""
    rows, days, versions = _by_owner(index, owners, days)
    out = np.arange(len(index))
    later = days >= at
    rows, versions = rows[later], versions[later]
    starts = np.r_[True, rows[1:] != rows[:-1]] if len(rows) else np.zeros(0, dtype=bool)
    out[rows[starts]] = versions[starts]
    return out


def first_versions(index: pd.Index, owners: pd.Series, days: np.ndarray) -> np.ndarray:
    """Each row's first version: the one its first edit replaced, else its current one."""
    return versions_at(index, owners, days, -np.inf)
