"""Filters on the matched members (kind, tag, town, mutual): who passes them as they are now."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher import geo
from matcher.current import CurrentView
from matcher.domain import NEED, OFFER, fold_tag
from matcher.live import LiveMember

# Whose tags the `tag` filter reads, by the direction of the list: what they can do, what
# they need, or either.
TAG_SIDE: dict[str, str | None] = {"helps_you": OFFER, "you_help": NEED, "both": None}


@dataclass(frozen=True)
class Filters:
    """Optional filters on the matched members."""

    kind: str | None = None
    tag: str | None = None
    town: str | None = None
    mutual: bool | None = None


def passes(view: CurrentView, person: LiveMember, filters: Filters, direction: str) -> bool:
    """Whether a member as now passes the filters. The tag is one of what they can do
    (listed, of their offers and of the needs they helped with) in a list of who could help,
    of what they need (listed, of their needs) in a list of whom one could help, and either
    in one of both: "drums" finds drummers for a band, not other bands after a drummer."""
    if filters.kind and person.kind != filters.kind:
        return False
    if filters.town and not geo.in_place(
        *geo.fold_place(person.town, person.country), filters.town
    ):
        return False
    side = TAG_SIDE[direction]
    return not (filters.tag and fold_tag(filters.tag) not in view.tagset(person, side))


def eligible_rows(view: CurrentView, filters: Filters, direction: str) -> np.ndarray | None:
    """The member rows that pass the filters now (None: no filter), so that a search
    looks for the nearest among them rather than filtering the nearest of everyone."""
    if not (filters.kind or filters.tag or filters.town):
        return None
    index = view.index
    built = np.ones(len(index.member_ids), dtype=bool)
    if filters.kind:
        built &= index.kind == filters.kind
    if filters.town:
        built &= geo.in_place(index.town, index.country, filters.town)
    if filters.tag:
        built &= index.tagged(fold_tag(filters.tag), TAG_SIDE[direction])
    return view.member_rows_passing(lambda p: passes(view, p, filters, direction), built)


def anyone_in(view: CurrentView, place: str) -> bool:
    """Whether a `town` filter for `place` passes anyone as they are now: a member of the build
    (`eligible_rows`) or one who joined since (`passes`). One that names nobody's town
    ("Shefield", say) lists no one, which the API and the CLI then say."""
    town = Filters(town=place)
    rows = eligible_rows(view, town, "both")
    if rows is not None and rows.any():
        return True
    built = view.index.member_row
    return any(
        passes(view, member, town, "both")
        for member in view.live.members.values()
        if member.active and member.member_id not in built
    )
