"""Serving reads what changed in the store since the build: edits, failures and races."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from matcher import community
from matcher.build import build_model
from matcher.domain import NEED, OFFER
from matcher.embed import HashingEncoder
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.io import import_files
from matcher.store import Member, Post, utcnow
from tests.api.helpers import build, seed_community
from tests.factories import add_member


class Encoder(HashingEncoder):
    """The test encoder, which can be made to fail once or to wait for a signal."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_once = False
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def encode(self, texts, *args, **kwargs):
        if self.fail_once:
            self.fail_once = False
            raise RuntimeError("out of memory, once")
        if self.gate is not None:
            self.entered.set()
            assert self.gate.wait(10)
        return super().encode(texts, *args, **kwargs)


@pytest.fixture
def flaky():
    return Encoder()


@pytest.fixture
def matcher(sessions, settings, flaky):
    seed_community(sessions)
    build(sessions, flaky, settings)
    return Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=flaky)


def helpers_of(matcher, member="hum"):
    return [m.member_id for m in matcher.for_member(member, direction="helps_you")]


def edit(sessions, post_id: str, text: str) -> None:
    """A post's text changed in the store (as an import does: not encoded)."""
    with sessions.begin() as s:
        s.execute(
            update(Post).where(Post.external_id == post_id).values(text=text, updated_at=utcnow())
        )


def test_a_post_the_encoder_failed_on_is_read_again_by_the_next_refresh(matcher, sessions, flaky):
    assert "far" in helpers_of(matcher)
    edit(sessions, "far-o0", "drummer available for gigs and tours")
    flaky.fail_once = True
    with pytest.raises(RuntimeError):
        helpers_of(matcher)
    assert "far" in helpers_of(matcher)  # encoded now, and matched
    (far,) = [p for p in matcher.view.live.all_posts() if p.external_id == "far-o0"]
    assert far.vector is not None


def test_a_request_racing_a_refresh_of_a_live_need_does_not_fail(matcher, sessions, flaky):
    community.add_post(
        sessions,
        flaky,
        member_id="hum",
        side="need",
        text="need a sound engineer",
        external_id="n1",
    )
    with sessions() as session:
        matcher.refresh(session)
        hum = matcher.view.member_by_external_id(session, "hum")
    needs = matcher.view.items_of([hum.member_id], NEED)
    offers = matcher.view.items_of([hum.member_id], OFFER)
    assert needs.refs[-1][0] == "live"  # the need written after the build
    # Another request's refresh reads the need's new text and is encoding it ...
    edit(sessions, "n1", "need a mastering engineer")
    flaky.gate = threading.Event()

    def refresh():
        with sessions() as session:
            matcher.refresh(session)

    other = threading.Thread(target=refresh)
    other.start()
    try:
        assert flaky.entered.wait(10)
        # ... while this request goes on with the needs it read.
        found = matcher.view.candidates(hum.member_id, needs, offers, "helps_you")
        assert len(found) > 0
    finally:
        flaky.gate.set()
        other.join(10)


def test_an_import_stamped_before_a_build_and_committed_after_it_read_is_served(
    sessions, settings, flaky, tmp_path
):
    # An import stamps its rows as its writing starts and commits when it ends; a build that
    # started meanwhile read the store without them, and its snapshot time is later.
    seed_community(sessions)
    stamped = utcnow()
    with sessions.begin() as s:  # imported just before: the build holds them as they are
        s.execute(update(Member).values(updated_at=stamped))
        s.execute(update(Post).values(updated_at=stamped))
        s.execute(update(Post).where(Post.external_id == "mix-o0").values(status="closed"))
        s.execute(update(Member).where(Member.external_id == "mix").values(active=False))
    build_model(sessions, flaky, settings, clock=lambda: stamped + timedelta(seconds=5))
    files = tmp_path / "files"
    files.mkdir()
    (files / "members.csv").write_text("id,name,kind,town\ndex,Dex,session_musician,Leeds\n")
    (files / "posts.csv").write_text("id,member_id,side,text\ndex-o0,dex,offer,drummer for gigs\n")
    import_files(sessions, [files], clock=lambda: stamped)
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=flaky)
    assert "dex" in helpers_of(matcher)
    assert "hum" in [m.member_id for m in matcher.for_member("dex", direction="you_help")]
    # What the build holds as it is, read again, is no change (nor is what it does not hold,
    # closed): only the newcomer is served apart from the build's rows.
    with sessions() as s:
        dex = s.scalar(select(Member.id).where(Member.external_id == "dex"))
    assert matcher.view.changed_members() == {dex}


def test_members_read_again_as_built_in_a_store_with_no_coordinates_are_served(
    sessions, settings, flaky
):
    # No member gave coordinates: the build's column holds none at all (read back as None,
    # not NaN), and reading a member stamped just before the snapshot failed every request.
    with sessions.begin() as s:
        add_member(s, "hum", "band", "Nowhere", needs=["our band needs a drummer for gigs"])
        add_member(s, "kit", "session_musician", "Nowhere", offers=["drummer available"])
    stamped = utcnow()
    with sessions.begin() as s:
        s.execute(update(Member).values(updated_at=stamped))
    build_model(sessions, flaky, settings, clock=lambda: stamped + timedelta(seconds=5))
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=flaky)
    assert helpers_of(matcher) == ["kit"]
    assert matcher.view.changed_members() == set()


