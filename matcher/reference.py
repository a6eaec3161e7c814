"""What a typical candidate looks like to an encoder in a community of realistic size.

The content score maps a typical candidate's cosine to 0.5, and the weekly email suggests no
one below that. A community says what is typical itself once each need's candidate list (its
`candidates_per_need` nearest members) is a choice among more members than that. Before, every
member is a candidate of every need, and "typical" is any member at all: in a new community of
a dozen members, half of any two strangers passed ("you need artwork; they offer session
drums"), and in one of three, two members whose need and offer said the same thing were only
typical of each other, and no one was told. Then the candidate lists of the demo community
(`matcher demo-data`'s 2,000 members, read by the same encoder) say what is typical.
Computed once per encoder and list length, and kept in the models folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher.domain import NEED
from matcher.embed import Encoder
from matcher.files import write_private
from matcher.retrieve import top_members

log = logging.getLogger(__name__)

REFERENCE_FOLDER = ".reference"  # in the models folder (builds are the others)
REFERENCE_MEMBERS = 2000  # `matcher demo-data`'s default community
REFERENCE_SEED = 0
REFERENCE_NOW = datetime(2026, 1, 1, tzinfo=UTC)  # the same community on every day
VERSION = 1  # raised when the demo community's texts change
_KEPT: dict[str, dict[str, Any]] = {}  # computed in this process, by key


def reference_calibration(encoder: Encoder, k: int, folder: Path | None) -> dict[str, Any]:
    """The mean and spread of the best cosines of the demo community's needs' `k` candidates,
    as `encoder` reads them: `{"mean", "std", "source"}`. Kept in `folder` (None: not kept)."""
    key = f"{encoder.name}|k={k}|{REFERENCE_MEMBERS} members|seed {REFERENCE_SEED}|v{VERSION}"
    name = f"calibration-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
    path = folder / name if folder is not None else None
    calibration = _KEPT.get(key) or (_read(path, key) if path is not None else None)
    if calibration is None:
        calibration = _compute(encoder, k)
    _KEPT[key] = calibration
    if path is not None and not path.is_file():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            kept = {"key": key, "calibration": calibration}
            write_private(path, lambda handle: json.dump(kept, handle, indent=2))
        except OSError as exc:  # a read-only models folder: computed again next time
            log.warning("could not keep the reference calibration in %s: %s", path, exc)
    return calibration


def _read(path: Path, key: str) -> dict[str, Any] | None:
    try:
        kept = json.loads(path.read_text())
        return kept["calibration"] if kept.get("key") == key else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # not kept yet, or unreadable: computed again


def _compute(encoder: Encoder, k: int) -> dict[str, Any]:
    from matcher.demo.community import generate

    demo = generate(REFERENCE_MEMBERS, REFERENCE_SEED, now=REFERENCE_NOW)
    posts = demo.posts[demo.posts["status"] == "open"]
    vectors = np.asarray(encoder.encode(posts["text"].tolist()), dtype=np.float32)
    need = (posts["side"] == NEED).to_numpy()
    member = pd.factorize(posts["member_id"])[0]
    _, scores = top_members(vectors[need], member[need], vectors[~need], member[~need], k)
    finite = scores[np.isfinite(scores)].astype(np.float64)
    spread = float(finite.std())
    return {
        "mean": float(finite.mean()),
        "std": spread if spread > 0 else 1.0,
        "source": f"the demo community's candidate lists ({REFERENCE_MEMBERS} members, "
        f"{int(need.sum())} needs)",
    }
