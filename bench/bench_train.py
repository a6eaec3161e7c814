"""Benchmark the ranker and the pair features (a script, not a test).

    .venv/bin/python bench/bench_train.py [--pairs 100000] [--members 100000] [--demo 10000]

1. Training: `Ranker.fit` on PAIRS labelled pairs (queries of 20 candidates, one helper each,
   every feature column filled). Target: under 2 minutes on the 2-core machine.
2. With --demo N, training on real pair features too: those a build trains on, of a demo
   community of N members (`matcher demo-data --seed 7`, kept in bench/data/demo-N/ and shared
   with the other benches; its texts encoded once through the store's cache): how long their
   features take, then `Ranker.fit` on the most recent PAIRS of them (whole needs, each
   against its 200 nearest members). Real features are harder to fit than the synthetic ones
   of 1 (correlated, heavy-tailed, rarer positives). With --edited SHARE, the features
   again with that share of the posts reworded and of the members moved once since they
   were posted or joined (`with_edits`), which the replay applies at their times.
3. Serving: build the member state of a synthetic community of MEMBERS members (3 posts and
   3 helps each on average, 384-dim vectors), save and load it, then time `pair_features` of
   one need against 200 candidates (p50/p99). Target: a few milliseconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import demo_community  # bench/: the benches' shared demo communities
import numpy as np
import pandas as pd

from matcher.features import FEATURE_NAMES, MemberState, make_need, member_state, pair_features
from matcher.features.pairs import COLUMN
from matcher.rank import Ranker
from matcher.snapshot import Community

VOCABULARY = (
    "drummer bass guitar vocals mixing mastering studio venue gig poster design photo video "
    "shoegaze punk folk jazz techno indie metal leeds bristol dublin toronto tour label pr "
    "synth keys producer engineer rehearsal room van lights sound merch"
)
WORDS = np.array(VOCABULARY.split())


def bench_training(pairs: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    size = 20
    n_queries = pairs // size
    X = rng.normal(size=(n_queries * size, len(FEATURE_NAMES)))
    X[rng.random(X.shape) < 0.05] = np.nan  # some missing values, as in real features
    y = np.zeros(len(X), dtype=int)
    helpers = np.arange(n_queries) * size + rng.integers(0, size, n_queries)
    y[helpers] = 1
    X[helpers, COLUMN["sim_best"]] += 1.5
    X[helpers, COLUMN["log_days_since_help"]] -= 1.0
    groups = np.repeat(np.arange(n_queries), size)
    print(
        f"training: {len(X):,} labelled pairs ({n_queries:,} queries, {int(y.sum()):,} positives), "
        f"{len(FEATURE_NAMES)} features: {_timed_fit(X, y, groups)}"
    )


def _timed_fit(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> str:
    """How long `Ranker.fit` takes on these rows, and what it chose, as the bench prints it."""
    start = time.perf_counter()
    ranker = Ranker().fit(X, y, groups)
    took = time.perf_counter() - start
    return (
        f"fit {took:.1f} s (Cs={ranker.Cs}, validation MRR {ranker.validation_mrr_:.3f}); "
        "target < 120 s"
    )


def with_edits(community: Community, share: float, seed: int = 7) -> Community:
    """`community` as if `share` of its posts had been reworded, and `share` of its members
    had moved, once each at a random time since they were posted or joined (before the last
    post): what each said before is another post's text and tags of the same side, where
    they lived before another member's town."""
    rng = np.random.default_rng(seed)
    posts, members = community.posts, community.members
    end = posts["created_at"].max()
    edited = posts.iloc[rng.choice(len(posts), round(share * len(posts)), replace=False)]
    of_side = {side: posts.index[posts["side"] == side] for side in posts["side"].unique()}
    before = posts.loc[[rng.choice(of_side[side]) for side in edited["side"]]]
    when = edited["created_at"] + (end - edited["created_at"]) * rng.random(len(edited))
    post_revisions = pd.DataFrame(
        {
            "post_id": edited.index,
            "replaced_at": when.to_numpy(),
            "text": before["text"].to_numpy(),
            "tags": before["tags"].to_numpy(),
        }
    )
    moved = members.iloc[rng.choice(len(members), round(share * len(members)), replace=False)]
    earlier = members.iloc[rng.choice(len(members), len(moved))]
    since = moved["joined_at"].where(moved["joined_at"] < end, end)
    member_revisions = pd.DataFrame(
        {
            "member_id": moved.index,
            "replaced_at": (since + (end - since) * rng.random(len(moved))).to_numpy(),
            **{f: earlier[f].to_numpy() for f in ("town", "country", "latitude", "longitude")},
            "tags": moved["tags"].to_numpy(),
            "capacity": moved["capacity"].to_numpy(),
        }
    )
    return Community.from_frames(
        members, posts, community.interactions, post_revisions, member_revisions
    )


