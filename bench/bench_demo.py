"""Time the demo community: generate, write the import files, import (target: < 60 s at 10,000).

Usage: .venv/bin/python bench/bench_demo.py [--members N] [--seed S] [--format csv|json|jsonl]
Works in a temporary folder with its own SQLite store, and prints the time of each phase,
the community's size and the share of distinct need texts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.demo import generate
from matcher.io import import_frames


def main() -> None:
    """Run the benchmark and print one line per phase."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", default="csv", choices=("csv", "json", "jsonl"))
    args = parser.parse_args()
    now = datetime(2026, 5, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        sessions = open_store(Settings(data_dir=Path(tmp) / "var"))
        t0 = time.perf_counter()
        community = generate(args.members, args.seed, now=now)
        t1 = time.perf_counter()
        community.write(Path(tmp) / "demo", args.format)
        t2 = time.perf_counter()
        result = import_frames(sessions, community.frames(), source="bench_demo")
        t3 = time.perf_counter()
        close_store(sessions)
    counts = community.counts()
    needs = community.posts[community.posts["side"] == "need"]["text"]
    print(f"members {args.members}, seed {args.seed}, format {args.format}")
    print(f"generate  {t1 - t0:6.1f} s")
    print(f"write     {t2 - t1:6.1f} s")
    print(f"import    {t3 - t2:6.1f} s")
    print(f"total     {t3 - t0:6.1f} s  (target < 60 s at 10,000 members)")
    print(
        f"needs {counts['needs']}, offers {counts['offers']}, interactions "
        f"{counts['interactions']} (helped {counts.get('helped', 0)}); "
        f"distinct need texts {needs.nunique() / max(1, len(needs)):.1%}"
    )
    print(f"imported: {result.counts}")


if __name__ == "__main__":
    main()
