"""Whether members' texts are written in English, which the default encoder alone reads."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words common in short posts of each language and rare in the others' (not "a", "in", "on",
# "die", which two of them share with English).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "to",
        "of",
        "with",
        "we",
        "our",
        "you",
        "your",
        "is",
        "are",
        "looking",
        "need",
        "my",
        "who",
        "can",
        "from",
        "this",
        "at",
    ]
)
OTHER_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "une",
        "des",
        "du",
        "de",
        "pour",
        "notre",
        "nos",
        "et",
        "est",
        "avec",
        "je",
        "cherche",
        "cherchons",
        "qui",
        "au",
        "aux",
        "à",
        "sur",
        "dans",
        "und",
        "der",
        "das",
        "ein",
        "eine",
        "einen",
        "für",
        "mit",
        "wir",
        "unser",
        "unsere",
        "suche",
        "suchen",
        "o",
        "os",
        "um",
        "uma",
        "para",
        "nosso",
        "nossa",
        "com",
        "procuramos",
        "precisamos",
        "el",
        "los",
        "las",
        "por",
        "con",
        "y",
        "busco",
        "buscamos",
    ]
)
WORD = re.compile(r"[^\W\d_]+")


def not_english(texts: Iterable[str]) -> int:
    """How many texts hold more words common in French, German, Portuguese or Spanish than
    words common in English."""
    count = 0
    for text in texts:
        words = WORD.findall(text.casefold())
        other = sum(w in OTHER_WORDS for w in words)
        count += other > sum(w in ENGLISH_WORDS for w in words)
    return count


def english_only_warning(texts: list[str], encoder: str, english_only: bool) -> str | None:
    """A warning when an English-only encoder is to read texts of which a fifth or more are
    in other languages; else None."""
    others = not_english(texts)
    if not english_only or not texts or others * 5 < len(texts):
        return None
    return (
        f"{others} of {len(texts)} open needs and offers look written in another language "
        f"than English, which the encoder {encoder!r} reads as English only: a need and an "
        "offer in one language rank above a need and an offer that mean the same in two. "
        "Set MATCHER_ENCODER to a multilingual sentence-transformers model on disk (README, "
        "'What a site that integrates the API should know') and build again."
    )
