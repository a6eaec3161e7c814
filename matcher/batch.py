"""Scores of every candidate pair of the whole community at once (for the weekly digest)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from matcher import geo
from matcher.domain import NEED, OFFER
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.listing import prefer_learned
from matcher.pairs import closeness, helped_with_itself, needs_covered, peers, weighed
from matcher.score import ContentScorer, pair_scores

TABLE_COLUMNS = (
    "seeker_id",
    "member_id",
    "direction",
    "score",
    "forward",
    "reverse",
    "mutual",
    "seeker_item",  # the build's row of the seeker's need or offer the match is about
    # A row of `leave_out` (not new to the seeker), kept only as each seeker's best such row
    # and after their list is cut: what the digest tells "everyone worth meeting was
    # introduced already" from "nobody scored well enough" by.
    "known",
)


def candidate_table(
    matcher: Matcher,
    *,
    per_member: int = 20,
    per_need: int = 30,
    leave_out: np.ndarray | None = None,
) -> pd.DataFrame:
    """For every active member, their best `per_member` candidates in either direction.

    Pairs come from each open need's `per_need` best candidates in the build (by the ranker's
    score if it has one, as the matcher ranks them, else nearest by text); both directions
    of every pair are then scored as `Matcher.for_member(direction="both")` scores them: the
    members' tags, towns and places as they are now, the texts of the build (posts written or
    reworded after the build are not seen here, so build first, as the digest's docs say; a
    post retagged, reopened or given a new expiry is, as it reads as built).
    Blocked or reported pairs and closed members, as they are now, are left out, and so are
    the (seeker, member) rows of `leave_out` (e.g. pairs the digest introduced before): before
    each member's list is cut to `per_member`, so that they leave room for others.
    """
    index = matcher.index
    with matcher.sessions() as session:
        matcher.refresh(session)
    separations = matcher.view.live.separations
    blocked = [(a, b) for a, others in separations.items() for b in others]  # both directions
    apart = np.concatenate([_pairs(blocked), _pairs([] if leave_out is None else leave_out)])
    active = _active_rows(matcher)
    # Build rows no longer open as built; a post retagged since still reads as built.
    superseded = matcher.view.superseded.copy()
    superseded[matcher.view.rows_as_built()] = False
    u, v = _candidate_pairs(index, superseded, per_need, active)
    if len(u) == 0:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    valid = ~superseded
    needs, offers = index.needs_by_member, index.offers_by_member
    scorer = matcher.scorer
    # u's needs, v's offers; then v's needs, u's offers: the cosine and the pair's two rows.
    cos_uv, need_uv, offer_uv = _best_cosines(index, u, v, needs, offers, valid, scorer)
    cos_vu, need_vu, offer_vu = _best_cosines(index, v, u, needs, offers, valid, scorer)
    overlap_uv = index.pair_tag_overlap(u, v, valid)  # what u's needs need, what v can do
    overlap_vu = index.pair_tag_overlap(v, u, valid)
    km = geo.haversine_km(
        index.latitude[u], index.longitude[u], index.latitude[v], index.longitude[v]
    )
    same_town = geo.same_town(index.town[u], index.town[v], km, index.country[u], index.country[v])
    near = geo.proximity(km, same_town, matcher.settings.proximity_km)
    alike = _peers(index, u, v)
    _as_now(matcher, u, v, overlap_uv, overlap_vu, near, alike)
    p_uv = matcher.scorer.probability(cos_uv, overlap_uv, near, alike)  # v could help u
    p_vu = matcher.scorer.probability(cos_vu, overlap_vu, near, alike)  # u could help v
    if index.learned is not None:
        # As `Matcher` scores them: a need changed since the build has no learned score.
        changed = matcher.view.superseded
        p_uv = prefer_learned(_learned(index, changed, u, v), p_uv)
        p_vu = prefer_learned(_learned(index, changed, v, u), p_vu)
    seeker = np.concatenate([u, v])
    member = np.concatenate([v, u])
    fused = pair_scores(
        np.concatenate([p_uv, p_vu]),
        np.concatenate([p_vu, p_uv]),
        "both",
        matcher.settings.reciprocal_operator,
        matcher.settings.reciprocal_weight,
    )
    ids = index.member_ids
    table = pd.DataFrame(
        {
            "seeker_id": ids[seeker],
            "member_id": ids[member],
            "direction": fused.direction,
            "score": fused.score,
            "forward": fused.forward,
            "reverse": fused.reverse,
            "mutual": fused.mutual,
            # What the match is about on the seeker's side: their need it would help with,
            # or their offer that would help (`allocate`'s posts that take turns).
            "seeker_item": np.where(
                fused.direction == "helps_you",
                np.concatenate([need_uv, need_vu]),
                np.concatenate([offer_vu, offer_uv]),
            ),
        }
    )
    table = table[fused.primary > 0].assign(known=False)
    order = {"by": ["seeker_id", "score", "member_id"], "ascending": [True, False, True]}
    known = table.iloc[:0]
    if len(apart):
        keys = pd.MultiIndex.from_arrays([table["seeker_id"], table["member_id"]])
        out = keys.isin(pd.MultiIndex.from_arrays(apart.T))
        left = out & ~keys.isin(pd.MultiIndex.from_arrays(_pairs(blocked).T))
        known = table[left].sort_values(**order).groupby("seeker_id").head(1).assign(known=True)
        table = table[~out]
    table = table.sort_values(**order)
    table = table[table.groupby("seeker_id").cumcount() < per_member]
    return pd.concat([table, known]).reset_index(drop=True)[list(TABLE_COLUMNS)]


def _pairs(pairs: object) -> np.ndarray:
    """(seeker, member) pairs as an array of two columns (none: no rows)."""
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def _peers(index: BuildIndex, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """How much the members of each pair (build rows `u`, `v`) are peers, of one kind as built
    (`pairs.peers`), each distinct kind's share read once."""
    names, code = np.unique(index.kind.astype(str), return_inverse=True)
    told = np.array([peers(name, [name], index.kind_shares)[0] for name in names])
    return np.where(code[u] == code[v], told[code[u]], 0.0) if len(names) else np.zeros(len(u))


