"""Who gets whom in a week's digest: the audience, and the fair allocation of candidate pairs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from matcher.allocate import Fairness, allocate, fairness, top_n
from matcher.config import Settings
from matcher.digest.week import week_of, week_start, weeks_before
from matcher.domain import MET_KINDS, deliverable
from matcher.requests import requests_received
from matcher.store import Digest, DigestMatch, Interaction, Member, Post, posts_read_as

# Digests whose suggestions count as made: delivered, or possibly delivered.
DELIVERED = ("sent", "sending")
# Digests of a week whose suggestions take up capacity: all that went or may still go out
# (a failed one may be sent again), not those skipped at delivery.
OUTGOING = ("chosen", "sending", "sent", "failed")
# How far back "rarely suggested" looks.
LOOKBACK_WEEKS = 4
# Whatever week a run is for (`--week` may name a past or future one), nobody gets a second
# email within MIN_DAYS_BETWEEN_EMAILS days in the same calendar week (the ISO week, in UTC, of
# sending), and a run for a past week sends nothing to whom a later week's digest went;
# everyone's capacity also counts what those emails suggested them for: a week is days of the
# calendar, not only a label in the ledger. Both bounds, days and the calendar: a run one day
# late (a Tuesday) does not hold back the next Monday's (another calendar week), and a run
# on Sunday evening that finishes after midnight does not hold back the next Sunday's (more
# than MIN_DAYS_BETWEEN_EMAILS days later); a week named by mistake holds nobody back beyond
# its own week.
MIN_DAYS_BETWEEN_EMAILS = 6
NO_MATCHES = "no new matches this week"  # why a member chosen for gets no email
UNDELIVERABLE = "address no mail server takes (`matcher members list` names them)"
EMAILED_LATELY = "emailed another week's digest earlier this week (or a later week's)"
# Why a member chosen for is given nobody (`WeekPlan.nobody`), beside having no room to help
# the only people they could (`AT_CAPACITY` in the summary): so the organiser can tell a
# community run dry from members full this week or posts that find no one.
OTHERS_FULL = "no new matches: everyone new worth meeting had no room left this week"
INTRODUCED_ALREADY = (
    "no new matches: everyone worth meeting was introduced already (or they have met)"
)
BELOW_BAR = "no new matches: nobody new scored at least DIGEST_MIN_SCORE"
NO_OPEN_POSTS = "no new matches: no open need or offer"
PLAN_COLUMNS = ("seeker_id", "member_id", "direction", "score", "mutual", "rank")


@dataclass
class Audience:
    """The members of a week's digest: who gets an email, who is still to be chosen for, who not."""

    week: str
    members: pd.DataFrame  # id, external_id, name, email, email_consent, active, capacity
    recipients: np.ndarray  # store ids of members who get an email this week
    pending: np.ndarray  # recipients with nothing chosen yet for the week
    skipped: dict[str, int] = field(default_factory=dict)  # why others get none -> how many


@dataclass
class WeekPlan:
    """New choices for a week: who is suggested to whom, and how fair and good that is."""

    week: str
    chosen: pd.DataFrame  # PLAN_COLUMNS, store ids, rank 1.. within each seeker
    seekers: np.ndarray  # store ids the plan covers (some may have no match)
    fair: Fairness
    unconstrained: Fairness
    short: int = 0  # seekers who got some matches, but fewer than the asked number
    # Seekers given nobody because all they had to meet were people they could help, and they
    # have no room left this week (capacity 0, or asked or suggested to capacity).
    at_capacity: int = 0
    # How often each member who could be suggested is, fair and unconstrained (index: store id).
    exposure: pd.DataFrame | None = None
    # Why each seeker given nobody (but those `at_capacity`) got no one: store id -> reason
    # (OTHERS_FULL, NO_OPEN_POSTS, INTRODUCED_ALREADY or BELOW_BAR).
    nobody: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))


