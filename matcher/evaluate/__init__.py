"""Evaluation: ranking metrics, the simple baselines, and the time-split protocols."""

from __future__ import annotations