def _as_now(
    matcher: Matcher,
    u: np.ndarray,
    v: np.ndarray,
    overlap_uv: np.ndarray,
    overlap_vu: np.ndarray,
    near: np.ndarray,
    alike: np.ndarray,
) -> None:
    """Tag overlaps (what u needs with what v can do, and the other way), closeness and
    whether they are of one kind, of the pairs with a member changed since the build (their
    kind, tags, town or place, or their posts' tags), read as the matcher reads them now; in
    place."""
    view, index = matcher.view, matcher.index
    changed = np.isin(index.member_ids, sorted(view.changed_members()))
    touched = np.flatnonzero(changed[u] | changed[v])
    rows = np.unique(np.concatenate([u[touched], v[touched]]))
    people = {int(r): view.member(int(index.member_ids[r])) for r in rows}
    # Once a member: the tags of each of their needs, and of what they can do.
    tags = {
        r: (view.items_of([p.member_id], NEED).tags, view.tagset(p, OFFER))
        for r, p in people.items()
        if p is not None
    }
    for i in touched.tolist():
        a, b = people[int(u[i])], people[int(v[i])]
        if a is None or b is None:
            continue
        (needs_a, offers_a), (needs_b, offers_b) = tags[int(u[i])], tags[int(v[i])]
        overlap_uv[i] = needs_covered(needs_a, offers_b)
        overlap_vu[i] = needs_covered(needs_b, offers_a)
        near[i] = closeness(a, [b], matcher.settings.proximity_km)[2][0]
        alike[i] = peers(a.kind, [b.kind], index.kind_shares)[0]


def _learned(
    index: BuildIndex, superseded: np.ndarray, seekers: np.ndarray, helpers: np.ndarray
) -> np.ndarray:
    """Per pair, the ranker's best score of the helper in the lists of the seeker's current
    needs (NaN: not listed): `Matcher` reads it for one member through the same lookup."""
    need_rows, pair = index.items_of(seekers, NEED)
    current = ~superseded[need_rows]
    pair = pair[current]
    return index.learned_scores(need_rows[current], helpers[pair], pair, len(seekers))


def _active_rows(matcher: Matcher) -> np.ndarray:
    index = matcher.index
    active = np.ones(len(index.members), dtype=bool)
    for member_id, member in matcher.view.live.members.items():
        row = index.member_row.get(member_id)
        if row is not None and not member.active:
            active[int(row)] = False
    return active


