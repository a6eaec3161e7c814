"""Time the weekly digest for a whole demo community in outbox mode (target: 100k members < 10 min).

Usage: .venv/bin/python bench/bench_digest.py [--members 100000] [--data DIR] [--encoder hashing]

The first run in a data folder generates the demo community (above 10k members: several
seeded 10k demo communities side by side), imports it and builds a model (setup, timed
apart); later runs reuse it (delete the folder, or --fresh, to start again).
The build uses the fast `hashing` encoder by default: MiniLM would spend ~10 minutes encoding
~250k texts before the digest starts, and the digest itself never encodes. Each run forgets
the week's ledger and outbox first, then times every phase of a full digest, and a rerun
(which must send nothing).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, func, select

from matcher.batch import candidate_table
from matcher.build import build_model
from matcher.config import Settings
from matcher.db import open_store
from matcher.digest.job import CANDIDATES_PER_MATCH, MIN_CANDIDATES, choose_week
from matcher.digest.ledger import explain_plan, message_id, record
from matcher.digest.mail import Outbox
from matcher.digest.plan import audience, choose
from matcher.digest.render import Renderer
from matcher.digest.send import deliver
from matcher.digest.workers import Workers
from matcher.embed import load_encoder
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.io import Frames
from matcher.store import Digest, DigestMatch, Member

PART = 10_000
WEEK = "2026-W48"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def community(members: int, seed: int, now: datetime) -> Frames:
    """The demo community; above PART members, seeded demo communities of PART side by side.

    `matcher.demo.generate` needs more than this machine's 24 GB at 100k members (it was
    OOM-killed at 23 GB) but 0.4 GB at 10k, so a big community is made of ten demo
    communities with their own seeds and prefixed ids; they share the towns, so they
    match across parts as one community would.
    """
    from matcher.demo import generate

    parts = []
    for k, lo in enumerate(range(0, members, PART)):
        frames = generate(min(PART, members - lo), seed + k, now=now).frames()
        parts.append(_prefixed(frames, f"c{k}-") if members > PART else frames)
    return Frames(
        members=pd.concat([p.members for p in parts], ignore_index=True),
        posts=pd.concat([p.posts for p in parts], ignore_index=True),
        interactions=pd.concat([p.interactions for p in parts], ignore_index=True),
    )


def _prefixed(frames: Frames, prefix: str) -> Frames:
    """The same community with every id (and every reference to one) prefixed."""

    def ids(column: pd.Series) -> pd.Series:
        return column.map(lambda v: None if v is None or v != v else f"{prefix}{v}")

    members = frames.members.assign(id=ids(frames.members["id"]))
    posts = frames.posts.assign(
        id=ids(frames.posts["id"]), member_id=ids(frames.posts["member_id"])
    )
    links = ("id", "from_member_id", "to_member_id", "need_id", "offer_id")
    interactions = frames.interactions.assign(**{c: ids(frames.interactions[c]) for c in links})
    return Frames(members=members, posts=posts, interactions=interactions)


def setup(settings: Settings, members: int, seed: int) -> None:
    """Generate, import and build the demo community once per data folder."""
    from matcher.io import import_frames

    sessions = open_store(settings)
    with sessions() as s:
        present = s.scalar(select(func.count()).select_from(Member)) or 0
    if present == 0:
        t = time.perf_counter()
        frames = community(members, seed, now=NOW - timedelta(days=4))
        print(f"setup: generated {members} members in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        import_frames(sessions, frames, source="bench_digest", clock=lambda: NOW - timedelta(1))
        print(f"setup: imported in {time.perf_counter() - t:.1f} s")
    if not (settings.models_dir / "current").exists():
        t = time.perf_counter()
        encoder = load_encoder(settings.encoder)
        build_model(sessions, encoder, settings, clock=lambda: NOW)
        print(f"setup: built with encoder {settings.encoder} in {time.perf_counter() - t:.1f} s")
    sessions.kw["bind"].dispose()


def phase(name: str, started: float, timings: dict[str, float]) -> float:
    """Record and print one phase's wall time and this process's CPU time; returns now."""
    now = time.perf_counter()
    timings[name] = now - started
    cpu = time.process_time()
    used, timings["cpu"] = cpu - timings.get("cpu", 0.0), cpu
    print(f"{name:<32} {timings[name]:7.1f} s   (main process CPU {used:6.1f} s)", flush=True)
    return now


def main() -> None:
    """Run the benchmark and print one line per phase, the fairness and the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=Path("var/bench_digest"))
    parser.add_argument("--encoder", default="hashing")
    parser.add_argument("--fresh", action="store_true", help="Start from an empty data folder.")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    folder = args.data / str(args.members)
    if args.fresh and folder.exists():
        shutil.rmtree(folder)
    settings = Settings.from_env(
        data_dir=folder / "var",
        models_dir=folder / "models",
        encoder=args.encoder,
        secret_key="bench-secret",
        database_url="",
    )
    setup(settings, args.members, args.seed)
    sessions = open_store(settings)
    outbox = settings.data_dir / "outbox" / WEEK
    with sessions.begin() as s:  # forget the last run of the week
        digests = select(Digest.id).where(Digest.week == WEEK)
        s.execute(delete(DigestMatch).where(DigestMatch.digest_id.in_(digests)))
        s.execute(delete(Digest).where(Digest.week == WEEK))
    shutil.rmtree(outbox, ignore_errors=True)

    timings: dict[str, float] = {"cpu": time.process_time()}
    start = t = time.perf_counter()
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings)
    t = phase("load build", t, timings)
    with sessions() as s:
        people = audience(s, WEEK, settings)
    t = phase("audience", t, timings)
    per_member = max(MIN_CANDIDATES, CANDIDATES_PER_MATCH * settings.digest_matches)
    table = candidate_table(matcher, per_member=per_member)
    t = phase(f"candidate pairs ({len(table)})", t, timings)
    with sessions() as s:
        plan = choose(s, people, table, settings, now=NOW)
    t = phase("fair allocation + baseline", t, timings)
    external = dict(zip(people.members["id"].tolist(), people.members["external_id"], strict=True))
    ids = {m: message_id(external[m], WEEK, settings.mail_from) for m in plan.seekers.tolist()}

    renderer = Renderer(settings)
    with Workers(settings, args.workers, renderer) as pool:
        chosen = explain_plan(plan, external, pool.explain_for(matcher), lambda n=1: None)
        recorded = record(sessions, WEEK, chosen, ids, lambda: NOW)
        t = phase(f"explain + record ({recorded})", t, timings)
        result = deliver(
            sessions, WEEK, renderer, Outbox(outbox), now=lambda: NOW, render=pool.render
        )
        t = phase(f"deliver to outbox ({result.sent})", t, timings)
    total = t - start
    workers_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = workers_cpu.ru_utime + workers_cpu.ru_stime
    rerun = time.perf_counter()
    again = choose_week(sessions, lambda: matcher, settings, WEEK, now=lambda: NOW)
    repeat = deliver(sessions, WEEK, Renderer(settings), Outbox(outbox), now=lambda: NOW)
    assert again.recorded == 0 and repeat.sent == 0, "a rerun must send nothing"
    rerun = time.perf_counter() - rerun

    fair, top = plan.fair, plan.unconstrained
    print()
    print(f"members {len(people.members)}, getting an email {len(people.recipients)}, ")
    print(f"digests sent {result.sent}, matches {len(plan.chosen)}, short of N {plan.short}")
    print(f"{'':24}{'fair':>10}{'top-N':>10}")
    print(f"{'exposure Gini':24}{fair.exposure_gini:10.3f}{top.exposure_gini:10.3f}")
    print(f"{'suggested at least once':24}{fair.coverage:10.1%}{top.coverage:10.1%}")
    print(f"{'mean score':24}{fair.mean_score:10.3f}{top.mean_score:10.3f}")
    print(f"{'suggestions':24}{fair.suggestions:10d}{top.suggestions:10d}")
    print()
    minutes = f"{total / 60:.1f} min; target < 10 min"
    print(f"digest total: {total:.1f} s ({minutes}) with {args.workers} worker processes")
    print(f"CPU: main process {time.process_time():.1f} s, worker processes {workers_cpu:.1f} s")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"rerun (nothing to send): {rerun:.1f} s")
    sessions.kw["bind"].dispose()


if __name__ == "__main__":
    main()
