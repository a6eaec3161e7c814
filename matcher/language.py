"""Whether members' texts are written in English, which the default encoder alone reads."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.config import DEFAULT_ENCODER
from matcher.corpus import HELPED

SAMPLE = 2000  # texts read, at most: a share is all the warning needs (65 us a text here)
MIN_WORDS = 4  # "Gig posters", "drums": too short to tell a language by (py3langid)
SURE = 0.9  # "Session drummer in Berlin, indie and krautrock" reads German at 0.21, English 0.19


def not_english(texts: list[str], sample: int = SAMPLE) -> tuple[int, int]:
    """Of the texts of at least MIN_WORDS words (a random `sample` of them, at most), how many
    py3langid reads as surely in another language than English, and how many it read."""
    worded = [t for t in texts if len(t.split()) >= MIN_WORDS]
    if len(worded) > sample:
        picked = np.random.default_rng(0).choice(len(worded), sample, replace=False)
        worded = [worded[i] for i in picked]
    others = 0
    for text in worded:
        language, probability = _identifier().classify(text)
        others += language != "en" and probability >= SURE
    return others, len(worded)


@cache
def _identifier():
    """py3langid's identifier with probabilities (its model loads in 0.8 s: on first use)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def english_only_warning(texts: list[str], encoder: str, english_only: bool) -> str | None:
    """A warning when an English-only encoder is to read texts of which a fifth or more are
    in other languages; else None."""
    if not english_only:
        return None
    others, read = not_english(texts)
    if not read or others * 5 < read:
        return None
    return (
        f"{others} of {read} open needs and offers read are written in another language "
        f"than English, which the encoder {encoder!r} reads as English only: a need and an "
        "offer in one language rank above a need and an offer that mean the same in two. "
        "Set MATCHER_ENCODER to a multilingual sentence-transformers model on disk (README, "
        "'What a site that integrates the API should know') and build again."
    )


def build_warning(folder: Path, encoder: str) -> str | None:
    """The warning of a build (its folder) whose open needs and offers are not in English
    while its encoder reads English only (`english_only_warning`); else None."""
    items = pd.read_parquet(folder / "items.parquet", columns=["text", "side"])
    texts = items.loc[items["side"] != HELPED, "text"].tolist()  # help given: closed needs
    english_only = encoder in (DEFAULT_ENCODER, f"sentence-transformers/{DEFAULT_ENCODER}")
    return english_only_warning(texts, encoder, english_only)