def _candidate_pairs(
    index: BuildIndex, superseded: np.ndarray, per_need: int, active: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Unordered member pairs (u < v) where one is among the best `per_need` candidates for a
    need of the other: by the ranker's score when the build has one (as `Matcher` ranks
    them), else the nearest by text (the order of the build's lists)."""
    keep = np.flatnonzero(~superseded[index.need_rows])
    owners = index.item_member[index.need_rows[keep]]
    listed = np.asarray(index.candidate_members[keep, :per_need])
    if index.learned is not None and len(keep):
        parts = np.array_split(keep, 1 + len(keep) // 4096)  # bounded memory on large builds
        listed = np.concatenate([_best_listed(index, part, per_need) for part in parts])
    a = np.repeat(owners, listed.shape[1])
    b = listed.ravel()
    ok = (b >= 0) & (a != b)
    a, b = a[ok], b[ok]
    ok = active[a] & active[b]
    a, b = a[ok], b[ok]
    n = len(index.members)
    keys = np.unique(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
    return keys // n, keys % n


def _best_listed(index: BuildIndex, needs: np.ndarray, per_need: int) -> np.ndarray:
    """The candidates of these need slots with the ranker's `per_need` best scores (-1: none);
    any it did not score come after, nearest first (the matcher gives them the content score)."""
    scores = np.asarray(index.learned[needs], dtype=np.float64)
    members = np.asarray(index.candidate_members[needs])
    scores[np.isnan(scores) | (members < 0)] = -np.inf
    order = np.argsort(-scores, axis=1, kind="stable")[:, :per_need]
    return np.take_along_axis(members, order, axis=1)


def _best_cosines(
    index: BuildIndex,
    seekers: np.ndarray,
    helpers: np.ndarray,
    needs: tuple[np.ndarray, np.ndarray],
    offers: tuple[np.ndarray, np.ndarray],
    valid: np.ndarray,
    scorer: ContentScorer,
    chunk: int = 65536,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair, the best cosine between the seeker's needs and the helper's offers (-inf:
    none), less the texts' hubness and a "helped with" row's discount, as `pairs.best_pairs`
    takes them (`scorer.hub_weight`, `scorer.help_discount`); and the item rows of that need
    and offer (-1: none)."""
    best = np.full(len(seekers), -np.inf, dtype=np.float32)
    best_need = np.full(len(seekers), -1, dtype=np.int64)
    best_offer = np.full(len(seekers), -1, dtype=np.int64)
    for pair, need_row, offer_row in _triples(seekers, helpers, needs, offers, chunk):
        dots = np.einsum(
            "ij,ij->i", np.asarray(index.vectors[need_row]), np.asarray(index.vectors[offer_row])
        )
        dots = weighed(
            dots,
            index.item_hub[need_row],
            index.item_hub[offer_row],
            index.is_help[offer_row],
            scorer.help_discount,
            scorer.hub_weight,
        )
        dots[~(valid[need_row] & valid[offer_row])] = -np.inf
        post = index.item_post
        dots[
            helped_with_itself(post[need_row], post[offer_row], index.is_help[offer_row])
        ] = -np.inf
        dots = dots.astype(np.float32)
        # Each pair's best in this chunk (a pair's rows are consecutive, and may run on into
        # the next chunk), kept where it beats the best so far.
        order = np.lexsort((-dots, pair))
        first = order[np.r_[True, pair[order][1:] != pair[order][:-1]]]
        first = first[dots[first] > best[pair[first]]]
        best[pair[first]] = dots[first]
        best_need[pair[first]] = need_row[first]
        best_offer[pair[first]] = offer_row[first]
    return best, best_need, best_offer


def _triples(
    seekers: np.ndarray,
    helpers: np.ndarray,
    needs: tuple[np.ndarray, np.ndarray],
    offers: tuple[np.ndarray, np.ndarray],
    chunk: int,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every (pair, need row, offer row) of the seekers' needs against the helpers' offers."""
    n_indptr, n_rows = needs
    o_indptr, o_rows = offers
    n_count = n_indptr[seekers + 1] - n_indptr[seekers]
    o_count = o_indptr[helpers + 1] - o_indptr[helpers]
    per_pair = n_count * o_count
    ends = np.cumsum(per_pair)
    starts = ends - per_pair
    total = int(ends[-1]) if len(ends) else 0
    for lo in range(0, total, chunk):
        k = np.arange(lo, min(lo + chunk, total))
        pair = np.searchsorted(ends, k, side="right")
        local = k - starts[pair]
        need_row = n_rows[n_indptr[seekers[pair]] + local // o_count[pair]]
        offer_row = o_rows[o_indptr[helpers[pair]] + local % o_count[pair]]
        yield pair, need_row, offer_row
