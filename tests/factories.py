"""Small hand-written communities for tests, written straight into the store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from matcher.store import Interaction, Member, Post

T0 = datetime(2026, 6, 1, tzinfo=UTC)

TOWNS = {
    "Leeds": (53.80, -1.55),
    "Bristol": (51.45, -2.59),
    "Glasgow": (55.86, -4.25),
    "Manchester": (53.48, -2.24),  # 58 km from Leeds
    "Newcastle": (54.97, -1.61),  # 130 km from Leeds
    "Toronto": (43.65, -79.38),
}


def add_member(
    session: Session,
    external_id: str,
    kind: str,
    town: str = "Leeds",
    *,
    needs: Iterable[str] = (),
    offers: Iterable[str] = (),
    tags: Iterable[str] = (),
    name: str | None = None,
    email: str | None = None,
    share_contact: bool = False,
    contact: str | None = None,
    email_consent: bool = True,
    capacity: int = 3,
) -> Member:
    """A member with posts; coordinates from the town."""
    lat, lon = TOWNS.get(town, (None, None))
    member = Member(
        external_id=external_id,
        name=name or external_id.title(),
        kind=kind,
        town=town,
        latitude=lat,
        longitude=lon,
        tags=list(tags),
        email=email or f"{external_id}@example.org",
        email_consent=email_consent,
        share_contact=share_contact,
        contact=contact,
        capacity=capacity,
        joined_at=T0 - timedelta(days=100),
        updated_at=T0 - timedelta(days=1),
    )
    session.add(member)
    session.flush()
    for i, text in enumerate(needs):
        add_post(session, member, f"{external_id}-n{i}", "need", text)
    for i, text in enumerate(offers):
        add_post(session, member, f"{external_id}-o{i}", "offer", text)
    return member


def add_post(session: Session, member: Member, external_id: str, side: str, text: str) -> Post:
    post = Post(
        external_id=external_id,
        member_id=member.id,
        side=side,
        text=text,
        tags=[],
        created_at=T0 - timedelta(days=10),
        updated_at=T0 - timedelta(days=1),
    )
    session.add(post)
    session.flush()
    return post


def add_interaction(
    session: Session, kind: str, source: Member, target: Member, when: datetime | None = None
) -> Interaction:
    row = Interaction(
        external_id=f"{kind}-{source.external_id}-{target.external_id}-{session.info.get('n', 0)}",
        kind=kind,
        from_member_id=source.id,
        to_member_id=target.id,
        occurred_at=when or T0 - timedelta(days=2),
    )
    session.info["n"] = session.info.get("n", 0) + 1
    session.add(row)
    session.flush()
    return row


def add_band_with_two_needs(session: Session) -> None:
    """A band needing a drummer and people to hand out flyers; three drummers, whose offers
    read more alike to the band's needs than the one flyerer's does."""
    add_member(
        session, "band", "band", needs=["a drummer for gigs and tours", "people to hand out flyers"]
    )
    for i in range(3):
        add_member(session, f"drums{i}", "session_musician", offers=["drummer for gigs and tours"])
    add_member(session, "flyers", "fan", offers=["happy to flyer around town for gigs"])
