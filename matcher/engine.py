"""Who could help whom: ranked matches for a member or a typed need, each with its reasons."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select, union_all
from sqlalchemy.orm import Session, sessionmaker

from matcher import explain
from matcher.config import Settings
from matcher.domain import NEED, OFFER, SEPARATING_KINDS
from matcher.embed import CachedEncoder, Encoder
from matcher.errors import InvalidInput, NotFound
from matcher.index import BuildIndex
from matcher.live import LiveChanges, LiveMember
from matcher.pairs import Direction, Items, best_pairs, closeness, tag_overlap
from matcher.retrieve import top_members
from matcher.score import ContentScorer, pair_scores
from matcher.store import Interaction, Member, utcnow

DIRECTIONS = ("helps_you", "you_help", "both")


@dataclass
class Match:
    """One member who could help (or be helped by) another, with the score and the reasons."""

    member_id: str
    name: str
    kind: str
    town: str | None
    tags: list[str]
    score: float
    direction: str  # helps_you | you_help
    mutual: bool
    reasons: list[explain.Reason] = field(default_factory=list)
    contact: str | None = None  # only when the member agreed to share it
    forward: float = 0.0  # s(seeker -> member): they could help the seeker
    reverse: float = 0.0  # s(member -> seeker): the seeker could help them

    def as_dict(self) -> dict[str, Any]:
        """The match as plain JSON-ready data."""
        return {
            "member_id": self.member_id,
            "name": self.name,
            "kind": self.kind,
            "town": self.town,
            "tags": self.tags,
            "score": round(self.score, 4),
            "direction": self.direction,
            "mutual": self.mutual,
            "contact": self.contact,
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Filters:
    """Optional filters on the matched members."""

    kind: str | None = None
    tag: str | None = None
    town: str | None = None
    mutual: bool | None = None


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
        self.encoder = encoder
        self.cached_encoder = CachedEncoder(encoder, sessions) if encoder is not None else None
        self.scorer = ContentScorer.from_manifest(
            index.manifest, settings.content_tag_weight, settings.content_proximity_weight
        )
        in_build = ~index.is_help
        self.live = LiveChanges(
            since=datetime.fromisoformat(index.manifest["data"]["snapshot_at"]),
            known=dict(
                zip(
                    index.item_post[in_build].tolist(),
                    [t for t, keep in zip(index.item_text, in_build, strict=True) if keep],
                    strict=True,
                )
            ),
        )
        self._live_candidates: dict[tuple[int, str], np.ndarray] = {}
        self._superseded_version = -1
        self._next_expiry = -np.inf
        self._live_tags: dict[int, set[str]] = {}
        self._superseded = np.zeros(len(index.items), dtype=bool)
        if encoder is not None and encoder.name != index.manifest["encoder"]["name"]:
            raise InvalidInput(
                f"the build was encoded with {index.manifest['encoder']['name']!r}, "
                f"not {encoder.name!r}: use the same encoder or rebuild",
                field="encoder",
            )

    @property
    def build_id(self) -> str:
        return self.index.build_id

    # -- queries ---------------------------------------------------------------------------

    def for_member(
        self,
        external_id: str,
        *,
        limit: int | None = None,
        direction: str = "helps_you",
        filters: Filters | None = None,
    ) -> list[Match]:
        """Members who could help `external_id` (or whom they could help), best first."""
        if direction not in DIRECTIONS:
            raise InvalidInput(f"direction must be one of {DIRECTIONS}", field="direction")
        limit = limit or self.settings.match_limit
        filters = filters or Filters()
        with self.sessions() as session:
            self._refresh(session)
            seeker = self._member_by_external_id(session, external_id)
            separated = _separated(session, seeker.member_id)
            needs = self._items_of([seeker.member_id], NEED)
            offers = self._items_of([seeker.member_id], OFFER)
            candidates = self._candidates(seeker.member_id, needs, offers, direction)
            candidates = [c for c in candidates if c not in separated and c != seeker.member_id]
            matches = self._score(seeker, needs, offers, candidates, direction, filters, limit)
            self._add_contacts(session, matches)
        return matches

    def explain_pairs(
        self, seeker_external_id: str, member_external_ids: list[str], *, refresh: bool = True
    ) -> list[Match]:
        """The matches between one member and the given others (either direction), with reasons.

        Scored as `for_member(direction="both")` scores them; members that no longer match
        (closed, blocked, or nothing to offer either way) are left out. Same order as given.
        """
        with self.sessions() as session:
            if refresh:
                self._refresh(session)
            seeker = self._member_by_external_id(session, seeker_external_id)
            separated = _separated(session, seeker.member_id)
            rows = session.execute(
                select(Member.id, Member.external_id).where(
                    Member.external_id.in_(member_external_ids)
                )
            ).all()
            ids = [i for i, _ in rows if i not in separated and i != seeker.member_id]
            needs = self._items_of([seeker.member_id], NEED)
            offers = self._items_of([seeker.member_id], OFFER)
            matches = self._score(seeker, needs, offers, ids, "both", Filters(), len(ids) or 1)
            self._add_contacts(session, matches)
        position = {m: i for i, m in enumerate(member_external_ids)}
        return sorted(matches, key=lambda m: position[m.member_id])

    def for_text(
        self,
        text: str,
        *,
        tags: Iterable[str] = (),
        town: str | None = None,
        limit: int | None = None,
        filters: Filters | None = None,
    ) -> list[Match]:
        """Members who could help with a need typed by anyone, best first."""
        if not text or not text.strip():
            raise InvalidInput("the text of the need is empty", field="text")
        if self.encoder is None:
            raise InvalidInput("this matcher has no encoder to read typed needs", field="text")
        limit = limit or self.settings.match_limit
        filters = filters or Filters()
        vector = self.encoder.encode([text.strip()])
        lat, lon = self._town_coordinates(town)
        seeker = LiveMember(-1, "", "", "", town, None, lat, lon, list(tags), 0, True)
        needs = Items(vector, np.zeros(1, dtype=np.int64), [("text", 0)])
        with self.sessions() as session:
            self._refresh(session)
            candidates = self._nearest_members(vector[0], limit * 10)
            matches = self._score(
                seeker,
                needs,
                Items.empty(self.index.vectors.shape[1]),
                candidates,
                "helps_you",
                filters,
                limit,
                typed_need=text.strip(),
            )
            self._add_contacts(session, matches)
        return matches

    # -- candidates ------------------------------------------------------------------------

    def _candidates(self, seeker_id: int, needs: Items, offers: Items, direction: str) -> list[int]:
        index = self.index
        found: set[int] = set()
        if direction in ("helps_you", "both"):
            for kind, ref in needs.refs:
                if kind == "build":
                    slot = index.need_slot[ref]
                    rows = index.candidate_members[slot]
                    found.update(index.member_ids[rows[rows >= 0]].tolist())
                else:
                    found.update(self._live_need_candidates(ref).tolist())
            if needs.refs:
                found.update(p.member_id for p in self.live.open_posts(OFFER))
        if direction in ("you_help", "both"):
            row = index.member_row.get(seeker_id)
            if row is not None:
                slots = index.listed_in(int(row))
                need_rows = index.need_rows[slots]
                need_rows = need_rows[~self._superseded[need_rows]]
                owners = index.item_member[need_rows]
                found.update(index.member_ids[owners].tolist())
            if offers.refs:
                found.update(p.member_id for p in self.live.open_posts(NEED))
        return sorted(found)

    def _live_need_candidates(self, post_id: int) -> np.ndarray:
        """Nearest members of a need written after the build (one full scan, then remembered)."""
        post = self.live.posts[post_id]
        key = (post_id, post.text)
        if key not in self._live_candidates:
            self._live_candidates[key] = self._nearest_members(
                post.vector, self.settings.candidates_per_need, exclude=post.member_id
            )
        return self._live_candidates[key]

    def _nearest_members(
        self, vector: np.ndarray, k: int, exclude: int | None = None
    ) -> np.ndarray:
        """Store ids of the members whose build offers are nearest to `vector` (full scan)."""
        index = self.index
        rows = index.offer_rows[~self._superseded[index.offer_rows]]
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        exclude_row = index.member_row.get(exclude, -1) if exclude is not None else -1
        members, _ = top_members(
            vector[None, :],
            np.array([exclude_row]),
            index.vectors[rows],
            index.item_member[rows],
            k,
        )
        members = members[0][members[0] >= 0]
        return index.member_ids[members]

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
        typed_need: str | None = None,
    ) -> list[Match]:
        people = [self._member(c) for c in candidate_ids]
        people = [p for p in people if p is not None and p.active and _passes(p, filters)]
        if not people:
            return []
        ids = [p.member_id for p in people]
        their_offers = self._items_of(ids, OFFER)
        their_needs = self._items_of(ids, NEED)
        n = len(people)
        forward = best_pairs(needs, their_offers, n, needs_by_candidate=False)
        reverse = best_pairs(their_needs, offers, n, needs_by_candidate=True)

        seeker_tags = self._tagset(seeker) if seeker.member_id >= 0 else _tagset(seeker.tags)
        overlap, shared = tag_overlap(seeker_tags, [self._tagset(p) for p in people])
        same_town, km, near = closeness(
            seeker.town or "",
            np.nan if seeker.latitude is None else seeker.latitude,
            np.nan if seeker.longitude is None else seeker.longitude,
            np.array([(p.town or "").casefold() for p in people]),
            np.array([np.nan if p.latitude is None else p.latitude for p in people]),
            np.array([np.nan if p.longitude is None else p.longitude for p in people]),
            self.settings.proximity_km,
        )
        p_forward = self.scorer.probability(forward.cosine, overlap, near)
        p_reverse = self.scorer.probability(reverse.cosine, overlap, near)
        if self.index.learned is not None:
            p_forward, p_reverse = self._learned(
                seeker, needs, their_needs, ids, p_forward, p_reverse
            )
        fused = pair_scores(p_forward, p_reverse, direction, self.settings.reciprocal_operator)
        score, is_mutual = fused.score, fused.mutual
        eligible = fused.primary > 0
        if filters.mutual is not None:
            eligible &= is_mutual == filters.mutual
        order = [i for i in np.lexsort((np.array(ids), -score)) if eligible[i]][:limit]
        context = _Context(seeker, needs, offers, their_offers, their_needs, forward, reverse)
        matches = []
        for i in order:
            person = people[i]
            reasons = self._reasons(
                context,
                i,
                person,
                bool(is_mutual[i]),
                shared[i],
                same_town[i],
                km[i],
                typed_need=typed_need,
            )
            matches.append(
                Match(
                    member_id=person.external_id,
                    name=person.name,
                    kind=person.kind,
                    town=person.town,
                    tags=list(person.tags),
                    score=float(score[i]),
                    direction=str(fused.direction[i]),
                    mutual=bool(is_mutual[i]),
                    reasons=reasons,
                    forward=float(p_forward[i]),
                    reverse=float(p_reverse[i]),
                )
            )
        return matches

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
        rows = np.array([index.member_row.get(m, -1) for m in ids], dtype=np.int64)
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

    # -- reasons ---------------------------------------------------------------------------

    def _reasons(
        self,
        ctx: _Context,
        i: int,
        person: LiveMember,
        is_mutual: bool,
        shared: list[str],
        same_town: bool,
        km: float,
        typed_need: str | None,
    ) -> list[explain.Reason]:
        reasons: list[explain.Reason] = []
        if ctx.forward.offer[i] >= 0:
            need_id, need_text = self._describe_item(ctx.needs, ctx.forward.need[i], typed_need)
            offer_id, offer_text, side = self._item_text(
                ctx.their_offers.refs[ctx.forward.offer[i]]
            )
            reasons.append(
                explain.need_met_by_offer(
                    need_id, need_text, offer_id, offer_text, side, ctx.forward.cosine[i]
                )
            )
        if ctx.reverse.need[i] >= 0 and (is_mutual or ctx.forward.offer[i] < 0):
            need_id, need_text, _ = self._item_text(ctx.their_needs.refs[ctx.reverse.need[i]])
            offer_id, offer_text, side = self._item_text(ctx.offers.refs[ctx.reverse.offer[i]])
            reasons.append(
                explain.you_could_help(
                    need_id, need_text, offer_id, offer_text, side, ctx.reverse.cosine[i]
                )
            )
        if is_mutual:
            reasons.append(explain.mutual())
        if shared:
            reasons.append(explain.shared_tags(shared))
        if same_town and person.town:
            reasons.append(explain.same_town(person.town))
        elif np.isfinite(km) and km <= 4 * self.settings.proximity_km:
            reasons.append(explain.nearby(km, person.town))
        reasons.extend(self._history_reasons(ctx.seeker.member_id, person.member_id))
        return reasons

    def _history_reasons(self, seeker_id: int, member_id: int) -> list[explain.Reason]:
        index = self.index
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
            out.append(explain.helped_others(others))
        if seeker_row is not None:
            common = np.intersect1d(index.neighbours(row), index.neighbours(seeker_row))
            common = common[(common != row) & (common != seeker_row)]
            if len(common):
                out.append(explain.mutual_connections(len(common)))
        return out

    def _describe_item(self, items: Items, row: int, typed_need: str | None) -> tuple[str, str]:
        kind, ref = items.refs[row]
        if kind == "text":
            return "", typed_need or ""
        external_id, text, _ = self._item_text((kind, ref))
        return external_id, text

    def _item_text(self, ref: tuple[str, int]) -> tuple[str, str, str]:
        kind, key = ref
        if kind == "build":
            index = self.index
            return index.item_external[key], index.item_text[key], str(index.item_side[key])
        post = self.live.posts[key]
        return post.external_id, post.text, post.side

    # -- data ------------------------------------------------------------------------------

    def _refresh(self, session: Session) -> None:
        moment = self.clock()
        self.live.refresh(session, self.cached_encoder, moment)
        now = moment.timestamp()
        if len(self.live.posts) != self._superseded_version or now >= self._next_expiry:
            index = self.index
            changed = np.fromiter(self.live.posts.keys(), dtype=np.int64)
            expired = index.item_expires <= now
            self._superseded = (np.isin(index.item_post, changed) & ~index.is_help) | expired
            later = index.item_expires[~expired]
            self._next_expiry = float(later.min()) if len(later) else np.inf
            self._superseded_version = len(self.live.posts)
            self._live_tags = {}
            for post in self.live.posts.values():
                if post.open:
                    self._live_tags.setdefault(post.member_id, set()).update(_tagset(post.tags))

    def _items_of(self, member_ids: list[int], side: str) -> Items:
        """The current texts of one side of these members: the build's, minus changed, plus live."""
        index = self.index
        known = [
            (i, index.member_row[m]) for i, m in enumerate(member_ids) if m in index.member_row
        ]
        positions = np.array([i for i, _ in known], dtype=np.int64)
        member_rows = np.array([r for _, r in known], dtype=np.int64)
        build_rows, owner = index.items_of(member_rows, side)
        keep = ~self._superseded[build_rows]
        build_rows, owner = build_rows[keep], positions[owner[keep]]
        order = np.argsort(build_rows, kind="stable")  # read the memory map in file order
        build_rows, owner = build_rows[order], owner[order]
        vectors = [np.asarray(index.vectors[build_rows])]
        owners = [owner]
        refs = [("build", r) for r in build_rows.tolist()]
        live = self.live.open_posts(side)
        if live:
            position = {m: i for i, m in enumerate(member_ids)}
            mine = [p for p in live if p.member_id in position]
            if mine:
                vectors.append(np.stack([p.vector for p in mine]))
                owners.append(np.array([position[p.member_id] for p in mine], dtype=np.int64))
                refs.extend(("live", p.post_id) for p in mine)
        if not refs:
            return Items.empty(index.vectors.shape[1])
        return Items(np.concatenate(vectors).astype(np.float32), np.concatenate(owners), refs)

    def _tagset(self, member: LiveMember) -> frozenset[str]:
        """A member's tags with those of their posts, as compared."""
        row = self.index.member_row.get(member.member_id)
        tags = set(self.index.member_tagsets[row]) if row is not None else set()
        tags |= _tagset(member.tags)
        tags |= self._live_tags.get(member.member_id, set())
        return frozenset(tags)

    def _member(self, member_id: int) -> LiveMember | None:
        if member_id in self.live.members:
            return self.live.members[member_id]
        row = self.index.member_row.get(member_id)
        if row is None:
            return None
        index = self.index
        lat, lon = index.latitude[row], index.longitude[row]
        return LiveMember(
            member_id,
            index.member_external[row],
            index.member_name[row],
            index.member_kind[row],
            index.member_town[row],
            index.member_country[row],
            None if np.isnan(lat) else float(lat),
            None if np.isnan(lon) else float(lon),
            index.member_tags[row],
            int(index.member_capacity[row]),
            True,
        )

    def _member_by_external_id(self, session: Session, external_id: str) -> LiveMember:
        member_id = session.scalar(select(Member.id).where(Member.external_id == external_id))
        person = self._member(member_id) if member_id is not None else None
        if person is None or not person.active:
            raise NotFound(f"no active member {external_id!r}")
        return person

    def _town_coordinates(self, town: str | None) -> tuple[float | None, float | None]:
        if not town:
            return None, None
        here = self.index.town == town.casefold()
        lats, lons = self.index.latitude[here], self.index.longitude[here]
        known = ~np.isnan(lats)
        if not known.any():
            return None, None
        return float(np.median(lats[known])), float(np.median(lons[known]))

    def _add_contacts(self, session: Session, matches: list[Match]) -> None:
        if not matches:
            return
        rows = session.execute(
            select(Member.external_id, Member.contact).where(
                Member.external_id.in_([m.member_id for m in matches]),
                Member.share_contact.is_(True),
            )
        ).all()
        contacts = dict(rows)
        for match in matches:
            match.contact = contacts.get(match.member_id)


