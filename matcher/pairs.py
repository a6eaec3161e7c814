"""The two directions between one member and many candidates: best need-offer pairs and context."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher import geo
from matcher.domain import NO_KIND
from matcher.retrieve import max_by_group


@dataclass
class Items:
    """Texts of some members, one row each: vectors, whose they are, and a handle back to them."""

    vectors: np.ndarray  # (n, dim)
    owner: np.ndarray  # position of the owning member in the candidate list (or 0 for the seeker)
    refs: list[tuple[str, int]]  # ("build", item row) or ("live", post id)
    post: np.ndarray  # store id of each row's post (a help: of the need helped; -1: typed)
    helped: np.ndarray  # whether each row is help given, not a post
    hub: np.ndarray  # how near each row is to all of the other side (`retrieve.hubness`)
    # Each need's (folded) tags, what it needs (its member's listed tags when it has none of
    # its own, `CurrentView.items_of`); an offer's are empty (its member's are read instead).
    tags: list[frozenset[str]]

    @classmethod
    def empty(cls, dim: int) -> Items:
        none = np.zeros(0, dtype=np.int64)
        return cls(
            np.zeros((0, dim), dtype=np.float32),
            none,
            [],
            none,
            none.astype(bool),
            none.astype(np.float32),
            [],
        )

    @classmethod
    def typed(cls, vector: np.ndarray, tags: frozenset[str] = frozenset()) -> Items:
        """A need typed in words (and tagged with `tags`, folded): one row, of no post, as
        near to all offers as a typical need."""
        return cls(
            vector,
            np.zeros(1, np.int64),
            [("text", 0)],
            np.full(1, -1),
            np.zeros(1, bool),
            np.zeros(1, np.float32),
            [tags],
        )


@dataclass
class Direction:
    """For each candidate, the best (need, offer) pair in one direction."""

    cosine: np.ndarray  # -inf where there is no pair
    need: np.ndarray  # row in the needs' Items, -1 when none
    offer: np.ndarray  # row in the offers' Items, -1 when none


def best_pairs(
    needs: Items,
    offers: Items,
    n_candidates: int,
    *,
    needs_by_candidate: bool,
    help_discount: float = 0.0,
    hub_weight: float = 0.0,
) -> Direction:
    """The best need-offer cosine per candidate, a "helped with" row's less `help_discount`
    (`ContentScorer.help_discount`), each less `hub_weight` times the two texts' hubness
    (`ContentScorer.hub_weight`).

    With `needs_by_candidate` False the needs are the seeker's and the offers the candidates'
    (could they help?); with True the needs are the candidates' and the offers the seeker's
    (could the seeker help them?).
    """
    cosine = np.full(n_candidates, -np.inf, dtype=np.float32)
    need_row = np.full(n_candidates, -1, dtype=np.int64)
    offer_row = np.full(n_candidates, -1, dtype=np.int64)
    if len(needs.refs) == 0 or len(offers.refs) == 0:
        return Direction(cosine, need_row, offer_row)
    sims = weighed(
        needs.vectors @ offers.vectors.T,  # (n_needs, n_offers)
        needs.hub[:, None],
        offers.hub[None, :],
        offers.helped[None, :],
        help_discount,
        hub_weight,
    )
    sims[helped_with_itself(needs.post[:, None], offers.post[None, :], offers.helped)] = -np.inf
    if needs_by_candidate:
        # The best seeker offer for each candidate need, then the best need per candidate.
        per_need = sims.max(axis=1)
        which_offer = sims.argmax(axis=1)
        cosine, best = max_by_group(per_need.astype(np.float32), needs.owner, n_candidates)
        has = best >= 0
        need_row[has] = best[has]
        offer_row[has] = which_offer[best[has]]
    else:
        per_offer = sims.max(axis=0)
        which_need = sims.argmax(axis=0)
        cosine, best = max_by_group(per_offer.astype(np.float32), offers.owner, n_candidates)
        has = best >= 0
        offer_row[has] = best[has]
        need_row[has] = which_need[best[has]]
    return Direction(cosine, need_row, offer_row)


def weighed(
    cosine: np.ndarray,
    need_hub: np.ndarray,
    offer_hub: np.ndarray,
    offer_is_help: np.ndarray,
    help_discount: float,
    hub_weight: float,
) -> np.ndarray:
    """Need-offer cosines as the content score compares them (element by element,
    broadcasting): less `hub_weight` times the two texts' hubness (`retrieve.hubness`), and a
    "helped with" row's less `help_discount` (`ContentScorer.hub_weight`, `.help_discount`)."""
    return cosine - hub_weight * (need_hub + offer_hub) - help_discount * offer_is_help


