"""Who could help whom: ranked matches for a member or a typed need, each with its reasons."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from matcher import explain, transfer
from matcher.config import Settings
from matcher.current import CurrentView, fold_tags
from matcher.domain import NEED, OFFER
from matcher.embed import CachedEncoder, Encoder
from matcher.errors import InvalidInput
from matcher.filters import Filters, eligible_rows, passes
from matcher.index import BuildIndex
from matcher.listing import answered_post, listing_order, passing_pairs, prefer_learned
from matcher.live import LiveMember
from matcher.pairs import (
    Direction,
    Items,
    best_pairs,
    closeness,
    needs_covered_by_owner,
    peers,
)
from matcher.reasons import Context, answered, reasons_for
from matcher.score import ContentScorer, PairScores, pair_scores
from matcher.store import utcnow

DIRECTIONS = ("helps_you", "you_help", "both")
# The member id of the seeker of a need typed by anyone (`for_text`): no member, so no
# posts, profile tags, requests, declines or history of theirs.
NO_SEEKER = -1
# The built needs a typed need borrows learned scores from, and their weights.
Borrowed = tuple[np.ndarray, np.ndarray]


@dataclass
class Match:
    """One member who could help (or be helped by) another, with the score and the reasons."""

    member_id: str
    name: str
    kind: str
    town: str | None
    country: str | None
    tags: list[str]
    score: float
    direction: str  # helps_you | you_help
    mutual: bool
    reasons: list[explain.Reason] = field(default_factory=list)
    contact: str | None = None  # only when the member agreed to share it
    forward: float = 0.0  # s(seeker -> member): they could help the seeker
    reverse: float = 0.0  # s(member -> seeker): the seeker could help them
    # The seeker's post it answers, whose turn it took in their list: {"need": {id, quote}}
    # or {"offer": ...} (`explain.answers_post`); None when there is no pair that way.
    answers: dict[str, Any] | None = None

    @property
    def busy(self) -> bool:
        """Asked lately as often as they take a week, or taking none (the `busy` reason):
        listed as if their score were `busy_weight` lower in log-odds."""
        return any(r.get("type") == "busy" for r in self.reasons)

    @property
    def declined(self) -> bool:
        """Whoever would help here said no to the other's request lately (the `declined`
        reason): listed after the good matches still to ask, whatever their score."""
        return any(r.get("type") == "declined" for r in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        """The match as plain JSON-ready data."""
        return {
            "member_id": self.member_id,
            "name": self.name,
            "kind": self.kind,
            "town": self.town,
            "country": self.country,
            "tags": self.tags,
            "score": round(self.score, 4),
            "direction": self.direction,
            "mutual": self.mutual,
            "busy": self.busy,
            "declined": self.declined,
            "contact": self.contact,
            "answers": self.answers,
            "reasons": self.reasons,
        }


class Matcher:
    """Serves matches from a loaded build plus whatever changed in the store since."""

    def __init__(
        self,
        index: BuildIndex,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        encoder: Encoder | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.index = index
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        # Posts written since the build are encoded through the store's vector cache (one
        # written with `community.add_post` is there already); a typed need is encoded as it
        # is, never cached. Both come from the encoder and store passed in.
        self.encoder = encoder
        self.cached_encoder = CachedEncoder(encoder, sessions) if encoder is not None else None
        self.scorer = ContentScorer.from_manifest(index.manifest, settings)
        self.view = CurrentView(index, settings.candidates_per_need)
        if encoder is not None and encoder.name != index.manifest["encoder"]["name"]:
            raise InvalidInput(
                f"the build was encoded with {index.manifest['encoder']['name']!r}, "
                f"not {encoder.name!r}: use the same encoder or rebuild",
                field="encoder",
            )

    @property
    def build_id(self) -> str:
        """The id of the build this matcher serves."""
        return self.index.build_id

    def refresh(self, session: Session) -> None:
        """Catch up with what was written to the store since the last request."""
        self.view.refresh(session, self.cached_encoder, self.clock())

    # -- queries ---------------------------------------------------------------------------

    def for_member(
        self,
        external_id: str,
        *,
        limit: int | None = None,
        offset: int = 0,
        direction: str = "helps_you",
        filters: Filters | None = None,
    ) -> list[Match]:
        """Members who could help `external_id` (or whom they could help), best first (from
        the `offset`-th on)."""
        if direction not in DIRECTIONS:
            raise InvalidInput(f"direction must be one of {DIRECTIONS}", field="direction")
        limit = limit or self.settings.match_limit
        filters = filters or Filters()
        with self.sessions() as session:
            self.refresh(session)
            seeker = self.view.member_by_external_id(session, external_id)
        separated = self.view.live.separated_from(seeker.member_id)
        needs = self.view.items_of([seeker.member_id], NEED)
        offers = self.view.items_of([seeker.member_id], OFFER)
        candidates = self.view.candidates(seeker.member_id, needs, offers, direction)
        candidates = [c for c in candidates if c not in separated and c != seeker.member_id]
        return self._score(
            seeker, needs, offers, candidates, direction, filters, limit, offset=offset
        )

    def explain_pairs(
        self, seeker_external_id: str, member_external_ids: list[str], *, refresh: bool = True
    ) -> list[Match]:
        """The matches between one member and the given others (either direction), with reasons.

        Scored as `for_member(direction="both")` scores them; members that no longer match
        (closed, blocked, or nothing to offer either way) are left out. Same order as given.
        """
        with self.sessions() as session:
            if refresh:
                self.refresh(session)
            seeker = self.view.member_by_external_id(session, seeker_external_id)
            known = self.view.member_ids(session, member_external_ids).values()
        separated = self.view.live.separated_from(seeker.member_id)
        ids = [i for i in known if i not in separated and i != seeker.member_id]
        needs = self.view.items_of([seeker.member_id], NEED)
        offers = self.view.items_of([seeker.member_id], OFFER)
        matches = self._score(seeker, needs, offers, ids, "both", Filters(), len(ids) or 1)
        position = {m: i for i, m in enumerate(member_external_ids)}
        return sorted(matches, key=lambda m: position[m.member_id])

    def for_text(
        self,
        text: str,
        *,
        tags: Iterable[str] = (),
        town: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        filters: Filters | None = None,
        searcher: str | None = None,
    ) -> list[Match]:
        """Members who could help with a need typed by anyone, best first (from the
        `offset`-th on). A member who searches (`searcher`) is not listed, nor are those
        kept apart from them (blocks and reports)."""
        if not text or not text.strip():
            raise InvalidInput("the text of the need is empty", field="text")
        if self.encoder is None:
            raise InvalidInput("this matcher has no encoder to read typed needs", field="text")
        limit = limit or self.settings.match_limit
        filters = filters or Filters()
        vector = self.encoder.encode([text.strip()])
        lat, lon = self.view.place_coordinates(town)
        place_town, place_country = self.view.typed_place(town)
        seeker = LiveMember(
            NO_SEEKER, "", "", "", place_town, place_country, lat, lon, list(tags), 0, True
        )
        needs = Items.typed(vector, frozenset(fold_tags(seeker.tags)))
        with self.sessions() as session:
            self.refresh(session)
            left_out: set[int] = set()
            searcher_id = None
            if searcher is not None:
                searching = self.view.member_by_external_id(session, searcher, "member_id")
                searcher_id = searching.member_id
                left_out = {searcher_id, *self.view.live.separated_from(searcher_id)}
        eligible = eligible_rows(self.view, filters, "helps_you")
        nearest = self.view.nearest_members(vector[0], (offset + limit) * 10, eligible=eligible)
        # With the offers written or edited since the build, as for a member's needs.
        candidates = sorted({*nearest.tolist(), *self.view.live_offerers()} - left_out)
        return self._score(
            seeker,
            needs,
            Items.empty(self.index.vectors.shape[1]),
            candidates,
            "helps_you",
            filters,
            limit,
            offset=offset,
            typed_need=text.strip(),
            place=town,
            borrowed=self._borrowed(vector[0], searcher_id),
        )

    def _blend_borrowed(
        self,
        borrowed: Borrowed,
        ids: list[int],
        content: np.ndarray,
        place_effect: np.ndarray | None = None,
    ) -> np.ndarray:
        """A typed need's content scores blended with the learned scores it borrowed (and what
        the ranker learned the candidates' places are worth, where the need names a place);
        members the build could not see as they are (joined, or their posts or profile
        changed since) borrow nothing, as their pairs keep the content score in a member's
        list."""
        slots, weights = borrowed
        index = self.index
        lent = transfer.lent_scores(
            index.candidate_members[slots], index.learned[slots], weights, index.rows_of(ids)
        )
        if np.isnan(lent).all():
            return content
        changed = self.view.changed_members()
        lent[[i for i, member in enumerate(ids) if member in changed]] = np.nan
        return transfer.blend(content, lent, place_effect)

    def _borrowed(self, vector: np.ndarray, searcher_id: int | None) -> Borrowed | None:
        """The built needs a typed need borrows the ranker's scores from (`matcher.transfer`),
        and their weights; None without a learned ranker. The searcher's own needs are left
        out: their lists rank people for them, as their own matches already do."""
        index = self.index
        if index.learned is None or len(index.need_rows) == 0:
            return None
        cosine = np.asarray(index.vectors @ vector, dtype=np.float64)[index.need_rows]
        if searcher_id is not None:
            cosine[
                index.item_member[index.need_rows] == index.member_row.get(searcher_id, -1)
            ] = -np.inf
        return transfer.neighbour_needs(cosine)

    # -- scoring ---------------------------------------------------------------------------

    def _score(
        self,
        seeker: LiveMember,
        needs: Items,
        offers: Items,
        candidate_ids: list[int],
        direction: str,
        filters: Filters,
        limit: int,
        *,
        offset: int = 0,
        typed_need: str | None = None,
        place: str | None = None,
        borrowed: Borrowed | None = None,
    ) -> list[Match]:
        """The candidates who pass the filters, scored both ways and fused for `direction`:
        the `offset`-th to the `offset + limit`-th as listed, each with its reasons. A typed
        need's content scores are blended with what it `borrowed` (`matcher.transfer`)."""
        people = self._gather(candidate_ids, filters, direction)
        if not people:
            return []
        ids = [p.member_id for p in people]
        their_offers = self.view.items_of(ids, OFFER)
        their_needs = self.view.items_of(ids, NEED)
        forward, reverse = self._best_pairs(needs, offers, their_offers, their_needs, len(people))
        can_do = self._seeker_can_do(seeker)
        same_town, km, near = closeness(seeker, people, self.settings.proximity_km, place)
        p_forward, p_reverse = self._content_scores(
            needs, their_needs, can_do, people, forward, reverse, near, seeker.kind
        )
        if self.index.learned is not None:
            p_forward, p_reverse = self._learned(
                seeker, needs, their_needs, ids, p_forward, p_reverse
            )
        if borrowed is not None:
            place_effect = None
            ranker = self.index.ranker()
            if place and ranker is not None:  # the typed place, as the ranker learned places
                learned = transfer.place_effect(ranker.log_odds, same_town, km)
                place_effect = self.scorer.place_weight(forward.cosine) * learned
            p_forward = self._blend_borrowed(borrowed, ids, p_forward, place_effect)
        fused = pair_scores(
            p_forward,
            p_reverse,
            direction,
            self.settings.reciprocal_operator,
            self.settings.reciprocal_weight,
        )
        eligible = passing_pairs(fused, filters.mutual)
        asked, capacity, busy = self._busy(seeker, people, fused.direction == "helps_you")
        declined = self._declined(seeker, people, fused.direction)
        ranked = listing_order(
            ids,
            fused.score,
            eligible,
            busy,
            np.array([days is not None for days in declined], dtype=bool),
            answered_post(fused.direction, forward, reverse),
            self.settings.busy_weight,
        )
        context = Context(seeker, needs, offers, their_offers, their_needs, forward, reverse)
        return [
            self._match(
                context,
                i,
                people[i],
                fused,
                can_do,
                same_town[i],
                km[i],
                busy=(int(asked[i]), int(capacity[i])) if busy[i] else None,
                declined=declined[i],
                typed_need=typed_need,
            )
            for i in ranked[offset : offset + limit].tolist()
        ]

    def _gather(
        self, candidate_ids: list[int], filters: Filters, direction: str
    ) -> list[LiveMember]:
        """The candidates as they are now, leaving out closed members and those the filters
        do not pass."""
        people = [self.view.member(c) for c in candidate_ids]
        return [
            p
            for p in people
            if p is not None and p.active and passes(self.view, p, filters, direction)
        ]

    def _best_pairs(
        self, needs: Items, offers: Items, their_offers: Items, their_needs: Items, n: int
    ) -> tuple[Direction, Direction]:
        """Per candidate, the best pair of the seeker's need and their offer (forward: they
        could help the seeker) and of their need and the seeker's offer (reverse)."""
        weights = {"help_discount": self.scorer.help_discount, "hub_weight": self.scorer.hub_weight}
        forward = best_pairs(needs, their_offers, n, needs_by_candidate=False, **weights)
        reverse = best_pairs(their_needs, offers, n, needs_by_candidate=True, **weights)
        return forward, reverse

    def _seeker_can_do(self, seeker: LiveMember) -> frozenset[str]:
        """The (folded) tags of what the seeker can do (listed, of their offers and help); a
        typed need offers nothing. What they need is read need by need (`Items.tags`)."""
        if seeker.member_id == NO_SEEKER:
            return frozenset()
        return self.view.tagset(seeker, OFFER)

    def _shared_tags(
        self,
        context: Context,
        i: int,
        person: LiveMember,
        way: str,
        seeker_can_do: frozenset[str],
    ) -> frozenset[str]:
        """The tags a match's `shared_tags` reason names, those the content score counted:
        the needs' own (their member's listed tags for a need of none; `Items.tags`) with what
        the other can do, the seeker's needs' where they could be helped, person `i`'s needs'
        where the seeker could help them."""
        if way == "helps_you":
            return frozenset().union(*context.needs.tags) & self.view.tagset(person, OFFER)
        theirs = context.their_needs
        mine = (theirs.tags[row] for row in np.flatnonzero(theirs.owner == i))  # person i's
        return frozenset().union(*mine) & seeker_can_do

    def _content_scores(
        self,
        needs: Items,
        their_needs: Items,
        seeker_can_do: frozenset[str],
        people: list[LiveMember],
        forward: Direction,
        reverse: Direction,
        near: np.ndarray,
        seeker_kind: str,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The content score both ways, from the best pair's cosine, the shared tags, how
        near they are and whether they are of the seeker's kind (a typed need's seeker is of
        none): tags need by need (`pairs.needs_covered`), of what each need of the seeker
        needs with what each person can do (their offers' and help's tags, not their needs'),
        and of what each need of each person needs with what the seeker can do."""
        overlap_forward = self.view.needs_overlap(needs.tags, people)
        overlap_reverse = needs_covered_by_owner(
            their_needs.tags, their_needs.owner, seeker_can_do, len(people)
        )
        alike = peers(seeker_kind, [p.kind for p in people], self.index.kind_shares)
        p_forward = self.scorer.probability(forward.cosine, overlap_forward, near, alike)
        p_reverse = self.scorer.probability(reverse.cosine, overlap_reverse, near, alike)
        return p_forward, p_reverse

    def _match(
        self,
        context: Context,
        i: int,
        person: LiveMember,
        fused: PairScores,
        seeker_can_do: frozenset[str],
        same_town: bool,
        km: float,
        *,
        busy: tuple[int, int] | None,
        declined: int | None,
        typed_need: str | None,
    ) -> Match:
        """Candidate `i` as a match, with its reasons: `busy` is how often they were asked
        lately and their weekly capacity when they are asked to capacity, `declined` how many
        whole days ago whoever would help said no to the other lately."""
        way = str(fused.direction[i])
        shared = self._shared_tags(context, i, person, way, seeker_can_do)
        mutual = bool(fused.mutual[i])
        reasons = reasons_for(
            self.view,
            context,
            i,
            person,
            way,
            mutual,
            sorted(shared),
            same_town,
            km,
            typed_need=typed_need,
            proximity_km=self.settings.proximity_km,
            typical_cosine=self.scorer.mean,
        )
        if busy is not None:
            reasons.append(explain.busy(*busy))
        if declined is not None:
            reasons.append(explain.declined(by_them=way == "helps_you", days_ago=declined))
        return Match(
            member_id=person.external_id,
            name=person.name,
            kind=person.kind,
            town=person.town,
            country=person.country,
            tags=list(person.tags),
            score=float(fused.score[i]),
            direction=way,
            mutual=mutual,
            reasons=reasons,
            contact=self.view.live.contacts.get(person.member_id),
            forward=float(fused.forward[i]),
            reverse=float(fused.reverse[i]),
            answers=answered(self.view, context, i, way, typed_need),
        )

    def _busy(
        self, seeker: LiveMember, people: list[LiveMember], helping: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate: other members who asked them for help lately (`REQUEST_DAYS`; the
        seeker's own request is theirs to follow up, not a reason to list them last), their
        weekly capacity, and whether they would help here and are asked to capacity."""
        live = self.view.live
        me = seeker.member_id
        asked = np.array(
            [
                live.requests.get(p.member_id, 0) - ((me, p.member_id) in live.askers)
                for p in people
            ],
            dtype=np.int64,
        )
        capacity = np.maximum(np.array([p.capacity for p in people], dtype=np.int64), 0)
        return asked, capacity, helping & (asked >= capacity)

    def _declined(
        self, seeker: LiveMember, people: list[LiveMember], direction: np.ndarray
    ) -> list[int | None]:
        """Per candidate: how many whole days ago whoever would help in this match (the
        candidate where they help the seeker, else the seeker) last said no to the other's
        request, if they did lately (`DECLINE_DAYS`); None if not. A need typed by anyone has
        been declined by no one."""
        declines, me, now = self.view.live.declines, seeker.member_id, self.clock()
        said_no = (
            declines.get((p.member_id, me) if way == "helps_you" else (me, p.member_id))
            for p, way in zip(people, direction, strict=True)
        )
        return [None if when is None else max((now - when).days, 0) for when in said_no]

    def _learned(
        self,
        seeker: LiveMember,
        needs: Items,
        their_needs: Items,
        ids: list[int],
        p_forward: np.ndarray,
        p_reverse: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ranker's scores where the build scored the pair; the content score elsewhere.

        s(A->B) is the best ranker score of B in the candidate lists of A's current needs
        (and the reverse alike); pairs the build could not see (posts written since) keep
        the content score until the next build.
        """
        index = self.index
        n = len(ids)
        rows = index.rows_of(ids)
        mine = np.array([r for kind, r in needs.refs if kind == "build"], dtype=np.int64)
        forward = index.learned_scores(
            np.repeat(mine, n), np.tile(rows, len(mine)), np.tile(np.arange(n), len(mine)), n
        )
        build = np.array([kind == "build" for kind, _ in their_needs.refs], dtype=bool)
        theirs = np.array([r for _, r in their_needs.refs], dtype=np.int64)[build]
        seeker_row = index.member_row.get(seeker.member_id, -1)
        reverse = index.learned_scores(
            theirs, np.full(len(theirs), seeker_row), their_needs.owner[build], n
        )
        return prefer_learned(forward, p_forward), prefer_learned(reverse, p_reverse)
