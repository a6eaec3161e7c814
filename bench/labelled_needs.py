"""How a hand-labelled community's needs are answered: its members' own lists and typed searches.

Usage:
    export MATCHER_DATA_DIR=/tmp/stroud/var MATCHER_MODELS_DIR=/tmp/stroud/models
    .venv/bin/matcher import bench/communities/stroud/*.csv
    .venv/bin/matcher build
    .venv/bin/python bench/labelled_needs.py bench/communities/stroud

Reads the store and the current build where the settings point (a community imported from the
folder's files and built), and the folder's `labels.json`: for each labelled need (post id),
the members a musician judged could really help with it. A new user wrote the Stroud community
(40 members of Stroud, Gloucester, Cheltenham, Nailsworth and Bristol) and labelled 34 of its
needs, so that a change to the content score can be measured on words people would write,
beside the demo community's hidden truth (`bench/served_truth.py`). For each need it asks, as
the API does, the member's own list (`Matcher.for_member`, the matches answering that need:
`answers`) and a typed search of its words, tags and the member's town (`Matcher.for_text`,
the member searching), and prints: the MRR of the first right helper, how often they come
first, how often the first right helper scores below 0.5 (the weekly email's bar), and the
members not labelled right who score 0.8 or more among the first 10 (a need of a member with
several labelled needs counts the helpers of all of them as right).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.engine import Match
from matcher.serving import CurrentMatcher

LIMIT = 40
SUSPECT = 0.8  # a wrong member scoring this much reads as a sure answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="members.csv, posts.csv and labels.json")
    args = parser.parse_args()
    labels = {need: set(right) for need, right in _read_labels(args.folder).items()}
    posts = {row["id"]: row for row in _rows(args.folder / "posts.csv")}
    towns = {row["id"]: row["town"] for row in _rows(args.folder / "members.csv")}
    right_of: dict[str, set[str]] = {}
    for need, right in labels.items():
        right_of.setdefault(posts[need]["member_id"], set()).update(right)

    settings = Settings.from_env()
    sessions = open_store(settings, upgrade=False)
    try:
        matcher = CurrentMatcher(settings, sessions).get()  # as the API serves it
        lists, typed = [], []
        for need, right in labels.items():
            post = posts[need]
            member = post["member_id"]
            own = [
                m
                for m in matcher.for_member(member, limit=LIMIT)
                if ((m.answers or {}).get("need") or {}).get("id") == need
            ]
            searched = matcher.for_text(
                post["text"],
                tags=[t for t in post["tags"].split(";") if t],
                town=towns[member],
                limit=LIMIT,
                searcher=member,
            )
            lists.append((own, right, right_of[member]))
            typed.append((searched, right, right_of[member]))
    finally:
        close_store(sessions)
    print(f"{len(labels)} labelled needs of {len(right_of)} members")
    for name, judged in (("members' own lists", lists), ("typed searches", typed)):
        print(f"{name}: " + _summary(judged))


def _summary(judged: list[tuple[list[Match], set[str], set[str]]]) -> str:
    reciprocal, first, below, wrong = [], 0, 0, 0
    for matches, right, right_for_member in judged:
        rank = next((i for i, m in enumerate(matches, 1) if m.member_id in right), None)
        reciprocal.append(1 / rank if rank else 0.0)
        first += rank == 1
        below += rank is not None and matches[rank - 1].score < 0.5
        wrong += sum(
            m.member_id not in right_for_member and m.score >= SUSPECT for m in matches[:10]
        )
    mrr = sum(reciprocal) / len(reciprocal)
    return (
        f"MRR {mrr:.3f}, right helper first {first}, first right helper below 0.5 {below}, "
        f"members not labelled right at {SUSPECT} or more in the first 10: {wrong}"
    )


def _read_labels(folder: Path) -> dict[str, list[str]]:
    return json.loads((folder / "labels.json").read_text(encoding="utf-8"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


if __name__ == "__main__":
    main()