def audience(session: Session, week: str, settings: Settings, now: datetime) -> Audience:
    """Who gets this week's email, and why the others do not (at `now`: a member emailed
    another week's digest lately, as `EMAILED_LATELY` says, waits)."""
    members = pd.read_sql(
        select(
            Member.id,
            Member.external_id,
            Member.name,
            Member.email,
            Member.email_consent,
            Member.active,
            Member.capacity,
        ).order_by(Member.id),
        session.connection(),
    )
    members["capacity"] = members["capacity"].fillna(settings.default_capacity).astype(np.int64)
    has_email = members["email"].fillna("").str.strip() != ""
    active = members["active"].astype(bool)
    consent = members["email_consent"].astype(bool)
    # An address stored before the import refused it (zoë@...): no email, said why (as
    # `domain.weekly_email` says it), and no one's capacity spent on suggestions for it.
    takes = has_email & members["email"].map(deliverable, na_action="ignore").eq(True)
    skipped = {
        "not active": int((~active).sum()),
        "unsubscribed or no consent": int((active & ~consent).sum()),
        "no email address": int((active & consent & ~has_email).sum()),
    }
    if (undeliverable := int((active & consent & has_email & ~takes).sum())) > 0:
        skipped[UNDELIVERABLE] = undeliverable
    recipients = members.loc[active & consent & takes, "id"].to_numpy(dtype=np.int64)
    emailed = session.scalars(members_emailed_lately(week, now)).all()
    waiting = np.isin(recipients, np.asarray(emailed, dtype=np.int64))
    if waiting.any():
        skipped[EMAILED_LATELY] = int(waiting.sum())
    recipients = recipients[~waiting]
    # Chosen for in an earlier run of the week: not again, but for those it found no new
    # matches for (new members, posts and a new build since may give them some).
    chosen = session.scalars(
        select(Digest.member_id).where(Digest.week == week, ~unsent_empty())
    ).all()
    pending = np.setdiff1d(recipients, np.asarray(chosen, dtype=np.int64))
    return Audience(week, members, recipients, pending, skipped)


def unsent_empty() -> ColumnElement[bool]:
    """Digests a run chose with no new matches (skipped, so never sent)."""
    return (Digest.status == "skipped") & (func.coalesce(Digest.error, "") == NO_MATCHES)


