"""The build as it is now: a loaded build plus what changed in the store since it was made."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.domain import NEED, OFFER, fold_tag
from matcher.embed import CachedEncoder
from matcher.errors import NotFound
from matcher.index import BuildIndex, covered
from matcher.live import REREAD, LiveChanges, LiveMember, LivePost, fingerprint
from matcher.pairs import Items
from matcher.places import TypedPlaces
from matcher.retrieve import top_members
from matcher.store import Member, Post


class BuiltFingerprints(Mapping[int, tuple]):
    """The `fingerprint` of each open post a build holds, by post id, made when asked for:
    made for every post up front, they were a tuple each in every worker (5 MB of Python
    objects at 10k members), for the few posts read again since the build."""

    def __init__(self, index: BuildIndex, post_row: dict[int, int]) -> None:
        self.index = index
        self.post_row = post_row

    def __getitem__(self, post_id: int) -> tuple:
        row, index = self.post_row[post_id], self.index
        return fingerprint(
            index.member_ids[index.item_member[row]],
            index.item_side[row],
            index.item_text[row],
            index.item_tags[row],
            index.item_expires[row],
        )

    def __iter__(self) -> Iterator[int]:
        return iter(self.post_row)

    def __len__(self) -> int:
        return len(self.post_row)


class CurrentView:
    """Members, their open texts and tags as they are now: the build's, minus what changed or
    expired since, plus what was written since (read incrementally by `refresh`)."""

    def __init__(self, index: BuildIndex, candidates_per_need: int) -> None:
        self.index = index
        self.candidates_per_need = candidates_per_need
        posts = np.flatnonzero(~index.is_help)  # the build's rows of posts (not help given)
        self._post_row = dict(zip(index.item_post[posts].tolist(), posts.tolist(), strict=True))
        self._help_posts = frozenset(index.item_post[index.is_help].tolist())  # needs helped
        # From REREAD before the snapshot: a write stamped before it (an import stamps its
        # rows as its writing starts) may have committed after the build read the store.
        # Rows the build holds as they are are skipped (`known`).
        snapshot = datetime.fromisoformat(index.manifest["data"]["snapshot_at"])
        self.live = LiveChanges(
            since=snapshot - REREAD,
            known=BuiltFingerprints(index, self._post_row),
            built=self._built_vector,
            as_built=self._member_as_built,
            holds=self._holds_post,
        )
        self.superseded = np.zeros(len(index.items), dtype=bool)  # build rows no longer open
        self._built_members: dict[int, LiveMember] = {}  # build rows read so far (immutable)
        # The nearest members of each post written since the build: (its text, their ids).
        self._live_candidates: dict[int, tuple[str, np.ndarray]] = {}
        self._version = -1
        self._next_expiry = -np.inf
        # Tags of the open posts written since the build, by side, per member.
        self._live_tags: dict[str, dict[int, set[str]]] = {NEED: {}, OFFER: {}}
        # Where a place typed in a search is, read from the build's members once per place.
        self.places = TypedPlaces(index.town, index.country, index.latitude, index.longitude)
        self._changed_owners: frozenset[int] = frozenset()  # members with a post changed since
        # Members closed since the build, and their posts (`_closed_posts`).
        self._closed: tuple[frozenset[int], np.ndarray] = (frozenset(), np.zeros(0, np.int64))
        self._refreshing = threading.Lock()

    def rows_as_built(self) -> np.ndarray:
        """Build rows of posts changed since the build that are open now and read as the build
        holds them (the same words, writer and side: retagged, say, or given a new expiry)."""
        index, now = self.index, self.live.now
        found = ((self._row_as_built(p.post_id, p.text), p) for p in self.live.all_posts())
        rows = [
            row
            for row, post in found
            if row is not None
            and post.open_at(now)
            and (index.item_side[row], index.member_ids[index.item_member[row]])
            == (post.side, post.member_id)
        ]
        return np.array(rows, dtype=np.int64)

    def _built_vector(self, post_id: int, text: str) -> np.ndarray | None:
        """The build's vector of a post, if the build holds it with this text."""
        row = self._row_as_built(post_id, text)
        return None if row is None else np.array(self.index.vectors[row], dtype=np.float32)

    def _row_as_built(self, post_id: int, text: str) -> int | None:
        """The build's row of a post, if the build holds it with this text."""
        row = self._post_row.get(post_id)
        return row if row is not None and self.index.item_text[row] == text else None

    def candidates(self, seeker_id: int, needs: Items, offers: Items, direction: str) -> list[int]:
        """Members who could help with the seeker's needs (helps_you), whose needs the seeker's
        offers could meet (you_help), or both, from the build's lists and what was written since."""
        index = self.index
        found: set[int] = set()
        if direction in ("helps_you", "both"):
            for kind, ref in needs.refs:
                if kind == "build":
                    slot = index.need_slot[ref]
                    rows = index.candidate_members[slot]
                    found.update(index.member_ids[rows[rows >= 0]].tolist())
                else:
                    found.update(self.live_post_candidates(ref).tolist())
            if needs.refs:
                found.update(self.live_offerers())
        if direction in ("you_help", "both"):
            row = index.member_row.get(seeker_id)
            if row is not None:
                slots = index.listed_in(int(row))
                need_rows = index.need_rows[slots]
                need_rows = need_rows[~self.superseded[need_rows]]
                owners = index.item_member[need_rows]
                found.update(index.member_ids[owners].tolist())
            for kind, ref in offers.refs:
                if kind != "build":  # an offer written since: the build's lists cannot hold it
                    found.update(self.live_post_candidates(ref).tolist())
            if offers.refs:
                found.update(p.member_id for p in self.live.open_posts(NEED))
        return sorted(found)

    def live_offerers(self) -> set[int]:
        """Members with an open offer written or edited since the build: candidates of any
        need, which the build's lists cannot hold."""
        return {p.member_id for p in self.live.open_posts(OFFER)}

    def live_post_candidates(self, post_id: int) -> np.ndarray:
        """The members nearest a post written after the build (one full scan, then remembered):
        for a need, those whose build offers are nearest (who could help); for an offer,
        those whose build needs are (whom its writer could help)."""
        post = self.live.post(post_id)
        if post.vector is None:  # closed by another thread's refresh since it was listed
            return np.zeros(0, dtype=np.int64)
        known = self._live_candidates.get(post_id)
        if known is None or known[0] != post.text:  # new, or edited since: one entry a post
            members = self.nearest_members(
                post.vector,
                self.candidates_per_need,
                exclude=post.member_id,
                side=OFFER if post.side == NEED else NEED,
            )
            known = self._live_candidates[post_id] = (post.text, members)
        return known[1]

    def nearest_members(
        self,
        vector: np.ndarray,
        k: int,
        exclude: int | None = None,
        eligible: np.ndarray | None = None,
        side: str = OFFER,
    ) -> np.ndarray:
        """Store ids of the members whose open build posts of `side` (offers by default) are
        nearest to `vector` (full scan), among the member rows `eligible` marks (bool per
        member row; None: everyone)."""
        index = self.index
        rows = index.offer_rows if side == OFFER else index.need_rows
        rows = rows[~self.superseded[rows]]
        if eligible is not None:
            rows = rows[eligible[index.item_member[rows]]]
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

    def item_text(self, ref: tuple[str, int]) -> tuple[str, str, str]:
        """External id, text and side of a build row or a live post."""
        kind, key = ref
        if kind == "build":
            index = self.index
            return index.item_external[key], index.item_text[key], str(index.item_side[key])
        post = self.live.post(key)
        return post.external_id, post.text, post.side

    def refresh(self, session: Session, encoder: CachedEncoder | None, moment: datetime) -> None:
        """Read what changed since the last refresh and mark the build rows it replaces."""
        self.live.refresh(session, encoder, moment)
        now = moment.timestamp()
        if self.live.version == self._version and now < self._next_expiry:
            return
        with self._refreshing:  # one thread recomputes; each result is assigned whole
            version = self.live.version  # read first: a change after it is seen next time
            if version == self._version and now < self._next_expiry:
                return  # another thread did it while this one waited
            posts = self.live.all_posts()
            expired = self.index.item_expires <= now
            superseded = self._superseded(session, posts, expired)
            self.superseded = superseded  # whole: readers never see it half-made
            self._next_expiry = min(self._next_built_expiry(expired), self.live.next_expiry())
            self._live_tags = _open_tags(posts, moment)
            self._changed_owners = self._owners_changed(posts, expired, superseded)
            self._version = version

    def _superseded(
        self, session: Session, posts: Iterable[LivePost], expired: np.ndarray
    ) -> np.ndarray:
        """Which build rows no longer count (bool per row): posts changed or expired since the
        build, and those of members closed since; help with needs reworded since, or of
        members closed since."""
        index = self.index
        changed = np.array([p.post_id for p in posts], dtype=np.int64)
        superseded = (np.isin(index.item_post, changed) & ~index.is_help) | expired
        # Help with the needs of members closed since the build no longer counts, nor with
        # needs reworded since: their words are their writer's (the next build reads the
        # help in the new words). A need closed once helped still counts.
        superseded |= index.is_help & np.isin(index.item_post, self._closed_posts(session))
        # The needs and offers of members closed since the build are no one's to match.
        closed = index.rows_of(sorted(self._closed[0]))
        superseded |= ~index.is_help & np.isin(index.item_member, closed[closed >= 0])
        superseded[self._reworded_help(posts)] = True
        return superseded

    def _next_built_expiry(self, expired: np.ndarray) -> float:
        """When the next build row not `expired` expires (seconds; inf: none does)."""
        later = self.index.item_expires[~expired]
        return float(later.min()) if len(later) else np.inf

    def _owners_changed(
        self, posts: Iterable[LivePost], expired: np.ndarray, superseded: np.ndarray
    ) -> frozenset[int]:
        """Store ids of the members whose tags may differ from the build's: writers of posts
        changed or expired since, and helpers whose help no longer counts."""
        index = self.index
        owners = {p.member_id for p in posts}
        owners.update(index.member_ids[index.item_member[expired & ~index.is_help]].tolist())
        # Helpers whose help no longer counts lend its tags no more either.
        owners.update(index.member_ids[index.item_member[superseded & index.is_help]].tolist())
        return frozenset(owners)

    def _reworded_help(self, posts: Iterable[LivePost]) -> np.ndarray:
        """The build's help rows of these posts whose text is no longer the post's."""
        index = self.index
        text = {p.post_id: p.text for p in posts}
        rows = np.flatnonzero(index.is_help & np.isin(index.item_post, list(text)))
        return np.array(
            [r for r in rows.tolist() if index.item_text[r] != text[int(index.item_post[r])]],
            dtype=np.int64,
        )

    def _closed_posts(self, session: Session) -> np.ndarray:
        """The posts of the members closed since the build: read from the store only when
        that set of members changed, not at every change of a post."""
        closed = frozenset(m.member_id for m in self.live.members.values() if not m.active)
        if closed != self._closed[0]:
            found = session.scalars(select(Post.id).where(Post.member_id.in_(closed))).all()
            self._closed = (closed, np.array(found, dtype=np.int64))
        return self._closed[1]

    def items_of(self, member_ids: list[int], side: str) -> Items:
        """The current texts of one side of these members: the build's, minus changed, plus live."""
        index = self.index
        rows = index.rows_of(member_ids)
        positions = np.flatnonzero(rows >= 0)
        build_rows, owner = index.items_of(rows[positions], side)
        keep = ~self.superseded[build_rows]
        build_rows, owner = build_rows[keep], positions[owner[keep]]
        order = np.argsort(build_rows, kind="stable")  # read the memory map in file order
        build_rows, owner = build_rows[order], owner[order]
        vectors = [np.asarray(index.vectors[build_rows])]
        owners, posts = [owner], [index.item_post[build_rows]]
        hubs = [index.item_hub[build_rows]]
        refs = [("build", r) for r in build_rows.tolist()]
        # A need's tags, what it needs (an offer's are read from its member, `tagset`).
        needs = side == NEED
        tags = [
            frozenset(fold_tags(index.item_tags[r])) if needs else frozenset()
            for r in build_rows.tolist()
        ]
        live = self.live.open_posts(side)
        if live:
            position = {m: i for i, m in enumerate(member_ids)}
            mine = [p for p in live if p.member_id in position]
            if mine:
                vectors.append(np.stack([p.vector for p in mine]))
                owners.append(np.array([position[p.member_id] for p in mine], dtype=np.int64))
                posts.append(np.array([p.post_id for p in mine], dtype=np.int64))
                refs.extend(("live", p.post_id) for p in mine)
                tags.extend(frozenset(fold_tags(p.tags) if needs else ()) for p in mine)
                hubs.append(np.array([self._built_hub(p) for p in mine], dtype=np.float32))
        if not refs:
            return Items.empty(index.vectors.shape[1])
        vectors = np.concatenate(vectors) if len(vectors) > 1 else vectors[0]
        helped = np.zeros(len(refs), dtype=bool)  # live rows are posts
        helped[: len(build_rows)] = index.is_help[build_rows]
        owner = np.concatenate(owners)
        if needs:  # a need of no tags of its own needs what its member listed
            tags = [
                t or self._listed(member_ids[o]) for t, o in zip(tags, owner.tolist(), strict=True)
            ]
        return Items(
            vectors.astype(np.float32, copy=False),
            owner,
            refs,
            np.concatenate(posts),
            helped,
            np.concatenate(hubs),
            tags,
        )

    def _listed(self, member_id: int) -> frozenset[str]:
        """A member's own listed tags as they are now (folded)."""
        member = self.member(member_id)
        return frozenset(fold_tags(member.tags)) if member is not None else frozenset()

    def _built_hub(self, post: LivePost) -> float:
        """How near a live post's text is to everything on the other side: as built when the
        build holds it in these words (retagged since, say), else as a typical text's (0)."""
        row = self._row_as_built(post.post_id, post.text)
        return 0.0 if row is None else float(self.index.item_hub[row])

    def member_rows_passing(
        self, keep: Callable[[LiveMember], bool], built: np.ndarray
    ) -> np.ndarray:
        """Which member rows pass a filter now: `built` (bool per row, from the build's fields)
        for the members unchanged since, `keep` of the member as now for the others."""
        passing = np.asarray(built, dtype=bool).copy()
        for member_id in self.changed_members():
            row = self.index.member_row.get(member_id)
            person = self.member(member_id)
            if row is not None and person is not None:
                passing[row] = keep(person)
        return passing

    def tagset(self, member: LiveMember, side: str | None = None) -> frozenset[str]:
        """A member's tags with those of their open posts, as compared (`side` NEED: only of
        what they need, listed and of their needs; OFFER: of what they can do, listed, of
        their offers and of the needs they helped with): the build's set while nothing of
        theirs changed, else made again from their tags and posts as they are now (a post
        retagged, closed or expired no longer lends its tags)."""
        index = self.index
        row = index.member_row.get(member.member_id)
        sides = (NEED, OFFER) if side is None else (side,)
        if not self._tags_changed(member.member_id):
            if row is None:
                return frozenset()
            return index.tagset(row, side)
        tags = fold_tags(member.tags)
        for s in sides:
            tags |= self._live_tags[s].get(member.member_id, set())
        if row is not None:
            for side in sides:
                rows, _ = index.items_of(np.array([row]), side)
                for item in rows[~self.superseded[rows]].tolist():
                    tags |= fold_tags(index.item_tags[item])
        return frozenset(tags)

    def changed_members(self) -> frozenset[int]:
        """Store ids of the members whose fields or posts changed (or expired) since the build."""
        return frozenset({*self.live.members, *self._changed_owners})

    def _tags_changed(self, member_id: int) -> bool:
        """Whether the member or one of their posts changed (or expired) since the build."""
        return member_id in self.live.members or member_id in self._changed_owners

    def needs_overlap(
        self, needs: Sequence[frozenset[str]], people: list[LiveMember]
    ) -> np.ndarray:
        """How much of what one member needs each person can do, need by need: the best share
        of a need's (folded) tags that the person can do (`pairs.needs_covered`)."""
        best = np.zeros(len(people))
        for tags in set(needs) - {frozenset()}:
            best = np.maximum(best, self.tag_overlap(tags, people))
        return best

    def tag_overlap(self, tags: frozenset[str], people: list[LiveMember]) -> np.ndarray:
        """How much of what one needs each person can do (`index.covered`): the share of a set
        of (folded) tags among each person's tags of what they can do as they are now: the
        build's tag matrices for those unchanged since, their tag sets for the others."""
        ids = [p.member_id for p in people]
        rows = self.index.rows_of(ids)
        changed = np.array([self._tags_changed(m) for m in ids], dtype=bool) | (rows < 0)
        overlap = np.zeros(len(people))
        same = np.flatnonzero(~changed)
        overlap[same] = self.index.tag_overlap(tags, rows[same])
        others = np.flatnonzero(changed)
        shared = [len(tags & self.tagset(people[i], OFFER)) for i in others]
        overlap[others] = covered(np.array(shared, np.float64), np.full(len(others), len(tags)))
        return overlap

    def member(self, member_id: int) -> LiveMember | None:
        """The member as now: changed since the build (live), else as the build has them."""
        if member_id in self.live.members:
            return self.live.members[member_id]
        row = self.index.member_row.get(member_id)
        if row is None:
            return None
        built = self._built_members.get(row)
        if built is None:
            built = self._built_members[row] = self._member_of_row(member_id, row)
        return built

    def _holds_post(self, post_id: int) -> bool:
        """Whether the build holds a post: open, or a need helped with."""
        return post_id in self._post_row or post_id in self._help_posts

    def _member_as_built(self, member: LiveMember) -> bool:
        """Whether the build holds this member as they are now: active with the same fields,
        or closed and not at all."""
        row = self.index.member_row.get(member.member_id)
        if row is None or not member.active:
            return row is None and not member.active
        index = self.index
        held = (
            index.member_external[row],
            index.member_name[row],
            index.member_kind[row],
            index.member_town[row],
            index.member_country[row],
            index.member_tags[row],
            int(index.member_capacity[row]),
        )
        fields = (member.external_id, member.name, member.kind, member.town, member.country)
        now = (*fields, [str(t) for t in member.tags], member.capacity)
        return now == held and _same_place(
            (member.latitude, member.longitude),
            (index.given_latitude[row], index.given_longitude[row]),
        )

    def _member_of_row(self, member_id: int, row: int) -> LiveMember:
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

    def member_ids(self, session: Session, external_ids: Iterable[str]) -> dict[str, int]:
        """Store ids of members by external id (ids never change: the build knows most)."""
        index = self.index
        out, missing = {}, []
        for external_id in external_ids:
            row = index.external_row.get(external_id)
            if row is not None:
                out[external_id] = int(index.member_ids[row])
            else:
                missing.append(external_id)
        if missing:
            query = select(Member.external_id, Member.id).where(Member.external_id.in_(missing))
            out.update(dict(session.execute(query).all()))
        return out

    def member_by_external_id(
        self, session: Session, external_id: str, field: str | None = None
    ) -> LiveMember:
        """The member with this external id as they are now; NotFound (naming `field`, if
        the id came in one) unless active."""
        member_id = self.member_ids(session, [external_id]).get(external_id)
        person = self.member(member_id) if member_id is not None else None
        if person is None or not person.active:
            raise NotFound(f"no active member {external_id!r}", field)
        return person

    # A place typed in a search, read from the build (`TypedPlaces`): its methods, here too.

    def typed_place(self, place: str | None) -> tuple[str, str]:
        """A typed place as a folded town and country (`TypedPlaces.typed_place`)."""
        return self.places.typed_place(place)

    def knows_place(self, place: str) -> bool:
        """Whether the typed place brings anyone nearer (`TypedPlaces.knows_place`)."""
        return self.places.knows_place(place)

    def place_coordinates(self, place: str | None) -> tuple[float | None, float | None]:
        """Where a typed place is (`TypedPlaces.place_coordinates`)."""
        return self.places.place_coordinates(place)


def _open_tags(posts: Iterable[LivePost], moment: datetime) -> dict[str, dict[int, set[str]]]:
    """The (folded) tags of the posts open at `moment`, by side, per member."""
    tags: dict[str, dict[int, set[str]]] = {NEED: {}, OFFER: {}}
    for post in posts:
        if post.open_at(moment):
            tags[post.side].setdefault(post.member_id, set()).update(fold_tags(post.tags))
    return tags


def fold_tags(*groups: Iterable[str]) -> set[str]:
    """Tags as compared: stripped and case-folded."""
    return {fold_tag(t) for g in groups for t in g if t and t.strip()}


def _same_place(now: tuple[float | None, float | None], built: tuple[float, float]) -> bool:
    """The same coordinates, a missing one (None now, NaN in the build) alike."""
    return all(
        (a is None and np.isnan(b)) or (a is not None and a == b)
        for a, b in zip(now, built, strict=True)
    )
