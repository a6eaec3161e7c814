"""The offline pipeline: snapshot the store, encode, find candidates, write `models/<build-id>/`."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sqlalchemy.orm import Session, sessionmaker

from matcher import artifacts, gazetteer
from matcher.config import Settings
from matcher.corpus import HELPED, match_items
from matcher.domain import HELP_GIVEN_KINDS, NEED
from matcher.embed import CachedEncoder, Encoder, encoder_name
from matcher.errors import BuildError
from matcher.evaluate.baselines import content_score
from matcher.features.pairs import FEATURES_VERSION
from matcher.geo import looked_up
from matcher.learn import learn
from matcher.progress import Reporter, Silent
from matcher.reference import REFERENCE_FOLDER, reference_calibration
from matcher.retrieve import HUB_NEIGHBOURS, hubness, top_members
from matcher.score import MIN_CALIBRATION_SCORES, ContentScorer, content_calibration
from matcher.snapshot import Community, load_community
from matcher.store import utcnow

MEMBER_TABLE_COLUMNS = (
    "member_id",
    "external_id",
    "name",
    "kind",
    "town",
    "country",
    "latitude",
    "longitude",
    "tags",
    "capacity",
    "helped_members",  # distinct members they helped, closed ones too ("helped 3 members")
)


@dataclass(frozen=True)
class BuildResult:
    """A published build: its id, folder and manifest."""

    build_id: str
    folder: Path
    manifest: dict[str, Any]
    current: bool = True  # False: a build of a later snapshot finished first and stays current


def build_model(
    sessions: sessionmaker[Session],
    encoder: Encoder,
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    reporter: Reporter | None = None,
) -> BuildResult:
    """Build everything serving needs from the store's current content and make it current."""
    reporter = reporter or Silent()
    started = time.perf_counter()
    now = clock()
    with sessions() as session:
        community = load_community(session)
    if community.members.empty:
        raise BuildError(
            "the store has no members yet: `matcher import` your files or `matcher demo-data`"
        )
    fingerprint = community.fingerprint()
    build_id = artifacts.new_build_id(now, fingerprint)
    staging = artifacts.staging_folder(settings.models_dir, build_id)
    try:
        manifest = _write_build(staging, community, sessions, encoder, settings, now, reporter)
        manifest.update(
            created_at=now.isoformat(),
            data={"fingerprint": fingerprint, "snapshot_at": now.isoformat(), **community.counts()},
            code=artifacts.code_version(),
            libraries=artifacts.library_versions(),
            encoder={"name": encoder.name, "dim": encoder.dim},
            settings=_recorded_settings(settings),
        )
        manifest["timings"]["total_seconds"] = round(time.perf_counter() - started, 3)
        folder = artifacts.publish(staging, settings.models_dir, build_id, manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    manifest = artifacts.read_manifest(folder)
    current = artifacts.resolve(settings.models_dir) == folder.resolve()
    return BuildResult(manifest["build_id"], folder, manifest, current)


def current_build_damage(settings: Settings) -> str | None:
    """What is wrong with the current build's files ("damaged: ..."), or None (none, or no
    current build)."""
    try:
        folder = artifacts.resolve(settings.models_dir)
        return artifacts.damage_of(folder, artifacts.read_manifest(folder))
    except BuildError:
        return None


def current_build_matches(sessions: sessionmaker[Session], settings: Settings) -> str | None:
    """The id of the current build if it was made from exactly the store's content, with the
    configured encoder and this release's pair features (so a new build would change nothing),
    else None."""
    try:
        folder = artifacts.resolve(settings.models_dir)
        manifest = artifacts.read_manifest(folder)
    except BuildError:
        return None
    if artifacts.damage_of(folder, manifest):  # a file cut short or lost since
        return None
    if manifest.get("encoder", {}).get("name") != encoder_name(settings.encoder):
        return None
    if manifest.get("features_version", 1) != FEATURES_VERSION:  # made by an older release
        return None
    pycountry = artifacts.library_versions()["pycountry"]
    if manifest.get("libraries", {}).get("pycountry") != pycountry:  # countries read anew
        return None
    with sessions() as session:
        fingerprint = load_community(session).fingerprint()
    return manifest["build_id"] if manifest["data"]["fingerprint"] == fingerprint else None


def _write_build(
    folder: Path,
    community: Community,
    sessions: sessionmaker[Session],
    encoder: Encoder,
    settings: Settings,
    now: datetime,
    reporter: Reporter,
) -> dict[str, Any]:
    timings: dict[str, float] = {}
    at = pd.Timestamp(now)

    members = member_table(community, at)
    member_row = pd.Series(np.arange(len(members)), index=members["member_id"])
    items = match_items(community, at)
    items = items[items["member_id"].isin(member_row.index)].reset_index(drop=True)
    items["member_row"] = member_row.loc[items["member_id"]].to_numpy()

    tick = time.perf_counter()
    cached = CachedEncoder(encoder, sessions)
    # Every post, closed ones too, and what edited ones said before: the ranker's history.
    texts = community.texts()
    post_vectors = cached.encode(texts, progress=reporter.task("encoding texts", len(texts)))
    vectors = post_vectors[community.posts.index.get_indexer(items["post_id"])]
    timings["encode_seconds"] = round(time.perf_counter() - tick, 3)
    encoding = {
        "texts": len(texts),
        "encoded": cached.encoded,
        "from_cache": len(texts) - cached.encoded,
        "texts_per_second": round(cached.encoded / timings["encode_seconds"], 1)
        if cached.encoded and timings["encode_seconds"] > 0
        else None,
    }

    tick = time.perf_counter()
    is_need = (items["side"] == NEED).to_numpy()
    need_rows = np.flatnonzero(is_need)
    offer_rows = np.flatnonzero(~is_need)
    member_rows = items["member_row"].to_numpy()
    candidates, scores = top_members(
        vectors[need_rows],
        member_rows[need_rows],
        vectors[offer_rows],
        member_rows[offer_rows],
        settings.candidates_per_need,
        advance=reporter.task("finding candidates", len(need_rows)),
        skip=_helped_with_itself(items, need_rows, offer_rows),
    )
    timings["candidates_seconds"] = round(time.perf_counter() - tick, 3)
    # How near each text is to everything on the other side (`retrieve.hubness`), which the
    # content score takes off a pair's cosine (`ContentScorer.hub_weight`).
    items["hub"] = np.zeros(len(items), dtype=np.float32)
    for rows, against in ((offer_rows, need_rows), (need_rows, offer_rows)):
        items.loc[rows, "hub"] = hubness(vectors[rows], vectors[against], HUB_NEIGHBOURS)
    offerers = len(np.unique(member_rows[offer_rows]))
    if (
        offerers <= settings.candidates_per_need
        or np.isfinite(scores).sum() < MIN_CALIBRATION_SCORES
    ):
        # Every member is every need's candidate: the community cannot say what a typical
        # candidate among the nearest is (matcher.reference).
        advance = reporter.task(
            "calibrating on the demo community (this one is too small to say what a typical"
            f" candidate is: {offerers} members with offers; made once per encoder and kept in"
            f" {settings.models_dir / REFERENCE_FOLDER})",
            1,
        )
        calibration = reference_calibration(
            encoder, settings.candidates_per_need, settings.models_dir / REFERENCE_FOLDER
        )
        advance(1)
    else:
        calibration = content_calibration(scores, vectors[need_rows], vectors[offer_rows])
    scorer = ContentScorer.from_manifest({"calibration": calibration}, settings)
    tick = time.perf_counter()
    learned = learn(
        folder,
        community,
        post_vectors,
        items["post_id"].to_numpy()[need_rows],
        np.where(candidates >= 0, members["member_id"].to_numpy()[candidates], -1),
        at=at,
        candidates=settings.candidates_per_need,
        min_labels=settings.min_training_labels,
        max_needs=settings.max_training_needs,
        content=content_score(scorer, settings.proximity_km),
        reporter=reporter,
    )
    timings["ranker_seconds"] = round(time.perf_counter() - tick, 3)

    members.to_parquet(folder / "members.parquet", index=False)
    gazetteer.keep(folder / gazetteer.BUILD_FILE, looked_up(members["town"], members["country"]))
    items.drop(columns=["member_id"]).to_parquet(folder / "items.parquet", index=False)
    np.save(folder / "vectors.npy", vectors)
    np.save(folder / "need_rows.npy", need_rows.astype(np.int64))
    np.save(folder / "candidate_members.npy", candidates.astype(np.int32))
    np.save(folder / "candidate_scores.npy", scores.astype(np.float32))
    sparse.save_npz(folder / "help_graph.npz", help_graph(community, member_row, at))
    helpers_of = _inverse(candidates, len(members))
    np.save(folder / "helped_by_indptr.npy", helpers_of[0])
    np.save(folder / "helped_by_needs.npy", helpers_of[1])
    return {
        "timings": timings,
        "encoding": encoding,
        "calibration": calibration,
        "corpus": {
            "members": len(members),
            "needs": int(is_need.sum()),
            "offers": int((items["side"] == "offer").sum()),
            "helped": int((items["side"] == "helped").sum()),
        },
        "ranker": learned.report,
        "features_version": FEATURES_VERSION,
        # What serves matches, and why: the ranker's check beside the content score's (None
        # where no ranker was trained: too few labels).
        "metrics": {
            "served": "ranker" if learned.report["used"] else "content score",
            "ranker_validation_mrr": learned.report.get("validation_mrr"),
            "content_validation_mrr": learned.report.get("content_validation_mrr"),
        },
    }


def _helped_with_itself(
    items: pd.DataFrame, need_rows: np.ndarray, offer_rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(position in need_rows, position in offer_rows) of each need and the help already given
    with it: no evidence of who fits the need (see `matcher.pairs.helped_with_itself`)."""
    post = items["post_id"].to_numpy()
    helps = np.flatnonzero(items["side"].to_numpy()[offer_rows] == HELPED)
    pairs = pd.DataFrame({"need": np.arange(len(need_rows)), "post": post[need_rows]}).merge(
        pd.DataFrame({"offer": helps, "post": post[offer_rows[helps]]}), on="post"
    )
    return pairs["need"].to_numpy(np.int64), pairs["offer"].to_numpy(np.int64)


def help_graph(community: Community, member_row: pd.Series, at: pd.Timestamp) -> sparse.csr_matrix:
    """Who helped whom so far: counts of `helped` events (see HELP_GIVEN_KINDS), helper row
    -> seeker row."""
    events = _help_given(community, at)
    events = events[
        events["from_member_id"].isin(member_row.index)
        & events["to_member_id"].isin(member_row.index)
    ]
    events = events.drop_duplicates(["from_member_id", "to_member_id", "need_post_id"])
    helper = member_row.loc[events["from_member_id"]].to_numpy()
    seeker = member_row.loc[events["to_member_id"]].to_numpy()
    n = len(member_row)
    graph = sparse.coo_matrix((np.ones(len(helper), dtype=np.float32), (helper, seeker)), (n, n))
    return graph.tocsr()


def _inverse(candidates: np.ndarray, n_members: int) -> tuple[np.ndarray, np.ndarray]:
    """For each member, the need slots whose candidate list holds them (CSR: indptr, slots)."""
    slots = np.repeat(np.arange(len(candidates)), candidates.shape[1])
    flat = candidates.ravel()
    keep = flat >= 0
    slots, flat = slots[keep], flat[keep]
    order = np.argsort(flat, kind="stable")
    indptr = np.zeros(n_members + 1, dtype=np.int64)
    np.cumsum(np.bincount(flat, minlength=n_members), out=indptr[1:])
    return indptr, slots[order].astype(np.int32)


def _help_given(community: Community, at: pd.Timestamp) -> pd.DataFrame:
    """The interactions that gave help (HELP_GIVEN_KINDS) up to `at`."""
    events = community.interactions
    return events[events["kind"].isin(sorted(HELP_GIVEN_KINDS)) & (events["occurred_at"] <= at)]


def member_table(community: Community, at: pd.Timestamp) -> pd.DataFrame:
    """The public fields of active members, one row each (no email, no contact details), with
    how many members each helped up to `at` (those who closed since too: it is their history)."""
    members = community.members[community.members["active"].astype(bool)]
    table = members.reset_index(names="member_id")
    pairs = _help_given(community, at)[["from_member_id", "to_member_id"]].drop_duplicates()
    helped = pairs["from_member_id"].value_counts()
    table["helped_members"] = table["member_id"].map(helped).fillna(0).astype(np.int64)
    return table[list(MEMBER_TABLE_COLUMNS)].reset_index(drop=True)


def _recorded_settings(settings: Settings) -> dict[str, Any]:
    keep = (
        "candidates_per_need",
        "reciprocal_operator",
        "reciprocal_weight",
        "min_training_labels",
        "max_training_needs",
    )
    return {k: v for k, v in asdict(settings).items() if k in keep}
