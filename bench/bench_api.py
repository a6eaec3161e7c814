"""Load the match API under gunicorn on loopback: p50/p99 latency and req/s of member matches.

Usage: .venv/bin/python bench/bench_api.py [--members 10000 [100000 ...]] [--duration 30]
           [--users 8] [--rate 100] [--connections 2] [--workers 3]
           [--worker-class sync|gthread] [--threads 4] [--data bench/data]
           [--encoder all-MiniLM-L6-v2|hashing-384] [--port PORT]

For each size: prepares once, and keeps in DATA/demo-<size>/ for later runs (shared with
bench_engine.py), a demo community (`matcher demo-data --seed 7`) and its build (`matcher
build`, the real MiniLM encoder: the slow part, ~250k texts at 100k members; the text vectors
stay cached in the store), and a demo key. Then it starts `matcher serve` on a free loopback
port, warms every worker up, times the engine alone in-process for scale, and runs locust
headless twice, each for --duration s:
  max   --users users without pauses (the most the machine answers),
  rate  the same users paced to --rate requests/s in all (latency at that load).
Each user asks for a random demo member's matches 10 times for every /health (measured in the
same run for scale: the cost of the HTTP stack alone). Then, when `wrk` is installed (e.g.
`apt install wrk`), one closed-loop wrk run of --connections connections for --duration s
(then 5 s of /health on one connection): locust is Python and, on a small machine, takes
CPU from the server it measures and adds its own delays to the latencies; wrk barely does.
The rate limit is lifted for the run. Workers default to sync, one per core (as `matcher serve`).
The server's memory is read once every worker has answered (warm) and again after the
load: each process's RSS, PSS and USS and the total PSS of the master and its workers
(`served_memory.py`; RSS counts the pages workers share once per worker, PSS divides them).
Prints one table and writes it as JSON to bench/results/. Targets at 100k members on this
machine: matches p50 < 25 ms, p99 < 100 ms, >= 100 req/s.

This file is also the locustfile: locust imports it for `MatchesUser`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import demo_community
from locust import FastHttpUser, constant, constant_throughput, task
from served_memory import served_memory

from matcher.cli.serve import WORKER_CLASSES, default_workers

ROOT = demo_community.ROOT
BIN = Path(sys.executable).parent
MEMBERS_FILE = "bench-members.txt"


class MatchesUser(FastHttpUser):
    """A site asking for members' matches, and now and then for /health."""

    rate = float(os.environ.get("BENCH_RATE_PER_USER", "0"))
    wait_time = constant_throughput(rate) if rate > 0 else constant(0)

    def on_start(self) -> None:
        self.headers = {"X-API-Key": os.environ.get("BENCH_KEY", "")}
        path = os.environ.get("BENCH_MEMBERS")
        self.members = Path(path).read_text().split() if path else ["m000001"]

    @task(10)
    def matches(self) -> None:
        member = random.choice(self.members)
        self.client.get(f"/v1/members/{member}/matches", headers=self.headers, name="matches")

    @task(1)
    def health(self) -> None:
        self.client.get("/health", name="health")


def prepare_with_key(size: int, data: Path, env: dict[str, str]) -> dict[str, object]:
    """The shared community and build of this size (made when missing) and a demo key."""
    prepared = demo_community.prepare(data, env, size)
    took = {"community_seconds": prepared["community_seconds"]}
    print(f"  demo community: {prepared['community']} ({took['community_seconds']} s)")
    if not prepared["build_reused"]:
        took["build_seconds"] = prepared["manifest"]["timings"]["total_seconds"]
        print(f"  build: {took['build_seconds']} s")
    demo_community.run_matcher(env, "keys", "demo")
    return took


def sample_members(env: dict[str, str], data: Path, n: int = 2000) -> Path:
    """A file of active members with an open need, to ask matches for."""
    from sqlalchemy import select

    from matcher.config import Settings
    from matcher.db import close_store, open_store
    from matcher.store import Member, Post

    sessions = open_store(Settings.from_env(env), upgrade=False)
    with sessions() as session:
        ids = session.scalars(
            select(Member.external_id)
            .join(Post, Post.member_id == Member.id)
            .where(Member.active.is_(True), Post.side == "need", Post.status == "open")
            .distinct()
        ).all()
    close_store(sessions)
    path = data / MEMBERS_FILE
    path.write_text("\n".join(random.Random(7).sample(list(ids), min(n, len(ids)))))
    return path


