"""Words of needs and offers as hashed term counts, and Okapi BM25 over them.

A member's document grows with every post and every help, so the corpus changes with time;
a static index (bm25s) would have to be rebuilt at every query. BM25 is therefore computed
here from term counts: idf from the posts known at the query time, term frequency and length
normalisation from the candidate's own document.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

N_TERMS = 2**20
K1 = 1.2  # Okapi BM25's usual parameters (Robertson & Zaragoza 2009), not tuned here.
B = 0.75


def _vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        n_features=N_TERMS,
        stop_words="english",
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def term_counts(texts: Sequence[str]) -> sparse.csr_matrix:
    """One row of hashed word counts per text (English stop words left out)."""
    if len(texts) == 0:
        return sparse.csr_matrix((0, N_TERMS), dtype=np.float32)
    return _vectorizer().transform(list(texts)).tocsr()


def idf(doc_freq: np.ndarray, n_docs: int) -> np.ndarray:
    """BM25's inverse document frequency (the non-negative Lucene form)."""
    doc_freq = np.asarray(doc_freq, dtype=np.float64)
    return np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


def bm25(tf: np.ndarray, doc_len: np.ndarray, avg_len: float, weights: np.ndarray) -> np.ndarray:
    """BM25 of one query against documents: `tf` is (documents x query terms), `weights` the idf."""
    tf = np.asarray(tf, dtype=np.float64)
    if tf.size == 0 or avg_len <= 0:
        return np.zeros(len(tf))
    norm = K1 * (1 - B + B * np.asarray(doc_len, dtype=np.float64) / avg_len)
    return (tf * (K1 + 1) / (tf + norm[:, None]) * weights[None, :]).sum(axis=1)
