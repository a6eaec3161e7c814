"""The match engine with the real sentence-transformers model on a small hand-written scene."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from matcher.build import build_model
from matcher.embed import load_encoder
from matcher.engine import Matcher
from matcher.index import BuildIndex
from tests.factories import T0, add_member

pytestmark = pytest.mark.real_model

DRUMMERS = {"drums-leeds", "drums-bristol"}
MIXERS = {"mixer", "masterer"}


@pytest.fixture(scope="module")
def minilm():
    return load_encoder("all-MiniLM-L6-v2")


@pytest.fixture
def scene(sessions):
    with sessions.begin() as s:
        add_member(s, "hum", "band", needs=["our band needs a drummer"], tags=["shoegaze"])
        add_member(s, "ep-band", "band", "Bristol", needs=["need our EP mixed"], tags=["punk"])
        add_member(
            s,
            "brudenell",
            "venue",
            needs=["looking for shoegaze and dream pop acts to play our Friday nights"],
            offers=["a 300 capacity venue with a great PA, booking gigs most weekends"],
            tags=["shoegaze", "dream pop"],
        )
        add_member(
            s,
            "drums-leeds",
            "session_musician",
            offers=["session drummer, happy to dep for gigs and recordings"],
            tags=["drums"],
        )
        add_member(
            s,
            "drums-bristol",
            "session_musician",
            "Bristol",
            offers=["experienced drummer available, own kit, any genre"],
            tags=["drums"],
        )
        add_member(
            s,
            "mixer",
            "engineer",
            "Glasgow",
            offers=["mixing engineer: send me your stems and I'll mix your record"],
        )
        add_member(
            s,
            "masterer",
            "engineer",
            "Toronto",
            offers=["online mixing and mastering for indie bands, fast turnaround"],
        )
        add_member(
            s,
            "snap",
            "photographer",
            offers=["gig photographer, I shoot live shows and press photos"],
        )
        add_member(s, "poster", "designer", offers=["I design gig posters and album artwork"])
        add_member(s, "van", "fan", offers=["I can lend my van to touring bands"])
        # The same shoegaze band, once in the venue's town and once far away.
        band_text = "shoegaze band with an album out, looking for gigs and support slots"
        add_member(s, "local-band", "band", needs=[band_text], tags=["shoegaze"])
        add_member(s, "far-band", "band", "Toronto", needs=[band_text], tags=["shoegaze"])
        add_member(
            s, "metal-band", "band", needs=["thrash metal band looking for gigs"], tags=["metal"]
        )
    return sessions


def _matcher(sessions, settings, encoder):
    build_model(sessions, encoder, settings, clock=lambda: T0)
    return Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=encoder)


def test_drummers_mixers_and_local_bands_of_the_genre_come_first(scene, settings, minilm):
    settings = settings.replace(encoder="all-MiniLM-L6-v2")
    matcher = _matcher(scene, settings, minilm)

    top = [m.member_id for m in matcher.for_member("hum", limit=5)]
    assert set(top[:2]) == DRUMMERS, top

    top = [m.member_id for m in matcher.for_member("ep-band", limit=5)]
    assert set(top[:2]) == MIXERS, top

    top = [m.member_id for m in matcher.for_text("our band needs a drummer", limit=5)]
    assert set(top[:2]) == DRUMMERS, top
    top = [m.member_id for m in matcher.for_text("need our EP mixed", limit=5)]
    assert set(top[:2]) == MIXERS, top

    # The venue, looking for acts: bands it could help (they need gigs), in its genre and town.
    found = [m.member_id for m in matcher.for_member("brudenell", direction="you_help", limit=5)]
    assert found[0] == "local-band", found
    assert found.index("local-band") < found.index("far-band") < found.index("metal-band")


def test_a_rebuild_after_changing_one_post_encodes_exactly_one_text(scene, settings, minilm):
    calls: list[int] = []

    class Counting:
        name, dim = minilm.name, minilm.dim

        def encode(self, texts):
            calls.append(len(texts))
            return minilm.encode(texts)

    encoder = Counting()
    first = build_model(scene, encoder, settings, clock=lambda: T0)
    # The community's texts, then (in a community this small) the demo community's, once.
    assert first.manifest["encoding"]["encoded"] == calls[0] > 1
    calls.clear()
    with scene.begin() as s:
        from matcher.store import Post

        post = s.scalars(select(Post).where(Post.external_id == "snap-o0")).one()
        post.text = "live music photographer, shows and band promo shoots"
    second = build_model(scene, encoder, settings, clock=lambda: T0.replace(hour=1))
    assert sum(calls) == 1
    assert second.manifest["encoding"]["encoded"] == 1


def test_a_post_written_after_the_build_is_matchable_at_once(scene, settings, minilm):
    from matcher import community

    matcher = _matcher(scene, settings, minilm)
    assert "bassist" not in {m.member_id for m in matcher.for_member("hum", limit=20)}
    community.add_member(
        scene, {"name": "Bo", "kind": "session_musician", "town": "Leeds"}, external_id="bassist"
    )
    community.add_post(
        scene,
        minilm,
        member_id="bassist",
        external_id="bassist-o0",
        side="offer",
        text="drummer and bass player, available for your band's gigs",
    )
    ids = [m.member_id for m in matcher.for_member("hum", limit=5)]
    assert "bassist" in ids[:3], ids


def test_bfloat16_and_float32_vectors_agree():
    import numpy as np

    texts = [
        "our band needs a drummer",
        "need our EP mixed",
        "mastering for vinyl, quick turnaround",
    ]
    full = load_encoder("all-MiniLM-L6-v2", precision="float32").encode(texts)
    half = load_encoder("all-MiniLM-L6-v2", precision="bfloat16").encode(texts)
    assert half.dtype == np.float32
    assert np.allclose(np.linalg.norm(half, axis=1), 1.0, atol=1e-4)
    assert (full * half).sum(axis=1).min() > 0.999


def test_an_unknown_precision_is_refused():
    from matcher.embed import resolve_precision
    from matcher.errors import ConfigError

    with pytest.raises(ConfigError, match="MATCHER_ENCODER_PRECISION"):
        resolve_precision("float8")
    assert resolve_precision("float32") == "float32"
    assert resolve_precision("auto", device="cuda") == "float32"


def test_loading_the_model_keeps_the_terminal_quiet():
    """transformers draws a bar per weight as a model loads; the CLI's output has no place for it
    (a fresh process, since the setting is read when transformers is first imported)."""
    code = "from matcher.embed import load_encoder; print(load_encoder('all-MiniLM-L6-v2').dim)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "384"
    assert "Loading weights" not in done.stderr


def test_in_a_new_community_a_match_is_told_and_a_stranger_is_not(sessions, settings, minilm):
    # Calibrated on themselves, the band and the drummer who say the same thing were only
    # "typical" of each other in a community of three (0.446: no email), and in one of a
    # dozen half of any two strangers passed the bar ("you need artwork; they offer session
    # drums"). A typical candidate is now one of the demo community's (matcher.reference).
    settings = settings.replace(encoder="all-MiniLM-L6-v2")
    with sessions.begin() as s:
        add_member(s, "band", "band", needs=["Looking for a drummer for our shoegaze band"])
        add_member(
            s, "drummer", "session_musician", offers=["Drummer available for shoegaze bands"]
        )
        add_member(s, "label", "label", needs=["Need artwork for our next cassette release"])
        add_member(
            s,
            "session",
            "session_musician",
            offers=["Session drums, jazz or indie, can read charts"],
        )
        add_member(s, "design", "designer", offers=["Gig posters and record sleeve artwork"])
    matcher = _matcher(sessions, settings, minilm)
    band = {m.member_id: m.score for m in matcher.for_member("band")}
    assert band["drummer"] > 0.9 > 0.5 > band["design"], band
    label = {m.member_id: m.score for m in matcher.for_member("label")}
    assert label["design"] > 0.5 > label["session"], label