def choose(
    session: Session,
    people: Audience,
    candidates: pd.DataFrame,
    settings: Settings,
    *,
    now: datetime,
) -> WeekPlan:
    """Fairly choose up to `digest_matches` new members for each pending recipient.

    `candidates` is `matcher.digest.job.week_candidates`' frame: pairs new to each other
    (`known_pairs`: not suggested in an earlier digest, and not met), and each member's best
    pair not new to them (`known`: only to say why a member is given nobody);
    members with no capacity left get no one-way "you could help" matches; everyone's
    capacity counts what this week's ledger already holds (but for digests
    skipped at delivery) and the requests they received in the last REQUEST_DAYS days
    (`matcher.requests`: members who `contacted` them, but for those this week's digest
    suggested them to: counted already) and their suggestions in other weeks' digests sent
    lately (`EMAILED_LATELY`); members with an open need or offer suggested less than
    `coverage_floor` times a week on average over the last LOOKBACK_WEEKS weeks ask first for
    `coverage_floor` suggestions (greedily).
    """
    week, n = people.week, settings.digest_matches
    members = people.members
    ids = members["id"].to_numpy(dtype=np.int64)
    # Suggestions that take up this week's capacity: this week's ledger (but for digests
    # skipped at delivery) and other weeks' emails sent lately.
    taken = or_(and_(Digest.week == week, Digest.status.in_(OUTGOING)), _emailed_lately(week, now))
    capacity = members["capacity"].to_numpy() - _lookup(_counts(session, taken), ids)
    # A request from a member whose digest suggested them is that suggestion taken up: it
    # already counts among those.
    suggested = (
        select(DigestMatch.id)
        .join(Digest, Digest.id == DigestMatch.digest_id)
        .where(
            taken,
            Digest.member_id == Interaction.from_member_id,
            DigestMatch.member_id == Interaction.to_member_id,
        )
        .exists()
    )
    asked = requests_received(session, now, unless=suggested)
    capacity -= _lookup(pd.Series(asked, dtype=np.int64), ids)
    capacity[~members["active"].to_numpy(dtype=bool)] = 0

    table = candidates[candidates["seeker_id"].isin(people.pending)]
    # Rows not new to their seeker are there only to say why someone is given nobody.
    introduced_already = table[table["known"].astype(bool)] if "known" in table else table.iloc[:0]
    table = table.drop(index=introduced_already.index)
    table = table.drop_duplicates(["seeker_id", "member_id"])
    position = pd.Index(ids)
    seeker = position.get_indexer(table["seeker_id"])
    member = position.get_indexer(table["member_id"])
    known = (seeker >= 0) & (member >= 0)
    table, seeker, member = table[known], seeker[known], member[known]
    # A member with no room left this week (capacity 0, or asked or suggested to capacity) is
    # not asked to help anyone in their own email either, but for someone who could help
    # them back (mutual).
    asking = (table["direction"] == "you_help").to_numpy() & ~table["mutual"].to_numpy(bool)
    room = ~asking | (capacity[seeker] > 0)
    # Members who could be suggested: counted in the fairness figures even when all their
    # rows are below a typical candidate (`digest_min_score`), which is no one to meet, for
    # either allocation.
    candidates_of = member[room]
    above = table["score"].to_numpy(dtype=np.float64) >= settings.digest_min_score
    held_back = seeker[above & ~room]
    worth = room & above
    table, seeker, member = table[worth], seeker[worth], member[worth]
    score = table["score"].to_numpy(dtype=np.float64)
    helps_you = (table["direction"] == "helps_you").to_numpy()

    earlier = weeks_before(week, LOOKBACK_WEEKS)
    past = _counts(session, and_(Digest.week.in_(earlier), Digest.status.in_(DELIVERED)))
    rare = _lookup(past, ids) < settings.coverage_floor * LOOKBACK_WEEKS
    posters = _open_posters(session, now)
    floor = np.where(rare & np.isin(ids, posters), settings.coverage_floor, 0)
    post = table["seeker_item"].to_numpy(dtype=np.int64)
    picked = allocate(
        seeker, member, score, helps_you, n=n, capacity=capacity, floor=floor, post=post
    )
    baseline = top_n(seeker, member, score, helps_you, n, post)
    # Who could be suggested, and whom the unconstrained top-N suggests beyond them (members
    # with no capacity left: asked to capacity lately, or suggested in this week already).
    reachable = np.unique(
        np.concatenate([candidates_of[capacity[candidates_of] > 0], member[baseline]])
    )

    chosen = table.iloc[picked][["seeker_id", "member_id", "direction", "score", "mutual"]]
    chosen = chosen.sort_values(["seeker_id", "score", "member_id"], ascending=[True, False, True])
    chosen = chosen.assign(rank=chosen.groupby("seeker_id").cumcount() + 1)
    got = chosen.groupby("seeker_id").size().reindex(people.pending, fill_value=0)
    exposure = pd.DataFrame(
        {
            "fair": np.bincount(member[picked], minlength=len(ids))[reachable],
            "unconstrained": np.bincount(member[baseline], minlength=len(ids))[reachable],
        },
        index=pd.Index(ids[reachable], name="member_id"),
    )
    at_capacity = np.setdiff1d(held_back, seeker)  # nobody else above the bar
    worth_meeting = introduced_already["score"] >= settings.digest_min_score
    introduced = introduced_already.loc[worth_meeting, "seeker_id"]
    nobody = _why_nobody(
        np.setdiff1d(people.pending, chosen["seeker_id"].to_numpy()),
        worth=ids[seeker],
        at_capacity=ids[at_capacity],
        posters=posters,
        introduced=introduced.to_numpy(dtype=np.int64),
    )
    return WeekPlan(
        week=week,
        chosen=chosen.reset_index(drop=True)[list(PLAN_COLUMNS)],
        seekers=people.pending,
        fair=fairness(member, score, picked, reachable),
        unconstrained=fairness(member, score, baseline, reachable),
        short=int(((got > 0) & (got < n)).sum()),
        at_capacity=at_capacity.size,
        exposure=exposure,
        nobody=nobody,
    )