@dataclass
class _Context:
    seeker: LiveMember
    needs: Items
    offers: Items
    their_offers: Items
    their_needs: Items
    forward: Direction
    reverse: Direction


def prefer_learned(learned: np.ndarray, content: np.ndarray) -> np.ndarray:
    """The ranker's score where it has one and the pair still exists (content > 0)."""
    return np.where(np.isnan(learned) | (content <= 0), content, learned)


def _separated(session: Session, member_id: int) -> set[int]:
    """Members kept apart from this one by a block or a report, in either direction.

    Two lookups joined by UNION ALL, so each uses its own index on the member column.
    """
    kinds = sorted(SEPARATING_KINDS)
    query = union_all(
        select(Interaction.to_member_id).where(
            Interaction.from_member_id == member_id, Interaction.kind.in_(kinds)
        ),
        select(Interaction.from_member_id).where(
            Interaction.to_member_id == member_id, Interaction.kind.in_(kinds)
        ),
    )
    return set(session.scalars(query))


def _tagset(*groups: Iterable[str]) -> set[str]:
    return {t.strip().casefold() for g in groups for t in g if t and t.strip()}


def _passes(person: LiveMember, filters: Filters) -> bool:
    if filters.kind and person.kind != filters.kind:
        return False
    if filters.town and (person.town or "").casefold() != filters.town.casefold():
        return False
    return not (filters.tag and filters.tag.casefold() not in _tagset(person.tags))
