"""How many of a member's needs their week's email answers, on a demo community.

Usage: MATCHER_DATA_DIR=... MATCHER_MODELS_DIR=... .venv/bin/python bench/email_needs.py

Reads the store and the current build where the settings point (a demo community made by
`matcher demo-data` and built by `matcher build`), chooses this week's digests as `matcher
digest` would (nothing is recorded or sent), and prints: of the members with several open
needs who got two or more "could help you" matches, how many had two or more of their needs
answered; the allocation's fairness figures; and, by the demo's hidden truth
(`<data-dir>/demo/truth.json`), how good the "could help you" matches are for the seeker's
most compatible open need.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select

from matcher.config import Settings
from matcher.db import close_store, open_store
from matcher.demo.truth import GOOD_MATCH, DemoTruth
from matcher.digest.job import week_candidates
from matcher.digest.plan import audience, choose
from matcher.digest.week import week_of
from matcher.serving import CurrentMatcher
from matcher.store import Member, Post


def main() -> None:
    """Choose this week's digests and print the figures."""
    settings = Settings.from_env()
    sessions = open_store(settings)
    engine = CurrentMatcher(settings, sessions).get()
    now = datetime.now(UTC)
    week = week_of(now)
    table = week_candidates(sessions, engine, settings, week)
    with sessions() as session:
        plan = choose(session, audience(session, week, settings, now), table, settings, now=now)
        external = dict(session.execute(select(Member.id, Member.external_id)).all())
        rows = session.execute(
            select(Post.member_id, Post.external_id).where(
                Post.side == "need", Post.status == "open"
            )
        ).all()
    chosen = plan.chosen.merge(
        table[["seeker_id", "member_id", "seeker_item"]], on=["seeker_id", "member_id"]
    )
    helping = chosen[chosen["direction"] == "helps_you"]
    needs = table[table["direction"] == "helps_you"].groupby("seeker_id")["seeker_item"].nunique()
    several = helping[helping["seeker_id"].isin(needs[needs > 1].index)]
    got = several.groupby("seeker_id").size()
    answered = several.groupby("seeker_id")["seeker_item"].nunique()
    print(
        f"week {week}: {int((needs > 1).sum())} members with several open needs in the "
        f"table; of the {int((got > 1).sum())} with two or more 'could help you' matches, "
        f"{int((answered[got > 1] > 1).sum())} had two or more needs answered"
    )
    print(f"fair allocation: {plan.fair.as_dict()}")
    truth_file = settings.data_dir / "demo" / "truth.json"
    if truth_file.is_file():
        truth = DemoTruth.load(truth_file)
        open_needs: dict[int, list[str]] = {}
        for member, post in rows:
            open_needs.setdefault(member, []).append(post)
        compat = np.array(
            [
                max(
                    (
                        truth.compatibility(p, external[r.member_id])
                        for p in open_needs[r.seeker_id]
                    ),
                    default=0.0,
                )
                if r.seeker_id in open_needs
                else 0.0
                for r in helping.itertuples()
            ]
        )
        print(
            f"'could help you' matches by the demo's truth ({len(compat)}): mean "
            f"{compat.mean():.3f}, good (>={GOOD_MATCH}) {np.mean(compat >= GOOD_MATCH):.3f}, "
            f"no use (0) {np.mean(compat == 0):.3f}"
        )
    close_store(sessions)


if __name__ == "__main__":
    main()
