"""How reasons quote what members wrote."""

from __future__ import annotations

import pytest

from matcher.explain import QUOTE_LENGTH, quote


@pytest.mark.parametrize(
    ("written", "quoted"),
    [
        ("Evening all, Flexible on dates. Mixing", "Flexible on dates. Mixing"),
        ("hey hey!! Based in Atlanta. Studio time", "Based in Atlanta. Studio time"),
        ("Dear community, Our thing is indie rock", "Our thing is indie rock"),
        ("PSA: anyone could write a piece on us?", "Anyone could write a piece on us?"),
        ("Hi all — studio free on Sundays", "Studio free on Sundays"),
        ("hey, hey, need drums", "Need drums"),
    ],
)
def test_a_quote_leaves_out_the_greeting_its_post_opens_with(written, quoted):
    """A quote of 90 characters spent a dozen on "Evening all," and was cut before its point
    (a reviewer of the weekly emails)."""
    assert quote(written) == quoted


@pytest.mark.parametrize(
    "written",
    [
        "hi-hat repairs, cymbals cleaned",  # a word, not a greeting
        "Hello world music night needs a drummer",  # no pause after it
        "Hi!",  # nothing else said
        "Morning all: x",
    ],
)
def test_what_is_no_greeting_or_all_there_is_is_quoted_as_written(written):
    assert quote(written) == written


def test_a_long_text_is_cut_at_a_word_after_its_greeting():
    text = "Hiya, " + "drummer wanted for a long tour of small rooms " * 4
    said = quote(text)
    assert said.startswith("Drummer wanted") and said.endswith("…")
    assert len(said) <= QUOTE_LENGTH + 1 and not said[:-1].endswith(" ")
