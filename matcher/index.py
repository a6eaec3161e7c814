"""A loaded model build: member table, match items, vectors and candidate lists (memory-mapped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import MultiLabelBinarizer

from matcher import artifacts, gazetteer
from matcher.corpus import HELPED
from matcher.domain import NEED, OFFER, fold_tag
from matcher.errors import BuildError
from matcher.geo import fold_places, member_points
from matcher.learn import LEARNED_FILE
from matcher.pairs import kind_shares
from matcher.rank import Ranker


def gather_groups(
    indptr: np.ndarray, rows: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The rows of several groups of a CSR layout, and the position in `groups` of each."""
    groups = np.asarray(groups, dtype=np.int64)
    counts = indptr[groups + 1] - indptr[groups]
    owner = np.repeat(np.arange(len(groups)), counts)
    offsets = np.repeat(indptr[groups] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return rows[np.arange(int(counts.sum())) + offsets], owner


def _csr(groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by `groups` as (indptr, rows), rows in ascending order within a group."""
    order = np.argsort(groups, kind="stable")
    indptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=n_groups), out=indptr[1:])
    return indptr, order


@dataclass
class BuildIndex:
    """Everything a build holds for serving, with lookups by member."""

    folder: Path
    manifest: dict[str, Any]
    members: pd.DataFrame  # row = member row; columns of build.MEMBER_TABLE_COLUMNS
    items: pd.DataFrame  # row = item row: post_id, external_id, side, text, tags, member_row
    vectors: np.ndarray  # (n_items, dim), normalized float32, memory-mapped
    need_rows: np.ndarray  # item row of each candidate slot
    candidate_members: np.ndarray  # (n_needs, K) member rows, -1 padded
    candidate_scores: np.ndarray  # (n_needs, K) cosine
    helped_by_indptr: np.ndarray  # member row -> slots of needs listing that member
    helped_by_needs: np.ndarray
    help_graph: sparse.csr_matrix  # (n_members, n_members) helped counts, helper -> seeker
    learned: np.ndarray | None = None  # (n_needs, K) the ranker's scores of the lists, if any
    _ranker: Ranker | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, models_dir: Path, build: str = artifacts.CURRENT) -> BuildIndex:
        """Load `build` (default: current) from `models_dir`, refusing incompatible builds."""
        folder = artifacts.resolve(models_dir, build)
        manifest = artifacts.read_manifest(folder)
        try:
            index = cls._read(folder, manifest)
            index._check_sizes()
            gazetteer.remember(folder / gazetteer.BUILD_FILE)  # its members' towns: found already
        except (OSError, ValueError, KeyError) as exc:  # a file missing, cut short or mangled
            name = getattr(exc, "filename", None)
            what = f"{Path(name).name}: " if name else ""
            raise BuildError(
                f"the build {folder.name} is damaged ({what}{exc}): switch to another with "
                "`matcher builds --use BUILD_ID`, or run `matcher build`"
            ) from exc
        index._prepare()
        return index

    @classmethod
    def _read(cls, folder: Path, manifest: dict[str, Any]) -> BuildIndex:
        def array(name: str) -> np.ndarray:
            # A plain ndarray over the memory map: numpy's memmap subclass adds Python-level
            # work to every indexing, which the request path does dozens of times.
            return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r"))

        learned = manifest.get("ranker", {}).get("used", False)  # its scores must be there
        return cls(
            folder=folder,
            manifest=manifest,
            members=pd.read_parquet(folder / "members.parquet"),
            items=pd.read_parquet(folder / "items.parquet"),
            vectors=array("vectors"),
            need_rows=np.asarray(array("need_rows")),
            candidate_members=array("candidate_members"),
            candidate_scores=array("candidate_scores"),
            helped_by_indptr=np.asarray(array("helped_by_indptr")),
            helped_by_needs=array("helped_by_needs"),
            help_graph=sparse.load_npz(folder / "help_graph.npz").tocsr(),
            learned=np.asarray(np.load(folder / LEARNED_FILE, mmap_mode="r")) if learned else None,
        )

    def _check_sizes(self) -> None:
        """The arrays agree with each other (a file from another build would not)."""
        n_items, n_needs = len(self.items), len(self.need_rows)
        sizes = {
            "vectors.npy": (len(self.vectors), n_items),
            "candidate_members.npy": (len(self.candidate_members), n_needs),
            "candidate_scores.npy": (self.candidate_scores.shape, self.candidate_members.shape),
            "helped_by_indptr.npy": (len(self.helped_by_indptr), len(self.members) + 1),
        }
        if self.learned is not None:
            sizes[LEARNED_FILE] = (self.learned.shape, self.candidate_members.shape)
        for name, (found, wanted) in sizes.items():
            if found != wanted:
                raise ValueError(f"{name} holds {found} rows where the build has {wanted}")

    def _prepare(self) -> None:
        """Plain arrays and lists for the request path: no DataFrame lookups while serving."""
        members, items = self.members, self.items
        n_members = len(members)
        self.member_ids = members["member_id"].to_numpy(dtype=np.int64)
        self.member_row = {int(m): row for row, m in enumerate(self.member_ids)}
        self._id_order = np.argsort(self.member_ids, kind="stable")
        self._sorted_ids = self.member_ids[self._id_order]
        self.member_external = members["external_id"].astype(str).tolist()
        self.external_row = {e: row for row, e in enumerate(self.member_external)}
        self.member_name = members["name"].astype(str).tolist()
        # One string per distinct kind, town, country, side and tag, not one per use: each
        # worker holds them for every member and text, and the same few recur in all of them.
        one: dict[str, str] = {}
        self.member_kind = [one.setdefault(k, k) for k in members["kind"].astype(str)]
        self.member_town = [
            None if pd.isna(t) else one.setdefault(str(t), str(t)) for t in members["town"]
        ]
        self.member_country = [
            None if pd.isna(c) else one.setdefault(str(c), str(c)) for c in members["country"]
        ]
        self.member_tags = [
            [one.setdefault(t, t) for t in map(str, tags)] for tags in members["tags"]
        ]
        self.member_capacity = members["capacity"].to_numpy(dtype=np.int64)
        # As the members gave them (NaN: none; a column of no coordinates at all is read back
        # as None), and with their towns' centres where they gave none (`member_points`).
        self.given_latitude, self.given_longitude = (
            members[column].to_numpy(dtype=np.float64, na_value=np.nan)
            for column in ("latitude", "longitude")
        )
        self.latitude, self.longitude = member_points(
            self.member_town, self.member_country, self.given_latitude, self.given_longitude
        )
        self.town, self.country = fold_places(self.member_town, self.member_country)
        self.kind = np.array(self.member_kind, dtype=object)  # for filtering all rows at once
        self.kind_shares = kind_shares(self.member_kind)  # how much a shared kind tells

        self.item_member = items["member_row"].to_numpy(dtype=np.int64)
        self.item_post = items["post_id"].to_numpy(dtype=np.int64)
        self.item_side = np.array([one.setdefault(v, v) for v in items["side"]], dtype=object)
        self.item_external = items["external_id"].astype(str).tolist()
        self.item_text = items["text"].astype(str).tolist()
        self.item_tags = [[one.setdefault(t, t) for t in map(str, tags)] for tags in items["tags"]]
        # How near each text is to everything on the other side (`retrieve.hubness`; 0 in a
        # build made before it was kept: as near as a typical text).
        self.item_hub = (
            items["hub"].to_numpy(dtype=np.float32)
            if "hub" in items
            else np.zeros(len(items), dtype=np.float32)
        )
        expires = pd.to_datetime(items["expires_at"], utc=True)
        seconds = (expires - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        self.item_expires = seconds.fillna(np.inf).to_numpy(dtype=np.float64)  # inf: never
        self.is_need = self.item_side == NEED
        self.is_help = self.item_side == HELPED
        self.need_slot = np.full(len(items), -1, dtype=np.int64)
        self.need_slot[self.need_rows] = np.arange(len(self.need_rows))
        needs = np.flatnonzero(self.is_need)
        offers = np.flatnonzero(~self.is_need)
        indptr, order = _csr(self.item_member[needs], n_members)
        # (indptr, item rows) of each member row's open needs, and of their offers and help
        self.needs_by_member = (indptr, needs[order])
        indptr, order = _csr(self.item_member[offers], n_members)
        self.offers_by_member = (indptr, offers[order])
        self.offer_rows = offers

        # Each member's tags: listed and of all their posts (`tag_matrix`), and by side
        # (`_side_tags`): what they need (listed, of their needs) and what they can do
        # (listed, of their offers and of the needs they helped with), so that a band's need
        # tagged "drums" does not make it look like a drummer.
        listed = [{fold_tag(t) for t in tags} for tags in self.member_tags]
        by_side = {side: [set(t) for t in listed] for side in (NEED, OFFER)}
        for row, tags in enumerate(self.item_tags):
            if tags:
                folded = {fold_tag(t) for t in tags}
                by_side[NEED if self.is_need[row] else OFFER][self.item_member[row]].update(folded)
        # Kept only as sparse matrices (`tagset` reads a member's back): a frozenset per member
        # and side, in every worker, held 8.5 MB of Python objects at 10k members.
        everyone = [(need | offer) - {""} for need, offer in zip(*by_side.values(), strict=True)]
        tags = MultiLabelBinarizer(sparse_output=True)
        self.tag_matrix = tags.fit_transform(everyone).tocsr()  # member row x tag
        self._tag_names = tags.classes_  # column -> folded tag
        self.tag_column = {tag: column for column, tag in enumerate(self._tag_names)}
        self._side_tags = {
            s: tags.transform([t - {""} for t in sets]).tocsr() for s, sets in by_side.items()
        }

        # Each need's own tags, or its member's listed tags when it has none (what one needs,
        # need by need: `pair_tag_overlap`); no row for the other items.
        own = [
            ({fold_tag(t) for t in tags} - {""}) or listed[self.item_member[row]]
            if self.is_need[row]
            else set()
            for row, tags in enumerate(self.item_tags)
        ]
        self._need_item_tags = tags.transform([t - {""} for t in own]).tocsr()

        graph = self.help_graph
        # Distinct members each one helped, closed ones too (a build before this column:
        # those in the build only).
        if "helped_members" in self.members:
            self.helped_count = self.members["helped_members"].to_numpy()
        else:
            self.helped_count = np.diff(graph.indptr)
        self._neighbours = (graph + graph.T).tocsr()
        self._neighbours.sum_duplicates()  # sorted, unique neighbours per row

    @property
    def build_id(self) -> str:
        """The id of this build."""
        return str(self.manifest["build_id"])

    def ranker(self) -> Ranker | None:
        """The learned ranker the build scored its lists with (read on first use: only a
        typed search in a place asks for it), None when the build uses none."""
        if self.learned is None:
            return None
        if self._ranker is None:
            self._ranker = Ranker.load(self.folder)
        return self._ranker

    def rows_of(self, member_ids: np.ndarray | list[int]) -> np.ndarray:
        """The member row of each store id, -1 for members the build does not hold."""
        ids = np.asarray(member_ids, dtype=np.int64)
        if len(self._sorted_ids) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted_ids, ids), len(self._sorted_ids) - 1)
        return np.where(self._sorted_ids[at] == ids, self._id_order[at], -1)

    def items_of(self, member_rows: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
        """Item rows of several members' needs (or offers and help history), and whose they are."""
        indptr, rows = self.needs_by_member if side == NEED else self.offers_by_member
        return gather_groups(indptr, rows, member_rows)

    def helped(self, helper_row: int, seeker_row: int) -> int:
        """How many times `helper_row` helped `seeker_row` (as of the build)."""
        graph = self.help_graph  # read its CSR arrays: scipy's item access costs ~25 us a call
        start, stop = graph.indptr[helper_row], graph.indptr[helper_row + 1]
        hit = graph.indices[start:stop] == seeker_row
        return int(graph.data[start:stop][hit].sum())

    def neighbours(self, member_row: int) -> np.ndarray:
        """Members who helped or were helped by this one (sorted, each once)."""
        graph = self._neighbours
        return graph.indices[graph.indptr[member_row] : graph.indptr[member_row + 1]]

    def learned_scores(
        self,
        need_rows: np.ndarray,
        targets: np.ndarray,
        positions: np.ndarray,
        n: int,
        chunk: int = 16384,
    ) -> np.ndarray:
        """The ranker's best score per position: max over the given needs (item rows) of the
        score of their `targets` member row in the need's candidate list; NaN where none.

        Pair i is (need_rows[i], targets[i]) and counts for position positions[i] (< n).
        """
        out = np.full(n, np.nan)
        if self.learned is None or len(need_rows) == 0:
            return out
        slots = self.need_slot[need_rows]
        ok = (slots >= 0) & (targets >= 0)
        slots, targets, positions = slots[ok], targets[ok], positions[ok]
        for lo in range(0, len(slots), chunk):  # a (chunk, K) comparison at a time
            part = slice(lo, lo + chunk)
            hit = np.asarray(self.candidate_members[slots[part]]) == targets[part, None]
            found = hit.any(axis=1)
            at = slots[part][found], hit[found].argmax(axis=1)
            np.fmax.at(out, positions[part][found], np.asarray(self.learned[at], np.float64))
        return out

    def tagset(self, member_row: int, side: str | None = None) -> frozenset[str]:
        """A member row's (folded) tags of `side` as built (NEED: what they need; OFFER: what
        they can do; None: either): listed and of their posts."""
        matrix = self.tag_matrix if side is None else self._side_tags[side]
        lo, hi = matrix.indptr[member_row], matrix.indptr[member_row + 1]
        return frozenset(self._tag_names[matrix.indices[lo:hi]].tolist())

    def tagged(self, tag: str, side: str | None = None) -> np.ndarray:
        """Which member rows have a (folded) tag, of `side` (NEED: what they need; OFFER: what
        they can do; None: either), as built."""
        matrix = self.tag_matrix if side is None else self._side_tags[side]
        has = np.zeros(len(self.member_ids), dtype=bool)
        column = self.tag_column.get(tag)
        if column is not None:
            has[matrix[:, column].nonzero()[0]] = True
        return has

    def tag_overlap(self, tags: frozenset[str], member_rows: np.ndarray) -> np.ndarray:
        """How much of what one needs each member row can do (`covered`): the share of a set
        of (folded) tags that is among the row's tags of what they can do, as built."""
        mine = np.zeros(self._side_tags[OFFER].shape[1])
        mine[[self.tag_column[t] for t in tags if t in self.tag_column]] = 1.0
        shared = self._side_tags[OFFER][member_rows] @ mine
        return covered(shared, np.full(len(shared), len(tags)))

    def pair_tag_overlap(
        self, seekers: np.ndarray, helpers: np.ndarray, valid: np.ndarray | None = None
    ) -> np.ndarray:
        """How much of what member rows seekers[i] need helpers[i] can do, need by need: the
        best share over seekers[i]'s needs (as built; only the item rows `valid` says, when
        given) of the need's tags that helpers[i] can do (`pairs.needs_covered`)."""
        need_rows, pair = self.items_of(seekers, NEED)
        if valid is not None:
            keep = valid[need_rows]
            need_rows, pair = need_rows[keep], pair[keep]
        offers = self._side_tags[OFFER]
        needed = self._need_item_tags[need_rows]
        shared = np.asarray(needed.multiply(offers[helpers[pair]]).sum(axis=1), np.float64)
        share = covered(shared.ravel(), np.diff(needed.indptr))
        best = np.zeros(len(seekers))
        np.maximum.at(best, pair, share)
        return best

    def listed_in(self, member_row: int) -> np.ndarray:
        """Candidate slots (needs of others) whose lists hold this member."""
        lo, hi = self.helped_by_indptr[member_row], self.helped_by_indptr[member_row + 1]
        return np.asarray(self.helped_by_needs[lo:hi])


def covered(shared: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """The share of the tags of what one needs that the other can do: shared over needed, 0
    where nothing is needed. Over the union (Jaccard, in earlier versions), a helper who listed more
    of what they do counted for less; the share ranks the right helpers higher on four sets of
    hand-labelled needs and the demo's truth (docs/matching.md, section 3: the content score)."""
    needed = np.asarray(needed, dtype=np.float64)
    return np.divide(shared, needed, out=np.zeros(len(shared)), where=needed > 0)
