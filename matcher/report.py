"""Tables behind the notebooks' figures: the community, a build, an evaluation, a week's exposure.

Each function returns a pandas DataFrame (or a small dataclass of them) that a notebook shows
or plots as it is; the work itself is done by the rest of `matcher`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matcher import artifacts
from matcher.config import MIN_TRAINING_LABELS, Settings
from matcher.engine import Matcher
from matcher.evaluate.protocol import Evaluation
from matcher.evaluate.store import time_split
from matcher.features.training import positive_pairs, training_rows
from matcher.io import ImportResult, import_frames
from matcher.progress import Reporter, rich_progress
from matcher.rank import Ranker, TooFewLabels
from matcher.snapshot import Community
from matcher.store import Member, utcnow
from matcher.wording import describe, worth_saying

METRICS = ("mrr", "recall@10", "ndcg@10")


# -- running a notebook ----------------------------------------------------------------------


def clock(now: str | None = None) -> Callable[[], datetime]:
    """A clock stopped at `now` (ISO text, UTC unless it says otherwise), or the real one."""
    if not now:
        return utcnow
    moment = pd.Timestamp(now)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    fixed = moment.to_pydatetime()
    return lambda: fixed


def progress() -> AbstractContextManager[Reporter]:
    """Rich progress bars that a notebook shows as plain text (no widgets needed)."""
    from rich.console import Console

    return rich_progress(Console(stderr=True, force_jupyter=False, force_terminal=False))


# -- the community ---------------------------------------------------------------------------


def ensure_community(
    sessions: sessionmaker[Session], *, members: int, seed: int, now: datetime
) -> ImportResult | None:
    """Import a demo community of `members` when the store has no member yet (else None)."""
    from matcher.demo import generate

    with sessions() as session:
        if session.scalar(select(func.count()).select_from(Member)):
            return None
    demo = generate(members, seed, now=now)
    return import_frames(sessions, demo.frames(), source=f"demo seed={seed}", clock=lambda: now)


def stats_table(stats: dict[str, Any]) -> pd.DataFrame:
    """`matcher.io.community_stats` as rows of (what, name, count)."""
    rows = [
        ("members", "total", stats["members"]["total"]),
        ("members", "active", stats["members"]["active"]),
        *(("members", k, n) for k, n in stats["members"]["by_kind"].items()),
        ("open posts", "needs", stats["open_posts"]["needs"]),
        ("open posts", "offers", stats["open_posts"]["offers"]),
        ("interactions", "total", stats["interactions"]["total"]),
        *(("interactions", k, n) for k, n in stats["interactions"]["by_kind"].items()),
    ]
    return pd.DataFrame(rows, columns=["what", "name", "count"])


def members_by(community: Community, rows: str, columns: str, top: int = 12) -> pd.DataFrame:
    """Active members counted by two member fields (e.g. kind by town); the `top` commonest
    values of `columns` get a column each, the rest are summed as "other"."""
    members = _active(community)
    keep = members[columns].value_counts().index[:top]
    grouped = members[columns].where(members[columns].isin(keep), "other")
    table = pd.crosstab(members[rows], grouped)
    ordered = [c for c in keep if c in table.columns] + (["other"] if "other" in table else [])
    return table[ordered]


def open_posts_by(
    community: Community, field: str, at: pd.Timestamp | None = None, top: int | None = None
) -> pd.DataFrame:
    """Open needs and offers counted by a field of the member who posted them (kind, town...),
    most posts first."""
    posts = community.open_posts(at)
    owner = community.members.loc[posts["member_id"], field].to_numpy()
    table = pd.crosstab(
        pd.Series(owner, name=field), pd.Series(posts["side"].to_numpy(), name="side")
    )
    table = table.reindex(columns=["need", "offer"], fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    return table if top is None else table.head(top)


def top_tags(community: Community, at: pd.Timestamp | None = None, n: int = 20) -> pd.DataFrame:
    """The `n` commonest tags of open posts, counted among needs and among offers."""
    posts = community.open_posts(at)[["side", "tags"]].explode("tags").dropna()
    posts["tags"] = posts["tags"].astype(str).str.strip().str.casefold()
    table = pd.crosstab(posts["tags"], posts["side"]).reindex(
        columns=["need", "offer"], fill_value=0
    )
    table.index.name = "tag"
    return table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index[:n]]


def interactions_over_time(community: Community, freq: str = "W") -> pd.DataFrame:
    """How many interactions of each kind (columns) happened in each period (rows)."""
    events = community.interactions
    if events.empty:
        return pd.DataFrame()
    counts = events.groupby([pd.Grouper(key="occurred_at", freq=freq), "kind"]).size()
    return counts.unstack("kind", fill_value=0)


def member_places(community: Community) -> pd.DataFrame:
    """Active members with coordinates: longitude, latitude, kind and town, one row each."""
    members = _active(community)
    located = members.dropna(subset=["latitude", "longitude"])
    return located[["longitude", "latitude", "kind", "town"]].reset_index(names="member_id")


def _active(community: Community) -> pd.DataFrame:
    return community.members[community.members["active"].astype(bool)]


# -- a build ---------------------------------------------------------------------------------


def manifest_summary(manifest: dict[str, Any]) -> pd.DataFrame:
    """What a glance at a build needs: its id, data, ranker (used or why not) and timings."""
    rows: list[tuple[str, str, Any]] = [
        ("build", "id", manifest["build_id"]),
        ("build", "created_at", manifest.get("created_at")),
        ("build", "encoder", manifest.get("encoder", {}).get("name")),
    ]
    data = manifest.get("data", {})
    rows += [("data", k, data[k]) for k in ("members", "needs", "offers", "interactions")]
    ranker = manifest.get("ranker", {})
    keys = ("used", "reason", "labelled_needs", "positives", "rows", "validation_mrr")
    keys += ("content_validation_mrr",)
    rows += [("ranker", k, ranker[k]) for k in keys if k in ranker]
    rows += [("timings", k, v) for k, v in manifest.get("timings", {}).items()]
    return pd.DataFrame(rows, columns=["section", "item", "value"])


def current_note(models_dir: Path, build_id: str) -> str:
    """Whether `build_id` is `models/current`, and if not, why and how to make it so: a build
    "as of" an earlier time than the current build's snapshot is kept beside it, not
    switched in (`matcher.artifacts.publish`)."""
    current = artifacts.read_manifest(artifacts.resolve(models_dir))["build_id"]
    if current == build_id:
        return f"models/current is the new build {build_id}"
    return (
        f"models/current stays {current}, a later snapshot than the new build {build_id}, "
        f"which is kept beside it: `matcher builds --use {build_id}` switches to it"
    )


def sample_matches(matcher: Matcher, *, members: int = 3, limit: int = 5) -> pd.DataFrame:
    """The best matches of the first few members with an open need, with their reasons."""
    index = matcher.index
    seekers = pd.unique(index.item_member[index.need_rows])[:members]
    rows = []
    for row in seekers:
        seeker = index.member_external[int(row)]
        for rank, m in enumerate(matcher.for_member(seeker, limit=limit), 1):
            why = "; ".join(describe(r) for r in worth_saying(m.reasons))
            rows.append((seeker, rank, m.member_id, m.name, m.kind, m.town, m.score, why))
    columns = ["seeker", "rank", "member_id", "name", "kind", "town", "score", "why"]
    return pd.DataFrame(rows, columns=columns)


# -- an evaluation ---------------------------------------------------------------------------


def metric_table(evaluation: Evaluation, metrics: tuple[str, ...] = METRICS) -> pd.DataFrame:
    """One row per ranker, one column per metric (in the order the evaluation lists them)."""
    table = pd.DataFrame.from_dict(evaluation.rankers, orient="index")
    table.index.name = "ranker"
    return table.reindex(columns=list(metrics))


def comparison_table(evaluation: Evaluation) -> pd.DataFrame:
    """The matcher against the best baseline and against behaviour, one row each: both MRRs,
    their ratio and difference, each with its 95% bootstrap interval over the test queries."""
    table = pd.DataFrame.from_dict(evaluation.comparisons, orient="index")
    table.index.name = "comparison"
    return table


@dataclass(frozen=True)
class Reliability:
    """The ranker's reliability curve on held-out needs, and what it was computed on."""

    curve: pd.DataFrame  # predicted (mean P(helps) of a bin), observed (share who helped)
    brier: float | None
    rows: int
    positives: int
    note: str = ""  # why there is no curve, when there is none
    # The Brier score of always predicting the share who helped, p(1 - p): the one to beat.
    reference_brier: float | None = None