def _why_nobody(
    given_nobody: np.ndarray,
    *,
    worth: np.ndarray,
    at_capacity: np.ndarray,
    posters: np.ndarray,
    introduced: np.ndarray,
) -> pd.Series:
    """Why each seeker (store ids) given nobody got no one, but for those `at_capacity`: new
    people worth meeting (`worth`: seekers with a row above the bar, with room) were all
    full; no open need or offer (not among `posters`); everyone above the bar was introduced
    already or met (`introduced`: seekers whose rows left out as known scored above it);
    else nobody new scored at least the bar."""
    seekers = np.setdiff1d(given_nobody, at_capacity)
    why = np.select(
        [
            np.isin(seekers, worth),
            ~np.isin(seekers, posters),
            np.isin(seekers, introduced),
        ],
        [OTHERS_FULL, NO_OPEN_POSTS, INTRODUCED_ALREADY],
        default=BELOW_BAR,
    )
    return pd.Series(why, index=pd.Index(seekers, name="seeker_id"), dtype=object)


def _counts(session: Session, which: ColumnElement[bool]) -> pd.Series:
    """How often each member was suggested in the digests `which` selects."""
    query = (
        select(DigestMatch.member_id, func.count())
        .join(Digest, Digest.id == DigestMatch.digest_id)
        .where(which)
        .group_by(DigestMatch.member_id)
    )
    return pd.Series(dict(session.execute(query).all()), dtype=np.int64)


def members_emailed_lately(week: str, now: datetime) -> Select[tuple[int]]:
    """The members (store ids) emailed another week's digest than `week` lately
    (`EMAILED_LATELY`)."""
    return select(Digest.member_id).where(_emailed_lately(week, now))


def _emailed_lately(week: str, now: datetime) -> ColumnElement[bool]:
    """Whether a digest is of another week than `week` and was sent, or began to be, both in
    the last MIN_DAYS_BETWEEN_EMAILS days and in the calendar week of `now`; or, when `week`
    is a past week, whether it is of a later week (ISO week names sort as the weeks do)."""
    since = max(week_start(now), now - timedelta(days=MIN_DAYS_BETWEEN_EMAILS))
    recent = Digest.sent_at >= since
    return and_(
        Digest.week != week,
        Digest.status.in_(DELIVERED),
        or_(recent, Digest.week > week) if week < week_of(now) else recent,
    )


def _lookup(counts: pd.Series, ids: np.ndarray) -> np.ndarray:
    return counts.reindex(ids, fill_value=0).to_numpy(dtype=np.int64)


def known_pairs(session: Session, week: str) -> np.ndarray:
    """(seeker, member) store ids of the pairs in which the member is not new to the seeker:
    shown to the seeker in another week's digest (that way only: the seeker is still new to
    the member), or who have met (contacted, accepted, declined or helped, either way)."""
    earlier = pd.read_sql(
        select(Digest.member_id.label("seeker_id"), DigestMatch.member_id)
        .join(DigestMatch, DigestMatch.digest_id == Digest.id)
        .where(Digest.week != week, Digest.status.in_(DELIVERED)),
        session.connection(),
    )
    met = pd.read_sql(
        select(Interaction.from_member_id, Interaction.to_member_id)
        .where(Interaction.kind.in_(sorted(MET_KINDS)))
        .distinct(),
        session.connection(),
    )
    pairs = [
        earlier[["seeker_id", "member_id"]].to_numpy(),
        met[["from_member_id", "to_member_id"]].to_numpy(),
        met[["to_member_id", "from_member_id"]].to_numpy(),
    ]
    return np.concatenate(pairs).astype(np.int64).reshape(-1, 2)


def _open_posters(session: Session, now: datetime) -> np.ndarray:
    """Store ids of members with an open need or offer."""
    rows = session.scalars(
        select(Post.member_id).where(posts_read_as("open", now)).distinct()
    ).all()
    return np.asarray(rows, dtype=np.int64)