def engine_alone(env: dict[str, str], members: list[str], n: int = 200) -> dict[str, float]:
    """Matcher.for_member in-process, no HTTP: p50/p99 ms, for scale."""
    import numpy as np

    from matcher.config import Settings
    from matcher.db import close_store, open_store
    from matcher.serving import CurrentMatcher

    settings = Settings.from_env(env)
    sessions = open_store(settings, upgrade=False)
    engine = CurrentMatcher(settings, sessions).get()
    times = []
    for member in random.Random(1).sample(members, min(n, len(members))):
        tick = time.perf_counter()
        engine.for_member(member)
        times.append((time.perf_counter() - tick) * 1000)
    close_store(sessions)
    p50, p99 = np.percentile(times, [50, 99])
    return {"p50_ms": round(float(p50), 1), "p99_ms": round(float(p99), 1), "calls": len(times)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, key: str = "") -> int:
    request = urllib.request.Request(url, headers={"X-API-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except OSError:
        return 0


def serve(env: dict[str, str], data: Path, port: int, args: argparse.Namespace):
    """`matcher serve` in the background, once /ready answers (logs in DATA/serve.log)."""
    log = (data / "serve.log").open("w")
    command = ["serve", "--port", str(port), "--workers", str(args.workers)]
    command += ["--worker-class", args.worker_class, "--threads", str(args.threads)]
    server = subprocess.Popen(
        [demo_community.MATCHER, *command],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 300
    while get(f"http://127.0.0.1:{port}/ready") != 200:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not get ready; see {data / 'serve.log'}")
        time.sleep(0.5)
    return server


def locust(base: str, env: dict[str, str], users: int, rate: float, seconds: int) -> dict:
    """Run locust headless against `base`; its stats per request name."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "run"
        run_env = {**env, "BENCH_RATE_PER_USER": str(rate / users if rate else 0)}
        options = ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "-H", base]
        output = ["--csv", str(prefix), "--loglevel", "WARNING", "--only-summary"]
        subprocess.run(
            [str(BIN / "locust"), "-f", __file__, "--headless", *options, *output],
            env=run_env,
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        with open(f"{prefix}_stats.csv", newline="") as file:
            rows = {row["Name"]: row for row in csv.DictReader(file)}
    return {
        name: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p99_ms": float(row["99%"]),
        }
        for name, row in rows.items()
        if name in ("matches", "health")
    }


WRK_SCRIPT = """
local members = {}
for line in io.lines(os.getenv("BENCH_MEMBERS")) do members[#members + 1] = line end
local key = os.getenv("BENCH_KEY")
math.randomseed(7)
request = function()
  local id = members[math.random(#members)]
  return wrk.format("GET", "/v1/members/" .. id .. "/matches", {["X-API-Key"] = key})
end
"""
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(url: str, env: dict[str, str], connections: int, seconds: int, script: str = "") -> dict:
    """One closed-loop wrk run (each connection sends its next request on an answer)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
        if script:
            path = Path(tmp) / "matches.lua"
            path.write_text(script)
            command += ["-s", str(path)]
        out = subprocess.run(
            [*command, url], env=env, capture_output=True, text=True, check=True
        ).stdout
    latency = {
        m.group(1): float(m.group(2)) * UNITS_MS[m.group(3)]
        for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)$", out, re.MULTILINE)
    }
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": requests,
        "failures": int(errors.group(1)) if errors else 0,
        "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),
        "p50_ms": round(latency["50"], 1),
        "p99_ms": round(latency["99"], 1),
    }


def memory_line(memory: dict) -> str:
    """The total PSS of a server and each process's RSS/PSS/USS, on one line (MiB)."""
    each = ", ".join(
        f"{p['pid']} {p['rss_mib']:.0f}/{p['pss_mib']:.0f}/{p['uss_mib']:.0f}"
        for p in memory["processes"]
    )
    return f"total PSS {memory['total_pss_mib']:.0f} MiB (RSS/PSS/USS MiB: {each})"


def bench_size(size: int, args: argparse.Namespace) -> dict:
    """Prepare, serve and load one community size."""
    data = demo_community.folder_of(size, args.data, args.encoder)
    data.mkdir(parents=True, exist_ok=True)
    env = demo_community.environment(
        data,
        MATCHER_ENCODER=args.encoder,
        MATCHER_RATE_LIMIT="1000000 per minute",
        MATCHER_SECRET_KEY=os.environ.get(
            "MATCHER_SECRET_KEY", "bench-secret-at-least-32-characters-long"
        ),
    )
    print(f"{size} members ({args.encoder}) in {data}")
    took = prepare_with_key(size, data, env)
    result: dict = {"members": size, "encoder": args.encoder, "prepare": took}
    members_file = sample_members(env, data)
    members = members_file.read_text().split()
    result["engine_alone"] = engine_alone(env, members)
    print(f"  engine alone (in-process, no HTTP): {result['engine_alone']}")
    key = (data / "var" / "demo-api-key").read_text().strip()
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(env, data, port, args)
    try:
        with ThreadPoolExecutor(2 * args.workers) as pool:  # every worker loads the build
            urls = [f"{base}/v1/members/{m}/matches" for m in members[: 20 * args.workers]]
            list(pool.map(lambda url: get(url, key), urls))
        result["memory_warm"] = served_memory(server.pid)
        print(f"  served memory once warm: {memory_line(result['memory_warm'])}")
        load_env = {**env, "BENCH_KEY": key, "BENCH_MEMBERS": str(members_file)}
        result["max"] = locust(base, load_env, args.users, 0, args.duration)
        result["rate"] = locust(base, load_env, args.users, args.rate, args.duration)
        if shutil.which("wrk") and args.connections:
            matches = wrk(base, load_env, args.connections, args.duration, WRK_SCRIPT)
            result["wrk"] = {"matches": matches, "health": wrk(f"{base}/health", load_env, 1, 5)}
        result["memory_loaded"] = served_memory(server.pid)
        print(f"  served memory after the load: {memory_line(result['memory_loaded'])}")
    finally:
        server.terminate()
        server.wait(timeout=60)
    return result


def main() -> None:
    """Run the benchmark and print one line per size, run and endpoint."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10_000])
    parser.add_argument("--duration", type=int, default=30, help="Seconds of each locust run.")
    parser.add_argument("--users", type=int, default=8, help="Concurrent locust users.")
    parser.add_argument("--rate", type=float, default=100, help="Total req/s of the paced run.")
    parser.add_argument(
        "--connections",
        type=int,
        default=os.cpu_count() or 1,
        help="Connections of the wrk run, when wrk is installed (0: no wrk run).",
    )
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--worker-class", choices=WORKER_CLASSES, default="sync")
    parser.add_argument("--threads", type=int, default=4, help="Threads per gthread worker.")
    parser.add_argument("--encoder", default="all-MiniLM-L6-v2")
    parser.add_argument(
        "--port", type=int, default=0, help="Port to serve on (default: a free one)."
    )
    parser.add_argument("--data", type=Path, default=demo_community.DATA)
    args = parser.parse_args()
    results = [bench_size(size, args) for size in args.members]
    print(
        f"\n{'members':>8} {'run':>5} {'endpoint':>8} {'req/s':>7} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'requests':>8} {'failed':>6}"
    )
    for r in results:
        for run in ("max", "rate", "wrk"):
            for name, s in r.get(run, {}).items():
                print(
                    f"{r['members']:>8} {run:>5} {name:>8} {s['rps']:>7} {s['p50_ms']:>7} "
                    f"{s['p99_ms']:>7} {s['requests']:>8} {s['failures']:>6}"
                )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"api-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(
        json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, indent=2
        )
    )
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
