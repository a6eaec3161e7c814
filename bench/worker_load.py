"""What an API worker pays to load the current build: seconds, resident memory, and whether it
read the gazetteer's list of towns.

Usage: MATCHER_DATA_DIR=... MATCHER_MODELS_DIR=... .venv/bin/python bench/worker_load.py [MEMBER]

Loads models/current as a worker does (`CurrentMatcher`), then asks for one member's matches
(default: the first member of the build), and prints the time of each step and the process's
resident memory (psutil) after them.
"""

from __future__ import annotations

import argparse
import time

import psutil

from matcher import gazetteer
from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.engine import Filters
from matcher.serving import CurrentMatcher


def main() -> None:
    """Run the benchmark and print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("member", nargs="?", help="external id (default: the build's first)")
    args = parser.parse_args()
    settings = Settings.from_env()
    sessions = open_store(settings)
    tick = time.perf_counter()
    matcher = CurrentMatcher(settings, sessions).get()
    load = time.perf_counter() - tick
    member = args.member or matcher.index.member_external[0]
    tick = time.perf_counter()
    matcher.for_member(member, limit=10, direction="both", filters=Filters())
    first = time.perf_counter() - tick
    read = gazetteer._towns.cache_info().currsize > 0
    print(
        f"load {load:.2f} s, first request {first:.2f} s, "
        f"resident {psutil.Process().memory_info().rss / 1e6:.0f} MB, "
        f"town list read: {'yes' if read else 'no'}"
    )
    close_store(sessions)


if __name__ == "__main__":
    main()
