from __future__ import annotations

import numpy as np
import pytest

from matcher.build import build_model
from matcher.config import Settings
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.reciprocal import fuse, harmonic, uninorm
from matcher.score import pair_scores
from tests.factories import T0, add_member


def test_uninorm_is_neutral_at_one_half_and_reinforces_agreement():
    x = np.array([0.2, 0.5, 0.7, 0.9])
    np.testing.assert_allclose(uninorm(x, 0.5), x)
    assert uninorm(0.7, 0.7) > 0.7
    assert uninorm(0.3, 0.3) < 0.3
    np.testing.assert_allclose(harmonic(np.array([0.4, 0.0]), np.array([0.4, 0.0])), [0.4, 0.0])


@pytest.mark.parametrize("operator", ["uninorm", "harmonic", "product"])
def test_reverse_evidence_only_adds(operator):
    forward = np.array([0.3, 0.6, 0.8])
    one_way = fuse(forward, np.zeros(3), operator)
    np.testing.assert_allclose(one_way, forward)
    mutual = fuse(forward, np.full(3, 0.9), operator)
    assert (mutual >= one_way).all() and (mutual[1:] > one_way[1:]).all()
    # A weaker candidate than a typical one is not made a strong one by the other direction.
    assert mutual[0] == one_way[0] == 0.3


@pytest.mark.parametrize("operator", ["uninorm", "harmonic", "product"])
def test_a_pair_flagged_mutual_is_the_pair_the_fusion_treats_as_mutual(operator):
    # At exactly a typical candidate's score either way the pair is mutual, and the other
    # direction adds nothing to it; just above, it adds.
    forward = np.array([0.5, 0.7, 0.7, 0.49])
    reverse = np.array([0.5, 0.5, 0.8, 0.9])
    pairs = pair_scores(forward, reverse, "helps_you", operator)
    assert pairs.mutual.tolist() == [True, True, True, False]
    np.testing.assert_allclose(pairs.score[[0, 1, 3]], forward[[0, 1, 3]])
    assert pairs.score[2] > forward[2]


@pytest.mark.parametrize("operator", ["uninorm", "harmonic", "product"])
def test_the_weight_of_the_other_direction_goes_from_none_to_as_much(operator):
    forward, reverse = np.array([0.6, 0.8, 0.95]), np.array([0.9, 0.7, 0.99])
    np.testing.assert_allclose(fuse(forward, reverse, operator, weight=0.0), forward)
    full = {
        "uninorm": forward * reverse / (forward * reverse + (1 - forward) * (1 - reverse)),
        "harmonic": np.maximum(forward, 2 * forward * reverse / (forward + reverse)),
        "product": np.maximum(forward, np.sqrt(forward * reverse)),
    }[operator]
    np.testing.assert_allclose(fuse(forward, reverse, operator, weight=1.0), full)
    half = fuse(forward, reverse, operator, weight=0.5)
    assert (forward <= half).all() and (half <= full).all()
    assert (half[reverse > forward] > forward[reverse > forward]).all()


def test_by_default_someone_you_could_help_a_lot_does_not_pass_a_stronger_helper():
    # A member's "helps_you" list: one who could help (.97) and no more; one who could barely
    # help (.80, a little above a typical candidate) whom the member could help a lot (.95).
    # The full uninorm put the second first (.987); the default weight keeps the helper first
    # and the mutual pair still above an equal one-way pair.
    settings = Settings()
    forward, reverse = np.array([0.97, 0.80, 0.80]), np.array([0.30, 0.95, 0.0])
    pairs = pair_scores(
        forward, reverse, "helps_you", settings.reciprocal_operator, settings.reciprocal_weight
    )
    assert np.argsort(-pairs.score).tolist() == [0, 1, 2]
    assert pairs.mutual.tolist() == [False, True, False]
    full = pair_scores(forward, reverse, "helps_you", settings.reciprocal_operator, 1.0)
    assert full.score[1] > full.score[0]


def test_unknown_operator_is_refused():
    with pytest.raises(ValueError, match="unknown reciprocal operator"):
        fuse(np.array([0.5]), np.array([0.5]), "max")


def add_band(s) -> None:
    """A band needing a drummer, with a rehearsal room to share."""
    add_member(
        s,
        "band",
        "band",
        needs=["we need a drummer for our tour"],
        offers=["we have a rehearsal room to share on weekdays"],
    )