def helped_with_itself(
    need_post: np.ndarray, offer_post: np.ndarray, offer_is_help: np.ndarray
) -> np.ndarray:
    """True where the "offer" is help already given with that very need (element by element,
    broadcasting; the posts are store ids, a help's being the need it helped with). Such help
    is no evidence of who fits the need (as for the ranker's features), and quoting it would
    answer "you need X" with "they helped with X"."""
    return offer_is_help & (need_post == offer_post)


def closeness(
    seeker: Any, people: Sequence[Any], scale_km: float, place: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Same town (`geo.same_town`), distance in km (NaN if unknown) and proximity in [0, 1]
    of each of `people` to `seeker`: members as now (`town`, `country`, `latitude`,
    `longitude`; None: unknown). For a seeker who typed a `place` (whose town and point
    `seeker` holds), the people in it are in its town, as a filter of it finds them
    (`geo.in_place`), unless known to be apart: members who wrote "New York" in the US are
    in the gazetteer's New York City, which the typed name alone does not name."""
    town, country = geo.fold_place(seeker.town, seeker.country)
    towns, countries = geo.fold_places([p.town for p in people], [p.country for p in people])
    lat, lon = geo.member_points(
        [seeker.town],
        [seeker.country],
        [_coordinate(seeker.latitude)],
        [_coordinate(seeker.longitude)],
    )
    lats, lons = geo.member_points(
        [p.town for p in people],
        [p.country for p in people],
        [_coordinate(p.latitude) for p in people],
        [_coordinate(p.longitude) for p in people],
    )
    km = geo.distance_km(lat[0], lon[0], lats, lons)
    same = geo.same_town(town, towns, km, country, countries)
    if place:
        same |= geo.in_place(towns, countries, place) & ~(km > geo.SAME_TOWN_KM)
    return same, km, geo.proximity(km, same, scale_km)


def peers(kind: str, kinds: Sequence[str], shares: Mapping[str, float]) -> np.ndarray:
    """How much each member of `kinds` is a peer of a member of `kind` (band and band, venue
    and venue): 1 less the share of the community of that kind (`shares`) where the kind is
    theirs too, else 0. A kind every member has tells nothing (a circle of songwriters all
    "artist" keeps its scores); "other", or none (a typed need's seeker), is nobody's kind.
    Kinds are compared as stored: the import and the API keep only `MEMBER_KINDS`."""
    if kind in NO_KIND:
        return np.zeros(len(kinds))
    return (np.asarray(kinds, dtype=object) == kind) * (1.0 - shares.get(kind, 0.0))


def kind_shares(kinds: Sequence[str | None]) -> dict[str, float]:
    """The share of members of each kind (`peers`)."""
    counts = Counter(kinds)
    return {kind: n / len(kinds) for kind, n in counts.items()}


def _coordinate(value: float | None) -> float:
    return np.nan if value is None else value


def needs_covered(needs: Sequence[frozenset[str]], can_do: frozenset[str]) -> float:
    """How much of what one needs the other can do, need by need: the best share, over the
    needs, of a need's tags that are in `can_do` (0 for no tagged need). Pooled over all of a
    member's needs and listed tags, a studio's listed "recording; mixing; mastering" counted
    as needed with its "web design" need, and the web designer covered a quarter of it."""
    return max((_share(tags, can_do) for tags in needs if tags), default=0.0)


def needs_covered_by_owner(
    needs: Sequence[frozenset[str]], owner: np.ndarray, can_do: frozenset[str], n: int
) -> np.ndarray:
    """`needs_covered` for each of `n` members whose needs are `needs` (the member of each:
    `owner`), with what one other member can do."""
    best = np.zeros(n)
    for tags, who in zip(needs, owner.tolist(), strict=True):
        if tags:
            best[who] = max(best[who], _share(tags, can_do))
    return best


def _share(tags: frozenset[str], can_do: frozenset[str]) -> float:
    """The share of a need's (non-empty) tags that are in `can_do` (`index.covered`'s)."""
    return len(tags & can_do) / len(tags)
