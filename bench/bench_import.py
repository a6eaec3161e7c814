"""Time `import_files` on 10,000 members, 30,000 posts and 100,000 interactions (target: < 30 s).

Usage: .venv/bin/python bench/bench_import.py [--members N] [--format csv|json|jsonl]
                                              [--database-url URL]
Writes synthetic files and a SQLite store into a temporary folder (or uses the empty database
at URL, e.g. PostgreSQL's), imports twice (the second import must find every row unchanged),
and prints the time of each phase.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.domain import INTERACTION_KINDS, MEMBER_KINDS, SEEKER_END
from matcher.io import Frames, import_files, write_files

WORDS = [
    "drummer",
    "bass",
    "mix",
    "master",
    "gig",
    "poster",
    "tour",
    "van",
    "studio",
    "shoegaze",
    "folk",
    "punk",
    "synth",
    "video",
]
TOWNS = ["Leeds", "Bristol", "Glasgow", "Dublin", "Toronto", "Portland", "Manchester", "Cork"]


def synthetic(members: int, seed: int = 0) -> Frames:
    """A community of random but valid rows: posts = 3 x members, interactions = 10 x members."""
    rng = np.random.default_rng(seed)
    n_posts, n_inter = 3 * members, 10 * members
    start = pd.Timestamp("2025-01-01", tz="UTC")
    m = pd.DataFrame(
        {
            "id": [f"m{i}" for i in range(members)],
            "name": [f"Member {i}" for i in range(members)],
            "kind": rng.choice(MEMBER_KINDS, members),
            "town": rng.choice(TOWNS, members),
            "country": "UK",
            "latitude": rng.uniform(50, 58, members).round(5),
            "longitude": rng.uniform(-6, 1, members).round(5),
            "tags": [list(rng.choice(WORDS, 2, replace=False)) for _ in range(members)],
            "email": [f"m{i}@example.org" for i in range(members)],
            "email_consent": rng.random(members) < 0.7,
            "capacity": rng.integers(0, 6, members),
            "joined_at": start + pd.to_timedelta(rng.integers(0, 365 * 86400, members), "s"),
        }
    )
    sides = rng.choice(["need", "offer"], n_posts)
    p = pd.DataFrame(
        {
            "id": [f"p{j}" for j in range(n_posts)],
            "member_id": [f"m{i}" for i in rng.integers(0, members, n_posts)],
            "side": sides,
            "text": [" ".join(rng.choice(WORDS, 12)) for _ in range(n_posts)],
            "tags": [list(rng.choice(WORDS, 2, replace=False)) for _ in range(n_posts)],
            "created_at": start + pd.to_timedelta(rng.integers(0, 365 * 86400, n_posts), "s"),
        }
    )
    # Each interaction is about a seeker's need and a helper's offer, as an import requires.
    owner = p["member_id"].to_numpy()
    need = rng.choice(np.flatnonzero(sides == "need"), n_inter)
    offer = rng.choice(np.flatnonzero(sides == "offer"), n_inter)
    seeker, helper = owner[need], owner[offer]
    mine = seeker == helper  # their own offer: about the need only, with someone else
    helper = np.where(mine, [f"m{(int(x[1:]) + 1) % members}" for x in seeker], helper)
    kinds = rng.choice(INTERACTION_KINDS, n_inter)
    seeker_first = np.array([SEEKER_END.get(k, "from") == "from" for k in kinds])
    i = pd.DataFrame(
        {
            "id": [f"i{k}" for k in range(n_inter)],
            "kind": kinds,
            "from_member_id": np.where(seeker_first, seeker, helper),
            "to_member_id": np.where(seeker_first, helper, seeker),
            "need_id": p["id"].to_numpy()[need],
            "offer_id": np.where(mine, None, p["id"].to_numpy()[offer]),
            "occurred_at": start + pd.to_timedelta(rng.integers(0, 365 * 86400, n_inter), "s"),
        }
    )
    return Frames(members=m, posts=p, interactions=i)


def timed_import(sessions, folder: Path) -> tuple[float, dict]:
    """Import `folder`, printing the time of each phase; returns the total and the counts."""
    marks: list[tuple[str, float]] = []
    began = time.perf_counter()
    result = import_files(sessions, [folder], step=lambda s: marks.append((s, time.perf_counter())))
    total = time.perf_counter() - began
    marks.append(("done", began + total))
    for (name, at), (_, end) in itertools.pairwise(marks):
        print(f"  {name:<26}{end - at:7.2f} s")
    return total, result.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--format", default="csv", choices=["csv", "json", "jsonl"])
    parser.add_argument("--database-url", default="", help="an empty store [default: SQLite]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        frames = synthetic(args.members)
        write_files(frames, folder, args.format)
        print(f"{frames.counts()} as {args.format}")
        settings = Settings(data_dir=Path(tmp) / "var", database_url=args.database_url)
        print(f"store: {settings.database_shown}")
        sessions = open_store(settings)
        first, counts = timed_import(sessions, folder)
        print(f"first import: {first:.1f} s  {counts}")
        second, counts = timed_import(sessions, folder)
        assert all(c["inserted"] == c["updated"] == 0 for c in counts.values()), counts
        print(f"second import (all unchanged): {second:.1f} s")
        close_store(sessions)


if __name__ == "__main__":
    main()
