from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from sqlalchemy import select

from matcher.batch import _candidate_pairs, candidate_table
from matcher.build import build_model
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.store import Member
from tests.factories import T0, add_interaction, add_member

TEXTS = [
    ("band-a", "band", "Leeds", ["we need a drummer for gigs"], ["we can lend our rehearsal room"]),
    ("drum-b", "session_musician", "Leeds", ["need a rehearsal room"], ["drummer for gigs"]),
    ("drum-c", "session_musician", "Bristol", [], ["drummer for gigs and sessions"]),
    ("mix-d", "engineer", "Glasgow", ["need a band to test my new studio"], ["I mix records"]),
    ("band-e", "band", "Bristol", ["need our record mixed", "a drummer"], ["gig swaps"]),
    ("fan-f", "fan", "Toronto", [], ["spare room for touring bands"]),
]


@pytest.fixture
def matcher(sessions, settings, encoder):
    with sessions.begin() as s:
        for ext, kind, town, needs, offers in TEXTS:
            add_member(s, ext, kind, town, needs=needs, offers=offers, tags=[kind])
        a = s.scalars(select(Member).where(Member.external_id == "band-a")).one()
        c = s.scalars(select(Member).where(Member.external_id == "drum-c")).one()
        add_interaction(s, "blocked", a, c)
    build_model(sessions, encoder, settings, clock=lambda: T0)
    return Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=encoder)


def test_the_batch_scores_are_the_scores_of_for_member(matcher):
    table = candidate_table(matcher, per_member=10)
    assert len(table) > 0
    ids = dict(
        zip(matcher.index.members["member_id"], matcher.index.members["external_id"], strict=True)
    )
    for seeker_id, rows in table.groupby("seeker_id"):
        served = {m.member_id: m for m in matcher.for_member(ids[seeker_id], direction="both")}
        for row in rows.itertuples():
            match = served[ids[row.member_id]]
            assert row.score == pytest.approx(match.score, rel=1e-5)
            assert row.direction == match.direction
            assert row.mutual == match.mutual


def test_members_changed_since_the_build_are_scored_as_they_are_now(matcher, sessions):
    from matcher.community import update_member

    # drum-c moves to Leeds and takes band tags after the build: the digest's scores (and its
    # mutual flags) must still be the matcher's, which reads members as they are now.
    update_member(sessions, "drum-c", {"town": "Leeds", "tags": ["band", "engineer"]})
    update_member(sessions, "mix-d", {"town": "Bristol"})
    test_the_batch_scores_are_the_scores_of_for_member(matcher)


def test_blocked_pairs_and_self_pairs_never_appear(matcher):
    table = candidate_table(matcher, per_member=10)
    ids = dict(
        zip(matcher.index.members["external_id"], matcher.index.members["member_id"], strict=True)
    )
    pairs = set(zip(table["seeker_id"], table["member_id"], strict=True))
    assert (ids["band-a"], ids["drum-c"]) not in pairs
    assert (ids["drum-c"], ids["band-a"]) not in pairs
    assert not (table["seeker_id"] == table["member_id"]).any()
    assert table.groupby("seeker_id").size().max() <= 10
    assert np.all(np.diff(table[table.seeker_id == ids["band-a"]]["score"]) <= 0)


def test_explain_pairs_gives_the_same_match_with_reasons(matcher):
    served = matcher.for_member("band-a", direction="both")
    chosen = [m.member_id for m in served[:2]][::-1]
    explained = matcher.explain_pairs("band-a", chosen)
    assert [m.member_id for m in explained] == chosen
    by_id = {m.member_id: m for m in served}
    for m in explained:
        assert m.score == pytest.approx(by_id[m.member_id].score)
        assert m.reasons


def test_the_pairs_of_a_need_are_its_best_candidates_by_the_rankers_score():
    # One need (of member 0) whose list, nearest by text first, is 1, 2, 3, 4; the ranker
    # scores 3 best and 4 not at all. The matcher ranks by the ranker: so does the table.
    index = SimpleNamespace(
        members=range(5),
        need_rows=np.array([0]),
        item_member=np.array([0]),
        candidate_members=np.array([[1, 2, 3, 4]]),
        learned=np.array([[0.1, 0.2, 0.9, np.nan]]),
    )
    pairs = _candidate_pairs(index, np.array([False]), 2, np.ones(5, dtype=bool))
    assert sorted(zip(*pairs, strict=True)) == [(0, 2), (0, 3)]
    index.learned = None  # no ranker in the build: the nearest
    pairs = _candidate_pairs(index, np.array([False]), 2, np.ones(5, dtype=bool))
    assert sorted(zip(*pairs, strict=True)) == [(0, 1), (0, 2)]
    index.learned = np.array([[np.nan, np.nan, 0.5, np.nan]])  # unscored: after, nearest first
    pairs = _candidate_pairs(index, np.array([False]), 2, np.ones(5, dtype=bool))
    assert sorted(zip(*pairs, strict=True)) == [(0, 1), (0, 3)]
    index.candidate_members = np.array([[1, -1, -1, -1]])  # a short list
    pairs = _candidate_pairs(index, np.array([False]), 2, np.ones(5, dtype=bool))
    assert sorted(zip(*pairs, strict=True)) == [(0, 1)]


