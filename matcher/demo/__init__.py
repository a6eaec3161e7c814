"""A realistic, seeded, synthetic indie music community, with the hidden truth behind it."""

from __future__ import annotations

from matcher.demo.community import STEPS, TRUTH_FILE, DemoCommunity, generate, today
from matcher.demo.truth import GOOD_MATCH, DemoTruth

__all__ = ["GOOD_MATCH", "STEPS", "TRUTH_FILE", "DemoCommunity", "DemoTruth", "generate", "today"]
