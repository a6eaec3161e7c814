"""Import and export of members, posts and interactions (CSV, JSON, JSONL), and store stats."""

from __future__ import annotations

from matcher.io.exporter import export_frames
from matcher.io.formats import Frames, read_files, write_files
from matcher.io.importer import ImportResult, import_files, import_frames
from matcher.io.stats import community_stats

__all__ = [
    "Frames",
    "ImportResult",
    "community_stats",
    "export_frames",
    "import_files",
    "import_frames",
    "read_files",
    "write_files",
]