def add_band_and_drummers(s) -> None:
    """The band, and two drummers with the same offer, in the same town; only one needs what
    the band offers."""
    add_band(s)
    for name, need in [
        ("mutual-drummer", "need a rehearsal room to practise on weekdays"),
        ("one-way-drummer", "looking for a cheap second hand cymbal"),
    ]:
        add_member(
            s, name, "session_musician", offers=["drummer for your tour, own kit"], needs=[need]
        )


def served(sessions, settings, encoder) -> Matcher:
    build_model(sessions, encoder, settings, clock=lambda: T0)
    return Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=encoder)


def test_a_reciprocal_pair_ranks_above_an_equal_one_way_pair_and_is_flagged(
    sessions, settings, encoder
):
    with sessions.begin() as s:
        add_band_and_drummers(s)
        add_member(s, "other", "photographer", offers=["photos of gigs and tours"])
    matcher = served(sessions, settings, encoder)
    matches = {m.member_id: m for m in matcher.for_member("band")}
    both, one = matches["mutual-drummer"], matches["one-way-drummer"]
    assert both.forward == pytest.approx(one.forward)
    assert both.score > one.score
    assert both.mutual and not one.mutual
    assert next(m.member_id for m in matcher.for_member("band")) == "mutual-drummer"
    assert "mutual" in [r["type"] for r in both.reasons]
    assert "you_could_help" in [r["type"] for r in both.reasons]


def test_the_reasons_of_a_one_way_match_are_those_of_its_direction(sessions, settings, encoder):
    with sessions.begin() as s:
        add_band(s)
        # Could help the band (not the other way); could be helped by the band (not the
        # other way): each has a post of the other side too, so both pairs have a cosine.
        add_member(
            s,
            "drummer",
            "session_musician",
            "Glasgow",
            offers=["drummer for your tour, own kit"],
            needs=["cymbals wanted, cheap"],
        )
        add_member(
            s,
            "room-seeker",
            "photographer",
            needs=["need a rehearsal room to share on weekdays"],
            offers=["photos of weddings"],
        )
    matcher = served(sessions, settings, encoder)

    def reasons(direction: str) -> dict[str, list[str]]:
        found = matcher.for_member("band", direction=direction)
        return {m.member_id: [r["type"] for r in m.reasons] for m in found if not m.mutual}

    helps_you, you_help = reasons("helps_you"), reasons("you_help")
    assert "need_offer" in helps_you["drummer"] and "you_could_help" not in helps_you["drummer"]
    assert "you_could_help" in you_help["room-seeker"]
    assert "need_offer" not in you_help["room-seeker"]


def test_the_cli_lists_mutual_and_one_way_matches_unless_told_one_of_them(
    sessions, settings, encoder
):
    import json

    from click.testing import CliRunner

    from matcher.cli import main

    with sessions.begin() as s:
        add_band_and_drummers(s)
    build_model(sessions, encoder, settings, clock=lambda: T0)
    options = ["--database-url", settings.database, "--models-dir", str(settings.models_dir)]
    options += ["--encoder", settings.encoder, "match", "band", "--direction", "both", "--json"]

    def listed(*flags: str) -> dict[str, bool]:
        result = CliRunner().invoke(main, [*options, *flags])
        assert result.exit_code == 0, result.output
        return {m["member_id"]: m["mutual"] for m in json.loads(result.output)["matches"]}

    everyone, mutual, one_way = listed(), listed("--mutual"), listed("--one-way")
    assert everyone == {"mutual-drummer": True, "one-way-drummer": False}
    assert (mutual, one_way) == ({"mutual-drummer": True}, {"one-way-drummer": False})


def test_a_mutual_match_listed_as_whom_you_could_help_says_their_need_first(
    sessions, settings, encoder
):
    # A new user's weekly email badged a mutual match "You could help them" and then began
    # with "They offer ...": the quote of the match's own direction comes first.
    with sessions.begin() as s:
        add_band_and_drummers(s)
    matcher = served(sessions, settings, encoder)
    quotes = {"need_offer", "they_offer", "you_could_help", "they_need"}

    def first_quote(direction: str) -> str:
        found = {m.member_id: m for m in matcher.for_member("band", direction=direction)}
        match = found["mutual-drummer"]
        assert match.mutual
        return next(r["type"] for r in match.reasons if r["type"] in quotes)

    assert first_quote("helps_you") == "need_offer"
    assert first_quote("you_help") == "you_could_help"
