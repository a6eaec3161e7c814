"""Which reasons a match has: the need met by an offer, mutual help, tags, place, history."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher import explain
from matcher.current import CurrentView
from matcher.index import BuildIndex
from matcher.live import LiveMember
from matcher.pairs import Direction, Items

# A member is said to be nearby within this many times `proximity_km`, where closeness still
# adds to the score at least e^-2 (.14) of its weight: at 4 times (200 km by default, e^-4),
# "nearby, 199 km (Cardiff)" was said of a member whom closeness had not moved at all.
NEARBY = 2


@dataclass
class Context:
    """What a batch of matches of one seeker was scored from."""

    seeker: LiveMember
    needs: Items
    offers: Items
    their_offers: Items
    their_needs: Items
    forward: Direction
    reverse: Direction


def reasons_for(
    view: CurrentView,
    ctx: Context,
    i: int,
    person: LiveMember,
    direction: str,
    is_mutual: bool,
    shared: list[str],
    same_town: bool,
    km: float,
    typed_need: str | None,
    proximity_km: float,
    typical_cosine: float = -np.inf,
) -> list[explain.Reason]:
    """The reasons of candidate `i` of a scored batch, in the order they are shown: the need
    and offer of the match's `direction` (helps_you: the seeker's need, their offer;
    you_help: their need, the seeker's offer), both when mutual or when only one exists. A
    need and an offer less alike than a typical candidate's (`typical_cosine`) are not quoted
    as meeting each other, "you need a studio; they offer session drums" claims a fit that is
    not there: then the closest offer (or need) is said claiming no fit."""
    others: list[explain.Reason] = []
    if is_mutual:
        others.append(explain.mutual())
    if shared:
        others.append(explain.shared_tags(shared))
    if same_town and person.town:
        others.append(explain.same_town(person.town))
    elif np.isfinite(km) and km <= NEARBY * proximity_km:
        others.append(explain.nearby(km, person.town))
    others.extend(history_reasons(view.index, ctx.seeker.member_id, person.member_id))
    # How far they are, where that is no reason for the match but the member should know it
    # (a band that asked for a bassist "close to Brighton" was emailed one in Los Angeles,
    # and nothing said how far: a reviewer of the weekly emails).
    far = (
        [explain.far(km, person.town)]
        if not same_town and np.isfinite(km) and km > NEARBY * proximity_km
        else []
    )
    quotes = _quotes(view, ctx, i, direction, is_mutual, typed_need, typical_cosine)
    if not quotes:
        # No fit to quote: the closest pair's offer (or need) is said, claiming none, so the
        # member knows what the match is about ("Could help you" with "You are both in
        # Atlanta" alone said nothing of how: an acceptance check). Quoted as meeting
        # the need, "you need a drummer in Madrid; they offer poster help" read as a fit at a
        # cosine of .22 (a site's integrator).
        quotes = _quotes(view, ctx, i, direction, is_mutual, typed_need, -np.inf, claim_fit=False)
    return quotes + others + far


def _quotes(
    view: CurrentView,
    ctx: Context,
    i: int,
    direction: str,
    is_mutual: bool,
    typed_need: str | None,
    typical_cosine: float,
    *,
    claim_fit: bool = True,
) -> list[explain.Reason]:
    """The need met by an offer, either way, of pairs at least `typical_cosine` alike (without
    `claim_fit`: what they offer or need alone, claiming no fit); the match's own direction
    first, as its badge says it ("You could help them" began with "They offer ...": a new
    user's weekly email)."""
    reasons: list[explain.Reason] = []
    forward = ctx.forward.offer[i] >= 0 and ctx.forward.cosine[i] >= typical_cosine
    reverse = ctx.reverse.need[i] >= 0 and ctx.reverse.cosine[i] >= typical_cosine
    show_forward = forward and (is_mutual or direction == "helps_you" or not reverse)
    show_reverse = reverse and (is_mutual or direction == "you_help" or not forward)
    # A mutual match says how each could help the other: where a way is not quoted as a fit
    # (texts less alike than a typical candidate's), what they need or offer is still said,
    # claiming no fit, for the member to judge (the ranker found the pair mutual on other
    # evidence: tags, place, history).
    say_anyway = is_mutual and np.isfinite(typical_cosine)
    if show_forward or (say_anyway and ctx.forward.offer[i] >= 0):
        offer_id, offer_text, side = view.item_text(ctx.their_offers.refs[ctx.forward.offer[i]])
        if show_forward and claim_fit:
            need_id, need_text = _describe_item(view, ctx.needs, ctx.forward.need[i], typed_need)
            cosine = ctx.forward.cosine[i]
            reasons.append(
                explain.need_met_by_offer(need_id, need_text, offer_id, offer_text, side, cosine)
            )
        else:
            reasons.append(explain.they_offer(offer_id, offer_text, side))
    if show_reverse or (say_anyway and ctx.reverse.need[i] >= 0):
        need_id, need_text, _ = view.item_text(ctx.their_needs.refs[ctx.reverse.need[i]])
        if show_reverse and claim_fit:
            offer_id, offer_text, side = view.item_text(ctx.offers.refs[ctx.reverse.offer[i]])
            cosine = ctx.reverse.cosine[i]
            reasons.append(
                explain.you_could_help(need_id, need_text, offer_id, offer_text, side, cosine)
            )
        else:
            reasons.append(explain.they_need(need_id, need_text))
    if direction == "you_help":  # their need first
        reasons.reverse()
    return reasons


def answered(
    view: CurrentView, ctx: Context, i: int, direction: str, typed_need: str | None
) -> dict | None:
    """Which of the seeker's posts candidate `i` answers (`explain.answers_post`): the need of
    the best pair where they could help the seeker, the offer where the seeker could help."""
    if direction == "helps_you":
        row = int(ctx.forward.need[i])
        if row < 0:
            return None
        need_id, need_text = _describe_item(view, ctx.needs, row, typed_need)
        return explain.answers_post("need", need_id, need_text)
    row = int(ctx.reverse.offer[i])
    if row < 0:
        return None
    offer_id, offer_text, side = view.item_text(ctx.offers.refs[row])
    return explain.answers_post("offer", offer_id, offer_text, side)


def history_reasons(index: BuildIndex, seeker_id: int, member_id: int) -> list[explain.Reason]:
    """Prior help between the two, help given to others, and connections in common."""
    row = index.member_row.get(member_id)
    if row is None:
        return []
    out = []
    seeker_row = index.member_row.get(seeker_id)
    helped_seeker = index.helped(row, seeker_row) if seeker_row is not None else 0
    if helped_seeker:
        out.append(explain.prior_help(helped_seeker))
    others = int(index.helped_count[row]) - (1 if helped_seeker else 0)
    if others > 0:
        out.append(explain.helped_others(others, besides_you=bool(helped_seeker)))
    if seeker_row is not None:
        common = np.intersect1d(
            index.neighbours(row), index.neighbours(seeker_row), assume_unique=True
        )
        common = common[(common != row) & (common != seeker_row)]
        if len(common):
            out.append(explain.mutual_connections(len(common)))
    return out


def _describe_item(
    view: CurrentView, items: Items, row: int, typed_need: str | None
) -> tuple[str | None, str]:
    """A seeker's item's id and text: a typed need, no stored post, has no id (None)."""
    kind, ref = items.refs[row]
    if kind == "text":
        return None, typed_need or ""
    external_id, text, _ = view.item_text((kind, ref))
    return external_id, text
