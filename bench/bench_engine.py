"""Benchmark of the match engine: build time, encoding rate, match latency and serving memory.

Builds demo communities (default 10k and 100k members) with the default encoder and reports,
for each: the build's wall time and texts encoded per second; one member's match latency
(p50/p99 over random members, text encoding excluded: members' texts are encoded at build
time); the serving process's resident and peak memory. The store, its vector cache and the
builds are kept in --data between runs: a second run reuses the build when the store has not
changed (reporting the build's own figures from its manifest; --rebuild builds again, re-encoding
nothing), and the encoding rate is always measured on a fresh sample of texts in a separate step.

    .venv/bin/python bench/bench_engine.py                 # 10k and 100k members
    .venv/bin/python bench/bench_engine.py --members 10000 --queries 500
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from demo_community import DATA, ROOT, environment, folder_of, prepare, run

SERVE_PROBE = r"""
import json, resource, sys, time
import numpy as np
from matcher.config import Settings
from matcher.db import open_store
from matcher.engine import Matcher
from matcher.index import BuildIndex

def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

settings = Settings.from_env()
sessions = open_store(settings, upgrade=False)
start = time.perf_counter()
index = BuildIndex.load(settings.models_dir)
matcher = Matcher(index, sessions, settings)
load_s = time.perf_counter() - start
rng = np.random.default_rng(0)
members = rng.choice(index.member_external, size=int(sys.argv[1]), replace=False)
matcher.for_member(members[0])
times, found = [], 0
for member in members:
    t = time.perf_counter()
    found += len(matcher.for_member(member, limit=10))
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({
    "load_seconds": round(load_s, 2),
    "queries": len(times),
    "mean_matches": round(found / len(times), 1),
    "p50_ms": round(float(np.percentile(times, 50)), 2),
    "p99_ms": round(float(np.percentile(times, 99)), 2),
    "rss_mib": round(rss_mib(), 1),
    "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}))
"""

ENCODE_PROBE = r"""
import json, sys, time
import numpy as np
import pandas as pd
from matcher.embed import load_encoder
texts = pd.read_csv(sys.argv[1], usecols=["text"])["text"].sample(int(sys.argv[2]), random_state=0)
texts = texts.tolist()
out, vectors = {"texts": len(texts)}, {}
for precision in ("float32", "auto"):
    encoder = load_encoder("all-MiniLM-L6-v2", precision=precision)
    encoder.encode(texts[:64])
    start = time.perf_counter()
    vectors[precision] = encoder.encode(texts)
    rate = len(texts) / (time.perf_counter() - start)
    out[precision] = {"precision": encoder.precision, "texts_per_second": round(rate, 1)}
cosine = (vectors["float32"] * vectors["auto"]).sum(axis=1)
out["auto_vs_float32_min_cosine"] = round(float(cosine.min()), 5)
print(json.dumps(out))
"""


def bench(members: int, data: Path, queries: int, encode_sample: int, rebuild: bool) -> dict:
    """Demo community, build and serving figures for one community size."""
    folder = folder_of(members, data)
    env = environment(folder)
    prepared = prepare(folder, env, members, rebuild=rebuild)
    manifest = prepared["manifest"]
    out: dict = {"members": members, "demo_seconds": prepared["community_seconds"]}
    out["build_reused"] = prepared["build_reused"]
    out["build_seconds"] = round(manifest["timings"]["total_seconds"], 1)
    out["build"] = {
        "id": manifest["build_id"],
        "corpus": manifest["corpus"],
        "encoding": manifest["encoding"],
        "timings": manifest["timings"],
    }
    posts = folder / "var" / "demo" / "posts.csv"
    out["encode_probe"] = json.loads(
        run([sys.executable, "-c", ENCODE_PROBE, str(posts), str(encode_sample)], env)
    )
    out["serving"] = json.loads(run([sys.executable, "-c", SERVE_PROBE, str(queries)], env))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--queries", type=int, default=1000, help="members matched per size")
    parser.add_argument("--encode-sample", type=int, default=4000, help="texts for the rate probe")
    parser.add_argument(
        "--rebuild", action="store_true", help="build again even if the store has not changed"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "engine.json")
    args = parser.parse_args()
    results = []
    for members in args.members:
        result = bench(members, args.data, args.queries, args.encode_sample, args.rebuild)
        results.append(result)
        s, b = result["serving"], result["build"]
        enc, probe = b["encoding"], result["encode_probe"]
        print(
            f"{members:>7} members | build {result['build_seconds']:>7.1f} s "
            f"(encoded {enc['encoded']} texts, {enc['texts_per_second']} texts/s; "
            f"probe {probe['auto']['texts_per_second']} texts/s {probe['auto']['precision']}, "
            f"{probe['float32']['texts_per_second']} float32, "
            f"min cosine {probe['auto_vs_float32_min_cosine']}) | "
            f"match p50 {s['p50_ms']} ms p99 {s['p99_ms']} ms | "
            f"serving RSS {s['rss_mib']} MiB, peak {s['peak_rss_mib']} MiB",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