def reliability(
    community: Community,
    post_vectors: np.ndarray,
    *,
    candidates: int = 200,
    min_labels: int = MIN_TRAINING_LABELS,
    bins: int = 10,
    progress: Reporter | None = None,
) -> Reliability:
    """Predicted P(helps) against the observed share on the needs of the last 30% of time.

    Same split, candidates and ranker as `matcher.evaluate.store.evaluate_store`: trained on
    the earlier needs with what was known at the split, scored on every candidate of the
    later ones (of the needs whose helper is among them, as in training). Bins hold equal
    numbers of candidates. Without enough labels for a ranker the curve is empty and `note`
    says why.
    """
    empty = pd.DataFrame({"predicted": [], "observed": []})
    split = time_split(community, post_vectors, candidates, progress)
    if split is None:
        return Reliability(empty, None, 0, 0, "too few needs with an outcome to split")
    blocks, split_index = split.blocks, split.split_index
    train = training_rows(blocks[:split_index], positive_pairs(community, split.split_time))
    try:
        ranker = Ranker(min_labels=min_labels).fit(train.X, train.y, train.groups)
    except TooFewLabels as exc:
        return Reliability(empty, None, 0, 0, f"no ranker: {exc}")
    test = training_rows(
        blocks[split_index:],
        positive_pairs(community, pd.Timestamp.max.tz_localize("UTC")),
        max_rows=None,  # every later need is scored, not only what a ranker would learn from
    )
    predicted = ranker.predict_proba(test.X)[:, 1]
    observed, mean_predicted = calibration_curve(
        test.y, predicted, n_bins=bins, strategy="quantile"
    )
    share = float(np.mean(test.y))
    return Reliability(
        curve=pd.DataFrame({"predicted": mean_predicted, "observed": observed}),
        brier=float(brier_score_loss(test.y, predicted)),
        rows=len(test.y),
        positives=test.positives,
        reference_brier=share * (1 - share),
    )


