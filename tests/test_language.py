"""Telling texts in other languages than English, which the default encoder alone reads."""

from __future__ import annotations

from matcher.language import english_only_warning, not_english

# A Montréal scene's posts, as its members wrote them.
FRENCH = [
    "Cherche un batteur pour notre groupe shoegaze, répètes à Montréal le mardi soir",
    "J'aimerais passer à la radio, qui fait des entrevues avec des artistes locaux ?",
    "Besoin d'aide pour booker une tournée au Québec cet été",
]
OTHERS = ["Suchen einen Tontechniker für Mastering unserer neuen Platte",
          "Procuramos um baterista em Lisboa para a nossa banda indie"]  # fmt: skip
ENGLISH = [
    "looking for a drummer for live synth-pop shows",
    "Session drummer in Berlin, indie and krautrock, own kit",
    "Looking for a venue in Montreal for a drone night",
]


def test_texts_in_french_german_and_portuguese_are_told_from_english_ones():
    assert not_english(FRENCH + OTHERS) == (5, 5)
    assert not_english(ENGLISH) == (0, 3)
    assert not_english(["Gig posters", "drums"]) == (0, 0)  # too short to tell


def test_an_english_only_encoder_is_warned_of_when_a_fifth_of_the_texts_are_not_english():
    texts = FRENCH + OTHERS + ENGLISH
    warning = english_only_warning(texts, "all-MiniLM-L6-v2", english_only=True)
    assert warning is not None and warning.startswith("5 of 8 open needs and offers read are")
    assert "MATCHER_ENCODER" in warning
    assert english_only_warning(texts, "multilingual", english_only=False) is None
    assert english_only_warning(ENGLISH * 2 + FRENCH[:1], "x", english_only=True) is None


def test_the_builds_warning_counts_open_needs_and_offers_not_help_given(tmp_path):
    """A build's items hold, beside the open needs and offers, the text of each need a member
    helped with, once per helper (closed needs): they are not what the warning says it counts."""
    import pandas as pd

    from matcher.config import DEFAULT_ENCODER
    from matcher.language import build_warning

    texts = ENGLISH + FRENCH * 3
    sides = ["need"] * len(ENGLISH) + ["helped"] * len(FRENCH) * 3
    pd.DataFrame({"text": texts, "side": sides}).to_parquet(tmp_path / "items.parquet")
    assert build_warning(tmp_path, DEFAULT_ENCODER) is None  # 0 of 3, not 9 of 12