def test_a_post_retagged_since_the_build_still_counts_in_the_weekly_email(
    sessions, settings, encoder
):
    from datetime import timedelta

    from sqlalchemy import update

    from matcher.store import Post
    from tests.test_digest_support import NOW, add_people, build_matcher

    add_people(sessions)
    before = build_matcher(sessions, settings, encoder)()
    # After the build kit tags her offer (its words unchanged). The weekly job's matcher has
    # no encoder: it must not lose her offer, which the API (with one) still matches.
    with sessions.begin() as s:
        s.execute(
            update(Post)
            .where(Post.external_id == "kit-o0")
            .values(tags=["drums"], updated_at=NOW + timedelta(hours=1))
        )
    later = Matcher(before.index, sessions, settings, clock=lambda: NOW + timedelta(hours=2))
    api = Matcher(
        before.index, sessions, settings, encoder=encoder, clock=lambda: NOW + timedelta(hours=2)
    )
    table = candidate_table(later, per_member=40)
    ids = dict(zip(later.index.member_ids, later.index.members["external_id"], strict=False))
    hum = table[table["seeker_id"].map(ids) == "hum"]
    kit = hum[hum["member_id"].map(ids) == "kit"].iloc[0]
    found = {m.member_id: m for m in api.for_member("hum", direction="both")}["kit"]
    assert (kit["score"], kit["mutual"]) == (pytest.approx(found.score), found.mutual)
    assert kit["mutual"]  # her offer (a drummer) and hum's need: both directions


def test_help_given_weighs_as_little_in_the_weekly_table_as_in_the_served_list(
    sessions, settings, encoder
):
    # A "helped with" text counts less than an offer (`content_help_weight`) on both paths.
    from matcher.store import Post

    with sessions.begin() as s:
        hum = add_member(s, "hum", "band", needs=["need a drummer for gigs in Leeds"])
        past = add_member(s, "past", "band", needs=["need a drummer for gigs and a tour"])
        kit = add_member(s, "kit", "session_musician", offers=["I mix records"])
        add_member(s, "ana", "session_musician", offers=["drummer for gigs"])
        need = s.scalars(select(Post).where(Post.member_id == past.id)).one()
        add_interaction(s, "helped", kit, past).need_post_id = need.id
    build_model(sessions, encoder, settings, clock=lambda: T0)
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=encoder)
    served = {m.member_id: m for m in matcher.for_member("hum", direction="both")}
    quote = next(r for r in served["kit"].reasons if r["type"] == "need_offer")["offer"]
    assert quote["helped_before"]  # kit is listed for the help given
    table = candidate_table(matcher, per_member=10)
    row = table[(table["seeker_id"] == hum.id) & (table["member_id"] == kit.id)]
    assert row["score"].item() == pytest.approx(served["kit"].score, rel=1e-5)
    assert matcher.scorer.help_discount > 0


def test_the_weekly_table_counts_each_needs_own_tags_as_the_list_does(sessions, settings, encoder):
    """A studio's listed "recording; mixing; mastering" and its other need are not what its
    website need needs: the web designer scores for it as for a label needing the same alone
    (tests/test_engine.py: each need's tags count on their own), in the weekly table too."""
    from matcher.store import Post

    website = "we need a website for our studio"
    with sessions.begin() as s:
        add_member(s, "studio", "studio", needs=[website, "need a van driver for our tour"])
        add_member(s, "label", "label", needs=[website])
        add_member(s, "web", "designer", offers=["I build a website for bands"])
        s.scalars(select(Member).where(Member.external_id == "studio")).one().tags = [
            "recording",
            "mixing",
        ]
        tagged = {"studio-n0": ["web design"], "studio-n1": ["van"], "label-n0": ["web design"]}
        tagged["web-o0"] = ["web design"]
        for post in s.scalars(select(Post).where(Post.external_id.in_(list(tagged)))):
            post.tags = tagged[post.external_id]
    build_model(sessions, encoder, settings, clock=lambda: T0)
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=encoder)
    table = candidate_table(matcher, per_member=10)
    ids = dict(zip(matcher.index.member_ids, matcher.index.members["external_id"], strict=True))
    score = {
        (ids[r.seeker_id], ids[r.member_id]): r.score
        for r in table.itertuples()
        if ids[r.member_id] == "web"
    }
    assert score["studio", "web"] == pytest.approx(score["label", "web"])
    served = {m.member_id: m for m in matcher.for_member("studio", direction="both")}
    assert score["studio", "web"] == pytest.approx(served["web"].score)


def test_the_weekly_tables_score_a_member_of_ones_own_kind_lower_as_the_matcher_does(
    matcher, sessions, settings, encoder
):
    """band-a and band-e are bands: the pairs table the weekly email reads takes the content
    score's `content_kind_weight` off their pair, as `for_member` does, and reads a kind
    changed since the build as it is now."""
    from dataclasses import replace

    from matcher.community import update_member

    def pair_score(m: Matcher, seeker: str, member: str) -> float:
        table = candidate_table(m, per_member=10)
        ids = dict(zip(m.index.members["external_id"], m.index.members["member_id"], strict=True))
        row = table[(table.seeker_id == ids[seeker]) & (table.member_id == ids[member])]
        return float(row["score"].iloc[0])

    untouched = Matcher(
        matcher.index, sessions, replace(settings, content_kind_weight=0.0), encoder=encoder
    )
    assert pair_score(matcher, "band-a", "band-e") < pair_score(untouched, "band-a", "band-e")
    assert pair_score(matcher, "band-a", "mix-d") == pair_score(untouched, "band-a", "mix-d")
    update_member(sessions, "mix-d", {"kind": "band"})  # after the build
    assert pair_score(matcher, "band-a", "mix-d") < pair_score(untouched, "band-a", "mix-d")
    test_the_batch_scores_are_the_scores_of_for_member(matcher)
