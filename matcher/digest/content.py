"""What a recorded digest says: the recipient and the people suggested, as the email shows them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.digest.ledger import Chosen
from matcher.domain import weekly_email
from matcher.geo import place_label, reads_miles
from matcher.live_queries import read_separations
from matcher.store import Digest, DigestMatch, Member, in_batches


@dataclass(frozen=True)
class Suggestion:
    """One member suggested in a digest, as the email shows them."""

    member_id: str  # external id
    name: str
    kind: str
    town: str | None
    direction: str  # helps_you | you_help
    mutual: bool
    reasons: list[dict[str, Any]]
    contact: str | None  # only when they agreed to share it
    # The reader's post it answers ({"need": {id, quote}} or {"offer": ...},
    # `explain.answers_post`); None in a week recorded before the ledger kept it.
    answers: dict[str, Any] | None = None


@dataclass(frozen=True)
class DigestContent:
    """Everything one member's email says."""

    week: str
    member_id: str  # external id of the recipient
    name: str
    email: str
    message_id: str
    suggestions: list[Suggestion]
    subscribed: bool = True  # still active, with an address and consent to email
    miles: bool = False  # the recipient reads distances in miles (`geo.reads_miles`)


def contents(session: Session, digest_ids: Sequence[int]) -> dict[int, DigestContent]:
    """The content of each of these recorded digests, with everyone's current public details.

    A digest is delivered some time after it was chosen (a later run, a resume after a crash):
    anyone who has since closed their account, or been blocked or reported by or to the
    recipient, is left out of it, and a digest left with nobody is not sent. A reason that
    quotes a third member's need as help given before no longer quotes it once that member
    has closed their account, or the need is gone or reworded: it says "a need like it".
    """
    digests = session.execute(
        select(Digest.id, Digest.week, Digest.member_id, Digest.message_id).where(
            Digest.id.in_(list(digest_ids))
        )
    ).all()
    matches = session.execute(
        select(
            DigestMatch.digest_id,
            DigestMatch.member_id,
            DigestMatch.direction,
            DigestMatch.mutual,
            DigestMatch.reasons,
            DigestMatch.answers,
        )
        .where(DigestMatch.digest_id.in_(list(digest_ids)))
        .order_by(DigestMatch.digest_id, DigestMatch.rank)
    ).all()
    by_digest: dict[int, list[Any]] = {}
    for row in matches:
        by_digest.setdefault(int(row.digest_id), []).append(row)
    people = _people(session, {d.member_id for d in digests} | {m.member_id for m in matches})
    apart = read_separations(session, {d.member_id for d in digests})
    out = {}
    for d in digests:
        seeker = people[d.member_id]
        kept = [
            m
            for m in by_digest.get(int(d.id), [])
            if people[m.member_id].active and m.member_id not in apart.get(d.member_id, ())
        ]
        out[int(d.id)] = DigestContent(
            week=d.week,
            member_id=seeker.external_id,
            name=seeker.name,
            email=seeker.email or "",
            message_id=d.message_id,
            suggestions=[
                _suggestion(
                    people[m.member_id],
                    m.direction,
                    m.mutual,
                    _without_help_quoted(m.reasons or []),
                    seeker,
                    m.answers,
                )
                for m in kept
            ],
            subscribed=_subscribed(seeker),
            miles=reads_miles(seeker.country, seeker.town),
        )
    return out


def preview_contents(
    session: Session, week: str, chosen: Sequence[Chosen], message_ids: Mapping[int, str]
) -> list[DigestContent]:
    """The content choices would have once recorded (for a dry run)."""
    ids = {c.seeker_id for c in chosen} | {m["member_id"] for c in chosen for m in c.matches}
    people = _people(session, ids)
    return [
        DigestContent(
            week=week,
            member_id=people[c.seeker_id].external_id,
            name=people[c.seeker_id].name,
            email=people[c.seeker_id].email or "",
            message_id=message_ids[c.seeker_id],
            suggestions=[
                _suggestion(
                    people[m["member_id"]],
                    m["direction"],
                    m["mutual"],
                    m["reasons"],
                    people[c.seeker_id],
                    m.get("answers"),
                )
                for m in c.matches
            ],
            miles=reads_miles(people[c.seeker_id].country, people[c.seeker_id].town),
        )
        for c in chosen
        if c.matches
    ]


def _people(session: Session, member_ids: Iterable[int]) -> dict[int, Any]:
    ids = sorted(set(member_ids))
    out: dict[int, Any] = {}
    for part in in_batches(ids):
        rows = session.execute(
            select(
                Member.id,
                Member.external_id,
                Member.name,
                Member.kind,
                Member.town,
                Member.country,
                Member.email,
                Member.email_consent,
                Member.active,
                Member.share_contact,
                Member.contact,
            ).where(Member.id.in_(part))
        ).all()
        out.update({int(r.id): r for r in rows})
    return out


def _without_help_quoted(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reasons, with help given before unquoted (`explain._offer`): a week chosen before
    help stopped being quoted kept the words of the need it met, another member's."""
    out = []
    for reason in reasons:
        offer = reason.get("offer") or {}
        if offer.get("helped_before") and (offer.get("quote") or offer.get("id")):
            reason = {**reason, "offer": {**offer, "id": None, "quote": ""}}
        out.append(reason)
    return out


def _subscribed(person: Any) -> bool:
    return weekly_email(person.active, person.email_consent, person.email) == "on"


def _suggestion(
    person: Any,
    direction: str,
    mutual: bool,
    reasons: list[dict[str, Any]],
    recipient: Any,
    answers: dict[str, Any] | None = None,
) -> Suggestion:
    shared = bool(person.share_contact) and bool((person.contact or "").strip())
    return Suggestion(
        member_id=person.external_id,
        name=person.name,
        kind=person.kind,
        town=place_label(person.town, person.country, recipient.country),
        direction=direction,
        mutual=bool(mutual),
        reasons=list(reasons or []),
        contact=person.contact.strip() if shared else None,
        answers=answers or None,
    )
