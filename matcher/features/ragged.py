"""Integer rows of any length (a member's posts, tags, neighbours), growing and then frozen."""

from __future__ import annotations

from itertools import chain

import numpy as np


class Ragged:
    """Rows of numbers (integers unless `dtype` says otherwise) of any length: Python lists
    while growing, CSR arrays once frozen."""

    def __init__(self, n_rows: int = 0, dtype: type = np.int64):
        self._lists: list[list[int]] | None = [[] for _ in range(n_rows)]
        self.indptr: np.ndarray | None = None
        self.values: np.ndarray | None = None
        self.dtype = dtype

    @classmethod
    def from_lists(cls, rows: list[list[int]]) -> Ragged:
        """Integer rows given as lists."""
        out = cls()
        out._lists = [list(r) for r in rows]
        return out

    @property
    def frozen(self) -> bool:
        """Whether the rows are CSR arrays (read-only)."""
        return self._lists is None

    def __len__(self) -> int:
        return len(self.indptr) - 1 if self._lists is None else len(self._lists)

    def append(self, row: int, value: int) -> None:
        """Add one value at the end of `row`."""
        if self._lists is None:
            raise ValueError("a frozen Ragged is read-only")
        self._lists[row].append(value)

    def set_row(self, row: int, values: list[int]) -> None:
        """Replace the values of `row`."""
        if self._lists is None:
            raise ValueError("a frozen Ragged is read-only")
        self._lists[row] = list(values)

    def row(self, row: int) -> np.ndarray:
        """The values of one row."""
        if self._lists is None:
            return self.values[self.indptr[row] : self.indptr[row + 1]]
        return np.asarray(self._lists[row], dtype=self.dtype)

    def lengths(self, rows: np.ndarray) -> np.ndarray:
        """How many values each of `rows` holds."""
        rows = np.asarray(rows, dtype=np.int64)
        if self._lists is None:
            return self.indptr[rows + 1] - self.indptr[rows]
        lists = self._lists
        return np.fromiter((len(lists[r]) for r in rows.tolist()), dtype=np.int64, count=len(rows))

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The values of `rows` concatenated, and for each value its position in `rows`.

        A negative row stands for "no such row" and contributes nothing.
        """
        rows = np.asarray(rows, dtype=np.int64)
        known = rows >= 0
        lengths = np.zeros(len(rows), dtype=np.int64)
        lengths[known] = self.lengths(rows[known])
        owner = np.repeat(np.arange(len(rows)), lengths)
        if self._lists is None:
            starts = self.indptr[np.where(known, rows, 0)]
            offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            return self.values[np.repeat(starts, lengths) + offsets], owner
        lists = self._lists
        picked = chain.from_iterable(lists[r] for r in rows[known].tolist())
        values = np.fromiter(picked, dtype=self.dtype, count=int(lengths.sum()))
        return values, owner

    def freeze(self) -> Ragged:
        """A read-only CSR copy."""
        if self._lists is None:
            return self
        out = Ragged(dtype=self.dtype)
        out._lists = None
        lengths = np.fromiter((len(r) for r in self._lists), dtype=np.int64, count=len(self._lists))
        out.indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        out.values = np.fromiter(
            chain.from_iterable(self._lists), dtype=self.dtype, count=int(lengths.sum())
        )
        return out


class Growing:
    """An integer array appended to one value at a time (amortized doubling)."""

    def __init__(self) -> None:
        self._values = np.zeros(64, dtype=np.int64)
        self._size = 0

    def append(self, value: int) -> None:
        """Add a value at the end."""
        if self._size == len(self._values):
            self._values = np.concatenate([self._values, np.zeros_like(self._values)])
        self._values[self._size] = value
        self._size += 1

    @property
    def values(self) -> np.ndarray:
        """The values so far (a view: do not keep it across appends)."""
        return self._values[: self._size]

    def __len__(self) -> int:
        return self._size

    def __getstate__(self) -> dict:
        return {"_values": self.values.copy(), "_size": self._size}