# -- a week's exposure -----------------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    """How often each member would be suggested this week: fair allocation vs plain top-N."""

    members: pd.DataFrame  # member_id (as the organiser's files give it), fair, unconstrained
    summary: pd.DataFrame  # per allocation: suggestions, exposure_gini, coverage, mean_score


def week_exposure(
    sessions: sessionmaker[Session],
    matcher: Matcher,
    settings: Settings,
    *,
    week: str,
    now: datetime,
) -> Exposure:
    """The week's digest choice (`matcher.digest.plan.choose`, nothing recorded) against the
    unconstrained top-N of the same candidates, per member who could have been suggested."""
    from matcher.digest.job import week_candidates
    from matcher.digest.plan import audience, choose

    table = week_candidates(sessions, matcher, settings, week)
    with sessions() as session:
        people = audience(session, week, settings, now)
        plan = choose(session, people, table, settings, now=now)
    counts = plan.exposure.astype(np.int64)
    with sessions() as session:
        external = dict(session.execute(select(Member.id, Member.external_id)).all())
    counts.index = pd.Index(counts.index.map(external), name="member_id")
    summary = pd.DataFrame(
        {"fair": plan.fair.as_dict(), "unconstrained": plan.unconstrained.as_dict()}
    ).T
    return Exposure(counts.reset_index(), summary)


def lorenz(counts: np.ndarray) -> pd.DataFrame:
    """The Lorenz curve of exposure: share of members (least suggested first) against their
    share of all suggestions; the diagonal is perfect equality."""
    x = np.sort(np.asarray(counts, dtype=np.float64))
    total = x.sum()
    members = np.arange(len(x) + 1) / max(len(x), 1)
    share = np.concatenate([[0.0], np.cumsum(x) / total]) if total else members
    return pd.DataFrame({"members": members, "suggestions": share})


# -- outputs ---------------------------------------------------------------------------------


def save(item: Any, folder: Path | str | None, name: str) -> Path | None:
    """Write a table (`name`.csv) or a matplotlib figure (`name`.png) into `folder`, if given."""
    if folder is None:
        return None
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(item, pd.DataFrame | pd.Series):
        path = folder / f"{name}.csv"
        item.to_csv(path)
    else:
        path = folder / f"{name}.png"
        item.savefig(path, dpi=100, bbox_inches="tight")
    return path
