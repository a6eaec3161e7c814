"""Pair features of a need and its candidate helpers, from what was known before the need."""

from __future__ import annotations

from matcher.features.history import MemberState
from matcher.features.pairs import (
    BEHAVIOUR_FEATURES,
    FEATURE_NAMES,
    TEXT_FEATURES,
    Need,
    make_need,
    need_from_post,
    pair_features,
)
from matcher.features.replay import member_state, replay
from matcher.features.training import TrainingSet, training_set

__all__ = [
    "BEHAVIOUR_FEATURES",
    "FEATURE_NAMES",
    "TEXT_FEATURES",
    "MemberState",
    "Need",
    "TrainingSet",
    "make_need",
    "member_state",
    "need_from_post",
    "pair_features",
    "replay",
    "training_set",
]
