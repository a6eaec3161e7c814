"""How good the served lists of a demo community are, judged by the demo's hidden truth.

Usage: .venv/bin/python bench/served_truth.py [--members N] [--seed S]

Reads the store and the current build where `MATCHER_DATA_DIR` and `MATCHER_MODELS_DIR` point
(a demo community made by `matcher demo-data`, whose hidden truth is `<data-dir>/demo/truth.json`,
and built by `matcher build`), so any setting (`MATCHER_RECIPROCAL_OPERATOR`, ...) can be
compared by running it twice. For a seeded sample of members with open needs, it asks for
their "helps_you" list (`Matcher.for_member`, as the API and the CLI do) and scores each
person listed by the demo's truth: their compatibility with the member's most compatible open
need (role x genre x distance x reliability, 0 to 1; a good match from 0.4). It prints, over
the first 10 of each list: the mean compatibility, the share of good matches, NDCG@10 with
compatibility as the gain (against the best 10 of the whole community), and the share of
people listed whose compatibility is 0 (no use at all); and the same for a list in the
community's order of the truth itself (the best possible) and for a random list.

With `--typed`, it judges typed searches instead (`Matcher.for_text`, as `POST /v1/search`
and `matcher match --text` ask): each sampled member's first open need, its words typed as a
need of anyone's in the member's town (the member searching, so not listed), and the people
listed scored by the truth against that need alone. A typed need has no seeker and no history,
so the ranker never scored it: its list is the content score's, blended with the learned scores
of the built needs most like it (`matcher.transfer`), unlike a member's.
"""

from __future__ import annotations

import argparse
import random

import numpy as np
from sklearn.metrics import ndcg_score
from sqlalchemy import select

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.demo.truth import GOOD_MATCH, DemoTruth
from matcher.engine import Filters
from matcher.serving import CurrentMatcher
from matcher.store import Member, Post

K = 10
SERVED_WITHIN = 3  # needs served: by someone in the first 3, as many as an email holds


def main() -> None:
    """Run the benchmark and print one line per list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300, help="members sampled (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--typed", action="store_true", help="judge typed searches of the needs' words instead"
    )
    args = parser.parse_args()
    settings = Settings.from_env()
    truth = DemoTruth.load(settings.data_dir / "demo" / "truth.json")
    sessions = open_store(settings)
    matcher = CurrentMatcher(settings, sessions).get()  # as the API serves it
    with sessions() as session:
        rows = session.execute(
            select(Member.external_id, Post.external_id, Post.text, Member.town)
            .join(Post, Post.member_id == Member.id)
            .where(Member.active, Post.side == "need", Post.status == "open")
            .order_by(Post.id)
        ).all()
        active = set(session.scalars(select(Member.external_id).where(Member.active)))
    needs: dict[str, list[str]] = {}
    typed: dict[str, tuple[str, str]] = {}  # member -> their first open need's words, town
    for member, post, text, town in rows:
        needs.setdefault(member, []).append(post)
        typed.setdefault(member, (text, town))
    seekers = sorted(needs)
    seekers = random.Random(args.seed).sample(seekers, min(args.members, len(seekers)))
    allowed = np.array([m in active for m in truth.member_ids])
    rng = np.random.default_rng(args.seed)
    names = ("served", "best possible", "random")
    listed: dict[str, list[np.ndarray]] = {name: [] for name in names}
    ndcg: dict[str, list[float]] = {name: [] for name in names}
    served_needs = {name: [] for name in names}  # of members with several needs
    for seeker in seekers:
        if args.typed:
            per_need = np.array([truth.scores(needs[seeker][0])])
            text, town = typed[seeker]
            served = matcher.for_text(text, town=town or None, limit=K, searcher=seeker)
        else:
            per_need = np.array([truth.scores(p) for p in needs[seeker]])
            served = matcher.for_member(seeker, limit=K, direction="helps_you", filters=Filters())
        gain = per_need.max(axis=0)
        mask = allowed.copy()
        mask[truth.member_index(seeker)] = False
        others = np.flatnonzero(mask)
        orders = {
            "served": np.array([truth.member_index(m.member_id) for m in served], dtype=int),
            "best possible": others[np.argsort(-gain[others], kind="stable")][:K],
            "random": rng.permutation(others)[:K],
        }
        for name, order in orders.items():
            listed[name].append(gain[order])
            if len(per_need) > 1:  # each need that someone could serve well: is it served?
                servable = (per_need[:, others] >= GOOD_MATCH).any(axis=1)
                served_needs[name] += (
                    (per_need[:, order[:SERVED_WITHIN]] >= GOOD_MATCH)
                    .any(axis=1)[servable]
                    .tolist()
                )
            rank_score = np.zeros(len(gain))  # the listed first, in order; the rest tied
            rank_score[order] = np.arange(len(order), 0, -1)
            ndcg[name].append(ndcg_score([gain[others]], [rank_score[others]], k=K))
    what = "typed search of their first open need" if args.typed else "'helps_you' list"
    print(f"{len(seekers)} members with open needs; the first {K} of each {what}")
    served_column = "" if args.typed else "  needs served"  # one need each when typed
    print(f"{'list':>14}  mean compat  good (>={GOOD_MATCH})  NDCG@{K}  no use (0){served_column}")
    for name in names:
        flat = np.concatenate(listed[name])
        served = np.mean(served_needs[name]) if served_needs[name] else float("nan")
        print(
            f"{name:>14}  {flat.mean():11.3f}  {np.mean(flat >= GOOD_MATCH):13.3f}"
            f"  {np.mean(ndcg[name]):7.3f}  {np.mean(flat == 0):10.3f}"
            + ("" if args.typed else f"  {served:12.3f}")
        )
    if args.typed:
        close_store(sessions)
        return
    several = sum(len(needs[s]) > 1 for s in seekers)
    print(
        f"needs served: of the open needs of the {several} members with several, those "
        f"someone in the community could serve well (>={GOOD_MATCH}), the share with such a "
        f"person in the first {SERVED_WITHIN}"
    )
    close_store(sessions)


if __name__ == "__main__":
    main()
