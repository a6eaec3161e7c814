"""Counts that fade: the half-lives of the member state's decayed counts, and the decay."""

from __future__ import annotations

import numpy as np

# Half-lives of the decayed help counts, on the community's own clock: the number of helps
# given by anyone since. A community that helps ten times a day and one that helps once a week
# then read alike ("a share of the last ~30 helps"), where a span in days would mean a burst on
# one and a lifetime on the other. Chosen by rolling validation inside the training period of
# the Stack Exchange dumps, where they beat the same counts decayed by days (1, 7, 30, 365).
EVENT_HALF_LIVES: tuple[float, ...] = (10.0, 30.0, 100.0, 300.0)
LOAD_HALF_LIFE = 7.0  # requests received fade over about a week


def decay(elapsed: float, half_life: float | np.ndarray) -> float | np.ndarray:
    """What a count fades to after `elapsed` (days or helps; none before 0) at `half_life`."""
    return np.exp2(-max(elapsed, 0.0) / half_life)


def decayed(values: np.ndarray, since: np.ndarray, at: float, half_life: np.ndarray | float):
    """Decayed counts `values`, last updated at `since`, as of time `at` (days or helps)."""
    elapsed = np.maximum(at - since, 0.0)
    if np.ndim(values) == 2:
        return values * np.exp2(-elapsed[:, None] / np.asarray(half_life)[None, :])
    return values * np.exp2(-elapsed / half_life)


def decayed_total(clock: float, half_life: np.ndarray | float) -> np.ndarray | float:
    """The decayed count of all `clock` helps so far, read at `clock` (what shares divide by)."""
    ratio = np.exp2(-1.0 / np.asarray(half_life, dtype=np.float64))
    return ratio * (1 - ratio**clock) / (1 - ratio)