def bench_training_on_demo(pairs: int, members: int, data: Path, edited: float = 0.0) -> None:
    """`Ranker.fit` on the most recent `pairs` of the rows a build of a demo community of
    `members` trains on, after timing their features (and with `edited` of its posts and
    members edited since, `with_edits`, their features again)."""
    from matcher.config import Settings
    from matcher.db import open_store
    from matcher.embed import CachedEncoder, configured_encoder
    from matcher.features import training_set
    from matcher.geo import member_points
    from matcher.snapshot import load_community

    folder = demo_community.folder_of(members, data)
    env = demo_community.environment(folder)
    demo_community.run_matcher(
        env, "demo-data", "--members", str(members), "--seed", "7", "--if-empty"
    )
    settings = Settings.from_env(env)
    sessions = open_store(settings)
    with sessions() as session:
        community = load_community(session)
    start = time.perf_counter()
    texts = community.texts()
    vectors = CachedEncoder(configured_encoder(settings), sessions).encode(texts)
    encoded = time.perf_counter() - start
    at = pd.Timestamp(community.posts["created_at"].max())
    # The gazetteer's tables are read once a process, by the first towns looked up: not a
    # part of either timing of the features below.
    some = community.members.head(200)
    nowhere = np.full(len(some), np.nan)
    member_points(some["town"], some["country"], nowhere, nowhere)
    start = time.perf_counter()
    rows = training_set(community, vectors, at=at, candidates=settings.candidates_per_need)
    featured = time.perf_counter() - start
    # The most recent whole needs whose candidates make up `pairs` rows (or all there are).
    sizes = np.bincount(rows.groups)
    first = max(int(np.searchsorted(np.cumsum(sizes[::-1]), pairs)), 0)
    keep = rows.groups >= len(sizes) - 1 - first
    X, y, groups = rows.X[keep], rows.y[keep], rows.groups[keep]
    print(
        f"training on a {members:,}-member demo's real features: texts {encoded:.1f} s "
        f"({len(texts):,}, through the store's cache), features of {len(rows.y):,} labelled "
        f"pairs ({len(sizes):,} needs) {featured:.1f} s; the most recent {len(y):,} pairs "
        f"({len(np.unique(groups)):,} needs, {int(y.sum()):,} positives), "
        f"{len(FEATURE_NAMES)} features: {_timed_fit(X, y, groups)}"
    )
    if edited:
        changed = with_edits(community, edited)
        vectors = CachedEncoder(configured_encoder(settings), sessions).encode(changed.texts())
        start = time.perf_counter()
        rows = training_set(changed, vectors, at=at, candidates=settings.candidates_per_need)
        print(
            f"  with {len(changed.post_revisions):,} posts reworded and "
            f"{len(changed.member_revisions):,} members moved since (`with_edits`): features "
            f"of {len(rows.y):,} labelled pairs {time.perf_counter() - start:.1f} s"
        )


