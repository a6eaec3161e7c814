"""Loaders of external data, mapped onto the project's own community model, for evaluation."""

from __future__ import annotations

from matcher.datasets.stackexchange import StackExchangeDump, load_stackexchange

__all__ = ["StackExchangeDump", "load_stackexchange"]
