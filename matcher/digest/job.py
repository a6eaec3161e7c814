"""A week's digest job: choose once (fairly, recorded before anything is sent), then deliver."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from matcher.config import Settings
from matcher.digest.content import DigestContent, preview_contents
from matcher.digest.ledger import (
    Chosen,
    ExplainMany,
    explain_plan,
    explain_with,
    message_id,
    record,
)
from matcher.digest.plan import Audience, WeekPlan, audience, choose, known_pairs
from matcher.engine import Matcher
from matcher.progress import Reporter, Silent
from matcher.store import Digest, DigestMatch

# Candidates kept per member before the allocation: enough to route around full capacities.
CANDIDATES_PER_MATCH = 10
MIN_CANDIDATES = 20


@dataclass
class Choice:
    """The outcome of choosing a week: who gets an email, the new plan, and what was recorded."""

    people: Audience
    plan: WeekPlan | None = None  # None when everything was already chosen
    recorded: int = 0  # ledger rows written now
    previews: list[DigestContent] = field(default_factory=list)  # dry run only
    # Members the plan found nobody for because the build does not know them: they joined
    # (through the API, say) after it was made, so the next build will.
    unbuilt: int = 0


def week_candidates(
    sessions: sessionmaker[Session], matcher: Matcher, settings: Settings, week: str
) -> pd.DataFrame:
    """The candidate pairs a week's digest chooses from (`matcher.batch.candidate_table`):
    each member's best, leaving out before the cut those not new to them (`known_pairs`), so
    that the weeks go on finding new people while the member has candidates left."""
    from matcher.batch import candidate_table

    per_member = max(MIN_CANDIDATES, CANDIDATES_PER_MATCH * settings.digest_matches)
    with sessions() as session:
        known = known_pairs(session, week)
    return candidate_table(matcher, per_member=per_member, leave_out=known)


def choose_week(
    sessions: sessionmaker[Session],
    load_matcher: Callable[[], Matcher],
    settings: Settings,
    week: str,
    *,
    now: Callable[[], datetime],
    reporter: Reporter | None = None,
    dry_run: bool = False,
    explainer: Callable[[Matcher], ExplainMany] = explain_with,
) -> Choice:
    """Choose and record (or with `dry_run`, only preview) the week's matches of everyone pending.

    Members already in the week's ledger keep their choice; `load_matcher` is only called
    when someone is still to be chosen for; `explainer` gives the reasons of the chosen pairs
    (here, or in worker processes).
    """
    reporter = reporter or Silent()
    with sessions() as session:
        people = audience(session, week, settings, now())
    if len(people.pending) == 0:
        return Choice(people)
    matcher = load_matcher()
    found = reporter.task("scoring candidate pairs", 1)
    table = week_candidates(sessions, matcher, settings, week)
    found(1)
    with sessions() as session:
        plan = choose(session, people, table, settings, now=now())
    external = dict(zip(people.members["id"].tolist(), people.members["external_id"], strict=True))
    # A preview's Message-ID is not the email's: a preview left in a week's outbox folder is
    # never taken for the delivered email by a crashed run's recovery.
    ids = {
        s: message_id(external[s], week, settings.mail_from, preview=dry_run)
        for s in plan.seekers.tolist()
    }

    unbuilt_ids = plan.seekers[
        ~np.isin(plan.seekers, list(matcher.index.member_row))
        & ~np.isin(plan.seekers, plan.chosen["seeker_id"].to_numpy())
    ]
    unbuilt = len(unbuilt_ids)
    plan.nobody = plan.nobody.drop(unbuilt_ids, errors="ignore")  # counted as NOT_IN_BUILD
    advance = reporter.task("explaining matches", len(plan.seekers))
    chosen = explain_plan(plan, external, explainer(matcher), advance)
    if dry_run:
        items: list[Chosen] = list(chosen)
        with sessions() as session:
            previews = preview_contents(session, week, items, ids)
        return Choice(people, plan, 0, previews, unbuilt)
    return Choice(people, plan, record(sessions, week, chosen, ids, now), unbuilt=unbuilt)


def week_ledger(session: Session, week: str) -> dict[str, int]:
    """The week's digests by status, and how many matches they hold."""
    rows = session.execute(
        select(Digest.status, func.count()).where(Digest.week == week).group_by(Digest.status)
    ).all()
    counts = {str(s): int(n) for s, n in rows}
    counts["matches"] = int(
        session.scalar(
            select(func.count())
            .select_from(DigestMatch)
            .join(Digest, Digest.id == DigestMatch.digest_id)
            .where(Digest.week == week, Digest.status != "skipped")
        )
        or 0
    )
    return counts
