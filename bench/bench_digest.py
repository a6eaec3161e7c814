"""Time the weekly digest for a whole demo community in outbox mode (target: 100k members < 10 min).

Usage: .venv/bin/python bench/bench_digest.py [--members 100000] [--data bench/data] [--workers 2]

Uses the demo community of DATA/demo-<members>/ shared with bench_engine.py and bench_api.py,
made there when missing (`matcher demo-data --seed 7 --if-empty`, `matcher build --if-stale`,
with the configured encoder; the build is the slow part at 100k members, timed apart). Each
run forgets this week's ledger and outbox first, then times every phase of a full digest for
the current ISO week, and a rerun (which must send nothing).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from demo_community import DATA, environment, folder_of, prepare
from sqlalchemy import delete, select

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.digest.job import choose_week, week_candidates
from matcher.digest.ledger import explain_plan, message_id, record
from matcher.digest.mail import Outbox
from matcher.digest.plan import audience, choose
from matcher.digest.render import Renderer
from matcher.digest.send import deliver
from matcher.digest.workers import Workers
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.store import Digest, DigestMatch

NOW = datetime.now(UTC)
WEEK = f"{NOW.isocalendar().year}-W{NOW.isocalendar().week:02d}"


def setup(folder: Path, members: int, seed: int) -> None:
    """The demo community and its build, made only when missing (shared with the other benches)."""
    t = time.perf_counter()
    prepared = prepare(folder, environment(folder), members, seed)
    reused = "reused" if prepared["build_reused"] else "made"
    print(f"setup: community and build ({reused}) in {time.perf_counter() - t:.1f} s", flush=True)


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
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    folder = folder_of(args.members, args.data)
    setup(folder, args.members, args.seed)
    settings = Settings.from_env(
        data_dir=folder / "var",
        models_dir=folder / "models",
        secret_key="bench-secret-at-least-32-characters-long",
        database_url="",
    )
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
        people = audience(s, WEEK, settings, NOW)
    t = phase("audience", t, timings)
    table = week_candidates(sessions, matcher, settings, WEEK)  # as the weekly job reads them
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
    print(f"members {len(people.members)}, wanting the email {len(people.recipients)}, ")
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
    close_store(sessions)


if __name__ == "__main__":
    main()