def test_a_block_an_import_changes_in_place_is_seen_at_once(matcher, sessions, tmp_path):
    community.record_interaction(
        sessions, kind="blocked", from_member_id="hum", to_member_id="kit", external_id="i1"
    )
    assert "kit" not in helpers_of(matcher) and "mix" in helpers_of(matcher)
    # The organiser corrects the record: hum blocked mix, not kit (same id, same count).
    (tmp_path / "interactions.csv").write_text(
        "id,kind,from_member_id,to_member_id,occurred_at\ni1,blocked,hum,mix,2026-06-02T00:00:00Z\n"
    )
    import_files(sessions, [tmp_path / "interactions.csv"])
    assert "kit" in helpers_of(matcher) and "mix" not in helpers_of(matcher)


def test_a_post_an_import_moves_to_another_member_is_theirs_at_once(matcher, sessions, tmp_path):
    # kit's offer, word for word, now written as mix's (a correction by the organiser).
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text\nkit-o0,mix,offer,drummer available for gigs\n"
    )
    assert "kit" in helpers_of(matcher)
    import_files(sessions, [tmp_path / "posts.csv"])
    found = {m.member_id: m for m in matcher.for_member("hum", direction="helps_you")}
    assert "kit" not in found
    assert any(r["type"] == "need_offer" for r in found["mix"].reasons)


def test_an_offer_written_since_the_build_finds_the_builds_needs_it_could_meet(
    matcher, sessions, flaky
):
    # van joined after the build; kit's need (in the build) is what van's offer meets. The
    # build's lists cannot hold van, so the offer itself must be compared with the needs.
    community.add_member(sessions, {"name": "Van", "kind": "venue"}, external_id="van")
    community.add_post(
        sessions, flaky, member_id="van", side=OFFER, text="a rehearsal room to lend"
    )
    found = {m.member_id: m for m in matcher.for_member("van", direction="you_help")}
    assert "kit" in found
    # ... and the two sides agree: kit sees van as someone who could help them.
    helpers = {m.member_id: m for m in matcher.for_member("kit", direction="helps_you")}
    assert helpers["van"].score == pytest.approx(found["kit"].score)


def test_a_need_whose_writer_closed_since_the_build_no_longer_counts_as_help_given(
    sessions, settings, flaky
):
    # kit helped with hum's need before the build: "they helped with a need like it before".
    seed_community(sessions)
    community.record_interaction(
        sessions, kind="helped", from_member_id="kit", to_member_id="hum", need_id="hum-n0"
    )
    community.add_member(sessions, {"name": "Duo", "kind": "band"}, external_id="duo")
    text = "our band needs a drummer for gigs"  # closer to what kit helped with than kit's offer
    community.add_post(sessions, flaky, member_id="duo", side=NEED, text=text)
    build(sessions, flaky, settings)
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=flaky)

    assert "kit" in helped_before(matcher)
    community.close_member(sessions, "hum")
    assert "kit" not in helped_before(matcher)


def helped_before(matcher: Matcher, member: str = "duo") -> set[str]:
    """Who is listed to `member` for help they gave before (said without its words)."""
    return {
        m.member_id
        for m in matcher.for_member(member, direction="helps_you")
        for r in m.reasons
        if r["type"] == "need_offer" and r["offer"]["helped_before"]
    }


def test_a_need_reworded_since_the_build_no_longer_counts_in_its_old_words(
    sessions, settings, flaky
):
    seed_community(sessions)
    community.record_interaction(
        sessions, kind="helped", from_member_id="kit", to_member_id="hum", need_id="hum-n0"
    )
    community.add_member(sessions, {"name": "Duo", "kind": "band"}, external_id="duo")
    text = "our band needs a drummer for gigs"
    community.add_post(sessions, flaky, member_id="duo", side=NEED, text=text)
    build(sessions, flaky, settings)
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=flaky)

    assert "kit" in helped_before(matcher)
    community.update_post(sessions, flaky, "hum-n0", status="closed")  # helped, so closed
    assert "kit" in helped_before(matcher)
    community.update_post(sessions, flaky, "hum-n0", text="a band from Leeds, call 0113 496 0000")
    assert "kit" not in helped_before(matcher)  # the next build reads the help in its new words


def test_the_question_asked_on_every_request_reads_no_interactions_in_full(sessions):
    # One request's probe (matcher.live_queries.PROBE) on the default SQLite store: the newest
    # request joined as a derived table made SQLite scan every interaction (99 ms at 2 M rows).
    from matcher.live_queries import PROBE as _PROBE

    engine = sessions.kw["bind"]
    sent = []
    with engine.connect() as connection:
        listen = lambda *args: sent.append(args[2:4])  # noqa: E731 (statement, parameters)
        event.listen(connection, "before_cursor_execute", listen)
        connection.execute(_PROBE, {"since": utcnow()}).one()
        event.remove(connection, "before_cursor_execute", listen)
        statement, parameters = sent[0]
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    steps = [row[-1] for row in plan]
    assert any("interactions" in s for s in steps)
    assert not [s for s in steps if s.startswith("SCAN interactions")], steps


def test_a_search_finds_the_nearest_open_member_past_many_closed_since_the_build(
    sessions, settings, flaky
):
    with sessions.begin() as s:
        for i in range(12):
            add_member(s, f"gone{i:02d}", "session_musician", offers=["drummer available for gigs"])
        add_member(s, "here", "session_musician", offers=["drums: available for gig work, tours"])
    build(sessions, flaky, settings)
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=flaky)
    assert matcher.for_text("drummer available for gigs", limit=1)[0].member_id != "here"
    for i in range(12):
        community.close_member(sessions, f"gone{i:02d}")
    found = matcher.for_text("drummer available for gigs", limit=1)  # it looked at 10 only
    assert [m.member_id for m in found] == ["here"]
