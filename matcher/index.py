"""A loaded model build: member table, match items, vectors and candidate lists (memory-mapped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from matcher import artifacts
from matcher.domain import NEED


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

    @classmethod
    def load(cls, models_dir: Path, build: str = artifacts.CURRENT) -> BuildIndex:
        """Load `build` (default: current) from `models_dir`, refusing incompatible builds."""
        folder = artifacts.resolve(models_dir, build)
        manifest = artifacts.read_manifest(folder)

        def array(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", mmap_mode="r")

        index = cls(
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
        )
        index._prepare()
        return index

    def _prepare(self) -> None:
        n_members = len(self.members)
        self.member_row = pd.Series(
            np.arange(n_members), index=self.members["member_id"].to_numpy()
        )
        self.item_member = self.items["member_row"].to_numpy()
        self.item_post = self.items["post_id"].to_numpy()
        self.is_need = (self.items["side"] == NEED).to_numpy()
        self.need_slot = np.full(len(self.items), -1, dtype=np.int64)
        self.need_slot[self.need_rows] = np.arange(len(self.need_rows))
        needs = np.flatnonzero(self.is_need)
        offers = np.flatnonzero(~self.is_need)
        indptr, order = _csr(self.item_member[needs], n_members)
        self._needs_of = (indptr, needs[order])
        indptr, order = _csr(self.item_member[offers], n_members)
        self._offers_of = (indptr, offers[order])
        self.offer_rows = offers
        self.latitude = self.members["latitude"].to_numpy(dtype=np.float64, na_value=np.nan)
        self.longitude = self.members["longitude"].to_numpy(dtype=np.float64, na_value=np.nan)
        self.town = self.members["town"].fillna("").str.casefold().to_numpy()
        self.helped_count = np.asarray(self.help_graph.sum(axis=1)).ravel()

    @property
    def build_id(self) -> str:
        """The id of this build."""
        return str(self.manifest["build_id"])

    def needs_of(self, member_row: int) -> np.ndarray:
        """Item rows of a member's open needs."""
        indptr, rows = self._needs_of
        return rows[indptr[member_row] : indptr[member_row + 1]]

    def offers_of(self, member_row: int) -> np.ndarray:
        """Item rows of a member's open offers and help history."""
        indptr, rows = self._offers_of
        return rows[indptr[member_row] : indptr[member_row + 1]]

    def listed_in(self, member_row: int) -> np.ndarray:
        """Candidate slots (needs of others) whose lists hold this member."""
        lo, hi = self.helped_by_indptr[member_row], self.helped_by_indptr[member_row + 1]
        return np.asarray(self.helped_by_needs[lo:hi])