def synthetic_community(members: int, seed: int = 0) -> tuple[Community, np.ndarray]:
    rng = np.random.default_rng(seed)
    now = pd.Timestamp("2025-01-01", tz="UTC")
    ids = np.arange(1, members + 1)
    member_frame = pd.DataFrame(
        {
            "external_id": [f"m{i}" for i in ids],
            "name": "member",
            "kind": "artist",
            "town": rng.choice(["leeds", "bristol", "dublin", "toronto"], members),
            "country": None,
            "latitude": rng.uniform(50, 55, members),
            "longitude": rng.uniform(-3, 0, members),
            "tags": [list(rng.choice(WORDS, 3)) for _ in ids],
            "bio": None,
            "capacity": 3,
            "active": True,
            "share_contact": False,
            "joined_at": now - pd.Timedelta(days=400),
            "last_active_at": pd.NaT,
        },
        index=pd.Index(ids, name="id"),
    )
    n_posts = members * 3
    post_ids = np.arange(1, n_posts + 1)
    sides = np.where(rng.random(n_posts) < 0.5, "need", "offer")
    texts = [" ".join(rng.choice(WORDS, 8)) for _ in post_ids]
    posts = pd.DataFrame(
        {
            "external_id": [f"p{i}" for i in post_ids],
            "member_id": rng.choice(ids, n_posts),
            "side": sides,
            "text": texts,
            "tags": [list(rng.choice(WORDS, 2)) for _ in post_ids],
            "status": "open",
            "created_at": now - pd.to_timedelta(rng.uniform(30, 400, n_posts), unit="D"),
            "expires_at": pd.NaT,
            "updated_at": now,
        },
        index=pd.Index(post_ids, name="id"),
    )
    n_events = members * 3
    needs = post_ids[sides == "need"]
    events = pd.DataFrame(
        {
            "external_id": [f"i{i}" for i in range(n_events)],
            "kind": rng.choice(["helped", "contacted", "accepted", "declined"], n_events),
            "from_member_id": rng.choice(ids, n_events),
            "to_member_id": rng.choice(ids, n_events),
            "need_post_id": rng.choice(needs, n_events),
            "offer_post_id": None,
            "occurred_at": now - pd.to_timedelta(rng.uniform(0, 30, n_events), unit="D"),
        },
        index=pd.Index(np.arange(n_events), name="id"),
    )
    vectors = rng.normal(size=(n_posts, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return Community.from_frames(member_frame, posts, events), vectors


def bench_serving(members: int, repeats: int = 300) -> None:
    start = time.perf_counter()
    community, vectors = synthetic_community(members)
    made = time.perf_counter() - start
    now = pd.Timestamp("2025-01-01", tz="UTC")
    start = time.perf_counter()
    state = member_state(community, vectors, now)
    built = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        path = state.save(folder)
        size_mb = os.path.getsize(path) / 2**20
        start = time.perf_counter()
        state = MemberState.load(folder)
        loaded = time.perf_counter() - start
    rng = np.random.default_rng(1)
    times = []
    for _ in range(repeats):
        candidates = rng.choice(community.members.index.to_numpy(), 200, replace=False)
        need = make_need("need a shoegaze drummer in leeds", vectors[0], ["drummer"], seeker=1)
        t0 = time.perf_counter()
        pair_features(state, need, candidates, now)
        times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(
        f"serving: {members:,} members, {len(community.posts):,} posts, "
        f"{len(community.interactions):,} interactions (made in {made:.1f} s)\n"
        f"  member state built in {built:.1f} s, saved {size_mb:.0f} MiB, "
        f"loaded in {loaded:.2f} s\n"
        f"  pair_features of one need x 200 candidates: p50 {np.percentile(ms, 50):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms\n"
        f"  peak memory of this process {peak:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument(
        "--demo",
        type=int,
        metavar="MEMBERS",
        help="also train on the real features of a demo community of this size (e.g. 10000)",
    )
    parser.add_argument(
        "--edited",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="with --demo, the features again with this share of posts and members edited",
    )
    parser.add_argument("--data", type=Path, default=demo_community.DATA)
    args = parser.parse_args()
    bench_training(args.pairs)
    if args.demo:
        bench_training_on_demo(args.pairs, args.demo, args.data, args.edited)
    bench_serving(args.members)


if __name__ == "__main__":
    main()
