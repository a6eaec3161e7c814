"""What a run's summary counts: the week's members, who want the email, and what was chosen now."""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.digest.job import Choice
from matcher.digest.plan import EMAILED_LATELY

# Why a member this run chose for gets no email, beside the audience's own reasons.
NO_NEW_MATCHES = "no new matches"
AT_CAPACITY = "no room left this week to help the people they could (capacity)"
NOT_IN_BUILD = "not in the build (joined since it was made: `matcher build` first)"


@dataclass(frozen=True)
class Summary:
    """The counts of a run's choice, as its summary gives them."""

    members: int
    want_email: int  # consent and an address, with those held back (EMAILED_LATELY)
    chosen_earlier: int  # recipients chosen for by an earlier run of the week
    skipped: dict[str, int] = field(default_factory=dict)  # why no email -> how many (not 0)
    # Why the plan gave nobody -> whom (their ids in the organiser's files), for those it says
    given_nobody: dict[str, list[str]] = field(default_factory=dict)
    planned: bool = False  # whether this run chose for anyone (else the numbers below are 0)
    seekers: int = 0  # members this run chose for
    digests: int = 0  # of them, those given at least one match
    matches: int = 0
    short: int = 0  # digests with fewer matches than asked


def summarize(choice: Choice) -> Summary:
    """Count a week's choice: a seeker given nobody is skipped as NOT_IN_BUILD when the build
    does not know them (`Choice.unbuilt`), as AT_CAPACITY when all they had to meet were
    people they could help and they have no room left (`WeekPlan.at_capacity`), else as
    NO_NEW_MATCHES."""
    people, plan = choice.people, choice.plan
    skipped = {k: v for k, v in people.skipped.items() if v}
    members = len(people.members)
    want_email = len(people.recipients) + people.skipped.get(EMAILED_LATELY, 0)
    chosen_earlier = len(people.recipients) - len(people.pending)
    if plan is None:
        return Summary(members, want_email, chosen_earlier, skipped)
    digests = plan.chosen["seeker_id"].nunique()
    empty = len(plan.seekers) - digests - choice.unbuilt - plan.at_capacity
    # Why they got nobody (`WeekPlan.nobody`): introduced already, nobody scored well enough,
    # no open post, everyone full; any the plan gave no reason for, as "no new matches".
    external = people.members.set_index("id")["external_id"]
    given_nobody: dict[str, list[str]] = {}
    for why, seekers in plan.nobody.groupby(plan.nobody, sort=False):
        skipped[str(why)] = len(seekers)
        given_nobody[str(why)] = sorted(external.reindex(seekers.index).dropna())
        empty -= len(seekers)
    if empty:
        skipped[NO_NEW_MATCHES] = empty
    if plan.at_capacity:
        skipped[AT_CAPACITY] = plan.at_capacity
    if choice.unbuilt:
        skipped[NOT_IN_BUILD] = choice.unbuilt
    return Summary(
        members,
        want_email,
        chosen_earlier,
        skipped,
        given_nobody,
        planned=True,
        seekers=len(plan.seekers),
        digests=digests,
        matches=len(plan.chosen),
        short=plan.short,
    )
