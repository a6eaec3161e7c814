"""The demo communities the benches share: DATA/demo-<members>/ holds a store (var/) and its
builds (models/), made on first use and reused after (the 100k build takes ~20 minutes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MATCHER = str(Path(sys.executable).with_name("matcher"))
DATA = ROOT / "bench" / "data"


def folder_of(members: int, data: Path = DATA, encoder: str = "all-MiniLM-L6-v2") -> Path:
    """The shared folder of a demo community of this size (and encoder, if not the default)."""
    name = f"demo-{members}"
    if not encoder.startswith("all-MiniLM"):
        name += f"-{encoder}"
    return (data / name).resolve()


def environment(folder: Path, **settings: str) -> dict[str, str]:
    """This process's environment pointed at the folder's store and builds, plus `settings`
    (e.g. MATCHER_ENCODER=...)."""
    return {
        **os.environ,
        "MATCHER_DATA_DIR": str(folder / "var"),
        "MATCHER_MODELS_DIR": str(folder / "models"),
        "HF_HUB_OFFLINE": "1",
        **settings,
    }


def run(command: list[str], env: dict[str, str]) -> str:
    """Run a command; its standard output (exits with its error output when it fails)."""
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def run_matcher(env: dict[str, str], *args: str) -> str:
    """Run a `matcher` command; its standard output."""
    return run([MATCHER, *args], env)


def prepare(
    folder: Path, env: dict[str, str], members: int, seed: int = 7, rebuild: bool = False
) -> dict[str, Any]:
    """The community (generated when the store is empty) and a build of it (made when the
    store changed since the current one, or always with `rebuild`); what was done."""
    tick = time.perf_counter()
    said = run_matcher(
        env, "demo-data", "--members", str(members), "--seed", str(seed), "--if-empty"
    )
    done: dict[str, Any] = {
        "community": said.strip().splitlines()[-1] if said.strip() else "",
        "community_seconds": round(time.perf_counter() - tick, 1),
    }
    current = folder / "models" / "current"
    before = current.resolve() if current.exists() else None
    run_matcher(env, "build", *([] if rebuild else ["--if-stale"]))
    done["build_reused"] = current.resolve() == before
    done["manifest"] = json.loads((current / "manifest.json").read_text())
    return done
