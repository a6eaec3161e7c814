"""Model builds as folders (`models/<build-id>/` with a manifest) and the atomic `current` link."""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from matcher import __version__
from matcher.errors import BuildError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CURRENT = "current"
# Libraries whose pickles or array layouts a build needs, and how much of the version must agree.
PINNED_LIBRARIES = {"scikit-learn": 2, "numpy": 1, "joblib": 1}
RECORDED_LIBRARIES = (
    *PINNED_LIBRARIES,
    "pandas",
    "scipy",
    "torch",
    "sentence-transformers",
    "pycountry",  # its data says which names are one country (the ranker's same_town)
)


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a build records."""
    versions = {"python": platform.python_version()}
    for name in RECORDED_LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


def code_version() -> dict[str, str]:
    """The package version and, in a git checkout, the commit it was built from."""
    out = {"package": __version__}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        out["commit"] = commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def new_build_id(now: datetime, fingerprint: str) -> str:
    """A sortable, unique build id: the UTC time and the start of the data fingerprint."""
    return f"{now:%Y%m%dT%H%M%SZ}-{fingerprint[:8]}"


def staging_folder(models_dir: Path, build_id: str) -> Path:
    """A fresh hidden folder to write a build into before it is published, named for the
    host and process writing it (`.staging-<build>@<host>@<pid>`)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(models_dir)
    folder = models_dir / f".staging-{build_id}@{socket.gethostname()}@{os.getpid()}"
    if folder.exists():
        shutil.rmtree(folder)
    # The owner's alone: a build holds members' names, exact places and every post's words
    # (an erased member's too, until a rebuild), as the store does.
    folder.mkdir(mode=0o700)
    return folder


def remove_abandoned_staging(models_dir: Path) -> list[Path]:
    """Delete the staging folders of builds whose process is gone (killed mid-build). Only
    this host's: a models folder shared by several hosts may hold another's build in progress,
    whose process this host cannot see."""
    removed = []
    here = socket.gethostname()
    for folder in models_dir.glob(".staging-*"):
        parts = folder.name.split("@")
        host, pid = (parts[1], parts[2]) if len(parts) == 3 else (here, parts[0].rsplit("-")[-1])
        if host == here and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(staging: Path, models_dir: Path, build_id: str, manifest: dict[str, Any]) -> Path:
    """Write the manifest, move the build into place and point `current` at it atomically."""
    base, n = build_id, 1
    while (models_dir / build_id).exists():  # the same data built twice within a second
        n += 1
        build_id = f"{base}-{n}"
    manifest = {"format_version": FORMAT_VERSION, "build_id": build_id, **manifest}
    # Each file's size in bytes: `list_builds` tells a build with a file missing or cut short.
    manifest["files"] = {p.name: p.stat().st_size for p in sorted(staging.iterdir()) if p.is_file()}
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
    final = models_dir / build_id
    staging.rename(final)
    if not _newer_current(models_dir, manifest):
        switch_current(models_dir, build_id)
    return final


def _newer_current(models_dir: Path, manifest: dict[str, Any]) -> bool:
    """Whether `current` is a build of a later snapshot than `manifest`'s (two builds ran at
    once and the older one finished last: it is kept, but not switched in)."""
    try:
        current = read_manifest(resolve(models_dir))
    except BuildError:
        return False
    mine, theirs = manifest["data"]["snapshot_at"], current.get("data", {}).get("snapshot_at")
    return theirs is not None and datetime.fromisoformat(theirs) > datetime.fromisoformat(mine)


def switch_current(models_dir: Path, build_id: str) -> None:
    """Point `models/current` at `build_id` (a build's own folder, not a link to one such as
    `current`, which would then point at itself) with one atomic rename."""
    folder = models_dir / build_id
    if folder.is_symlink() or not (folder / MANIFEST).is_file() or folder.parent != models_dir:
        raise BuildError(f"no build {build_id} in {models_dir} (`matcher builds` lists them)")
    link = models_dir / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(build_id)
    os.replace(link, models_dir / CURRENT)


def resolve(models_dir: Path, build: str = CURRENT) -> Path:
    """The folder of `build` (an id, or `current`), which must hold a manifest."""
    folder = models_dir / build
    if not (folder / MANIFEST).is_file():
        if build == CURRENT:
            raise BuildError(
                f"no model build in {models_dir.resolve()}: run `matcher build` first (builds "
                "are found in MATCHER_MODELS_DIR, default `models` in the current folder)"
            )
        raise BuildError(f"no build {build!r} in {models_dir}")
    return folder.resolve()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a build folder, refused if this installation cannot load the build."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BuildError(f"cannot read the manifest of {folder}: {exc}") from exc
    check_compatible(manifest, folder)
    return manifest


def check_compatible(manifest: dict[str, Any], folder: Path | str = "build") -> None:
    """Refuse, with a clear message, a build of another format or of incompatible libraries."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BuildError(
            f"{folder} is a build of format {manifest.get('format_version')!r}, this matcher "
            f"reads format {FORMAT_VERSION}: rebuild it with `matcher build`"
        )
    built = manifest.get("libraries", {})
    here = library_versions()
    for name, parts in PINNED_LIBRARIES.items():
        want = ".".join(str(built.get(name, "?")).split(".")[:parts])
        have = ".".join(here.get(name, "?").split(".")[:parts])
        if want != have:
            raise BuildError(
                f"{folder} was built with {name} {built.get(name)} but {here.get(name)} is "
                f"installed; they are incompatible: rebuild with `matcher build` or install "
                f"{name}=={built.get(name)}"
            )


def list_builds(models_dir: Path) -> list[dict[str, Any]]:
    """Every build in `models_dir` (newest first), with whether it is current."""
    if not models_dir.is_dir():
        return []
    current = (models_dir / CURRENT).resolve() if (models_dir / CURRENT).exists() else None
    builds = []
    for folder in sorted(models_dir.iterdir(), reverse=True):
        if folder.name.startswith(".") or folder.is_symlink() or not (folder / MANIFEST).is_file():
            continue
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError) as exc:  # listed, so that it can be found and removed
            manifest = {"build_id": folder.name, "unreadable": f"cannot read the manifest: {exc}"}
        damage = damage_of(folder, manifest)
        if damage and "unreadable" not in manifest:
            manifest = {"build_id": folder.name, "unreadable": damage}
        builds.append({**manifest, "folder": folder.name, "current": folder.resolve() == current})
    return builds


def remove_builds(models_dir: Path, keep: int) -> list[str]:
    """Delete every build but the newest `keep` and the current one; returns their ids."""
    removed = []
    for build in list_builds(models_dir)[keep:]:
        if not build["current"]:  # by its folder (a manifest's build_id may say anything)
            shutil.rmtree(models_dir / build["folder"])
            removed.append(build["folder"])
    return removed


def damage_of(folder: Path, manifest: dict[str, Any]) -> str | None:
    """What is wrong with a build's files against the sizes its manifest wrote down."""
    sizes = manifest.get("files", {})
    missing = [name for name in sizes if not (folder / name).is_file()]
    if missing:
        return f"damaged: {', '.join(missing)} missing"
    changed = [name for name, size in sizes.items() if (folder / name).stat().st_size != size]
    if changed:
        return f"damaged: {', '.join(changed)} not the size it was written with"
    return None
