"""What profiles and posts said before each edit: kept by every writer in the edit's own
transaction, only when a field the ranker reads changed, deleted by erasure, and handed to
the history in the `Community` snapshot."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from matcher import community
from matcher.db import close_store, open_store
from matcher.erase import erase_member
from matcher.errors import InvalidInput
from matcher.io import import_files
from matcher.snapshot import Community, load_community
from matcher.store import Member, MemberRevision, Post, PostRevision
from tests.api.helpers import seed_community
from tests.conftest import settings_in

DATA = Path(__file__).parent / "data"
EDITED = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def at(moment: datetime):
    return lambda: moment


def _count(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _ids(sessions, model) -> dict[str, int]:
    with sessions() as s:
        return dict(s.execute(select(model.external_id, model.id)).all())


def test_a_move_keeps_where_the_member_was_until_then(sessions):
    seed_community(sessions)
    community.update_member(
        sessions,
        "hum",
        {"town": "Bristol", "latitude": 51.45, "longitude": -2.59, "capacity": 5},
        clock=at(EDITED),
    )
    with sessions() as s:
        revisions = load_community(s).member_revisions
    assert len(revisions) == 1
    kept = revisions.iloc[0]
    assert kept["member_id"] == _ids(sessions, Member)["hum"]
    assert kept["replaced_at"] == pd.Timestamp(EDITED)
    assert (kept["town"], kept["latitude"], kept["longitude"]) == ("Leeds", 53.80, -1.55)
    assert (kept["tags"], kept["capacity"]) == (["shoegaze"], 3)


def test_an_edit_of_what_no_feature_reads_keeps_nothing(sessions):
    seed_community(sessions)
    community.update_member(sessions, "hum", {"bio": "loud", "email": "new@example.org"})
    community.update_member(sessions, "hum", {"town": "Leeds", "tags": ["shoegaze"]})  # as was
    community.close_member(sessions, "kit")
    community.update_member(sessions, "kit", {"active": True})
    assert _count(sessions, MemberRevision) == 0


def test_a_reworded_or_retagged_post_keeps_what_it_said(sessions, encoder):
    seed_community(sessions)
    first, second = EDITED, EDITED + timedelta(days=2)
    text = "a drummer, loud, for a tour"
    community.update_post(sessions, encoder, "hum-n0", text=text, clock=at(first))
    community.update_post(sessions, encoder, "hum-n0", tags=["drums"], clock=at(second))
    with sessions() as s:
        kept = load_community(s).post_revisions
    post = _ids(sessions, Post)["hum-n0"]
    assert kept[["post_id", "replaced_at", "text"]].values.tolist() == [
        [post, pd.Timestamp(first), "our band needs a drummer for gigs"],
        [post, pd.Timestamp(second), text],
    ]
    assert kept["tags"].tolist() == [[], []]


def test_closing_a_post_or_writing_its_words_again_keeps_nothing(sessions, encoder):
    seed_community(sessions)
    community.update_post(sessions, encoder, "hum-n0", status="closed")
    community.close_post(sessions, "kit-n0")
    community.update_post(sessions, encoder, "hum-o0", text="we can lend our rehearsal room")
    community.update_post(sessions, encoder, "hum-o0", tags=[])
    assert _count(sessions, PostRevision) == 0


def test_an_edit_refused_keeps_nothing(sessions):
    seed_community(sessions)
    with pytest.raises(InvalidInput):  # a place is a latitude and a longitude, or neither
        community.update_member(sessions, "hum", {"town": "Bristol", "latitude": None})
    assert _count(sessions, MemberRevision) == 0


@pytest.fixture
def imported(sessions):
    """A store holding the good example files, imported on the 20th of January."""
    import_files(sessions, [DATA / "good"], clock=at(datetime(2026, 1, 20, tzinfo=UTC)))
    return sessions


def _changed_files(tmp_path: Path) -> Path:
    """The good files with p3 reworded, m2 moved to Bristol and m3's bio new."""
    folder = tmp_path / "changed"
    shutil.copytree(DATA / "good", folder)
    posts = folder / "posts.jsonl"
    posts.write_text(posts.read_text().replace("on an analogue desk", "on a vintage desk"))
    members = folder / "members.csv"
    lines = members.read_text().split("\n")
    lines = [
        line.replace(
            "session_musician,Leeds,UK,53.80,-1.55", "session_musician,Bristol,UK,,"
        ).replace(",live music,,,no", ",live music,A new bio,,no")
        for line in lines
    ]
    members.write_text("\n".join(lines))
    return folder


def test_an_import_keeps_what_it_changed_as_of_the_import(imported, tmp_path):
    folder = _changed_files(tmp_path)
    later = datetime(2026, 2, 1, tzinfo=UTC)
    result = import_files(imported, [folder], clock=at(later))
    assert result.counts["posts"]["updated"] == 1
    assert result.counts["members"]["updated"] == 2  # m2 moved, m3's bio
    with imported() as s:
        c = load_community(s)
    posts, members = _ids(imported, Post), _ids(imported, Member)
    assert c.post_revisions[["post_id", "replaced_at", "text"]].values.tolist() == [
        [posts["p3"], pd.Timestamp(later), "Mixing and mastering on an analogue desk"]
    ]
    assert c.post_revisions["tags"].tolist() == [["mixing"]]
    moved = c.member_revisions  # m2 only: a new bio is read by no feature
    assert moved[["member_id", "replaced_at", "town", "latitude"]].values.tolist() == [
        [members["m2"], pd.Timestamp(later), "Leeds", 53.80]
    ]
    # The same file again changes nothing, and keeps nothing more.
    again = import_files(imported, [folder], clock=at(later + timedelta(days=1)))
    assert again.counts["posts"]["updated"] == again.counts["members"]["updated"] == 0
    assert (_count(imported, PostRevision), _count(imported, MemberRevision)) == (1, 1)


def test_an_import_that_fails_while_writing_keeps_nothing(imported, tmp_path, monkeypatch):
    from matcher.io import importer

    def full_disk(**_):
        raise RuntimeError("disk full")

    # The import's own record is written last, after the rows and their revisions.
    monkeypatch.setattr(importer, "ImportRun", full_disk)
    with pytest.raises(RuntimeError, match="disk full"):
        import_files(
            imported, [_changed_files(tmp_path)], clock=at(datetime(2026, 2, 1, tzinfo=UTC))
        )
    assert (_count(imported, PostRevision), _count(imported, MemberRevision)) == (0, 0)
    with imported() as s:
        assert s.scalar(select(Post.text).where(Post.external_id == "p3")).endswith("analogue desk")


def test_erasure_leaves_nothing_of_what_they_said_before(sessions, encoder):
    seed_community(sessions)
    community.update_member(
        sessions, "hum", {"town": "Bristol", "latitude": 51.45, "longitude": -2.59}
    )
    community.update_post(sessions, encoder, "hum-n0", text="a drummer, loud, for a tour")
    community.update_post(sessions, encoder, "hum-o0", tags=["rooms"])
    community.update_post(sessions, encoder, "kit-n0", text="a room to rehearse in")
    community.update_member(sessions, "kit", {"capacity": 1})
    kit_posts = {_ids(sessions, Post)["kit-n0"]}
    kit = _ids(sessions, Member)["kit"]
    assert (_count(sessions, PostRevision), _count(sessions, MemberRevision)) == (3, 2)
    erase_member(sessions, "hum")
    with sessions() as s:
        c = load_community(s)
    # Only kit's are left: of hum's profile and posts, none (and nothing is recorded of the
    # erasure's own emptying of them).
    assert set(c.post_revisions["post_id"]) == kit_posts
    assert c.post_revisions["text"].tolist() == ["looking for a rehearsal room"]
    assert set(c.member_revisions["member_id"]) == {kit}
    cells = c.post_revisions.astype(str).to_csv() + c.member_revisions.astype(str).to_csv()
    for word in ("drummer", "loud", "Bristol", "shoegaze", "rooms"):  # kit is in Leeds too
        assert word not in cells, word


def test_a_copy_of_the_store_carries_the_revisions(sessions, encoder, tmp_path):
    from matcher.copy import copy_store

    seed_community(sessions)
    community.update_post(sessions, encoder, "hum-n0", text="a drummer, loud, for a tour")
    community.update_member(sessions, "kit", {"capacity": 1})
    target = open_store(settings_in(tmp_path / "copy"))
    try:
        copied = copy_store(sessions, target)
        assert (copied["post_revisions"], copied["member_revisions"]) == (1, 1)
        with sessions() as s, target() as t:
            was, now = load_community(s), load_community(t)
        pd.testing.assert_frame_equal(now.post_revisions, was.post_revisions)
        pd.testing.assert_frame_equal(now.member_revisions, was.member_revisions)
    finally:
        close_store(target)


def _old_fingerprint(c: Community) -> str:
    """The digest as it was made before revisions were kept: the three frames, their values
    that are not numbers or times written as JSON."""
    digest = hashlib.sha256()
    for frame in (c.members, c.posts, c.interactions):
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = [json.dumps(v, sort_keys=True, default=str) for v in frame[column]]
        digest.update(pd.util.hash_pandas_object(frame, index=True).values.tobytes())
    return digest.hexdigest()


def test_a_community_without_revisions_keeps_its_fingerprint(sessions, encoder):
    seed_community(sessions)
    with sessions() as s:
        c = load_community(s)
    assert c.fingerprint() == _old_fingerprint(c)
    plain = Community(c.members, c.posts, c.interactions)  # as every caller made one
    assert plain.fingerprint() == c.fingerprint()
    community.update_post(sessions, encoder, "hum-n0", text="a drummer, loud, for a tour")
    with sessions() as s:
        edited = load_community(s)
    assert edited.fingerprint() != _old_fingerprint(edited)
    # The revision alone tells them apart: the same posts and members without it differ.
    without = Community(edited.members, edited.posts, edited.interactions)
    assert edited.fingerprint() != without.fingerprint()


def test_frames_given_are_read_as_the_stores_are():
    kept = pd.DataFrame(
        [{"post_id": 7, "replaced_at": "2026-01-01T10:00:00+01:00", "text": "old", "tags": None}],
        index=pd.Index([1], name="id"),
    )
    empty = pd.DataFrame()
    c = Community.from_frames(empty, empty, empty, post_revisions=kept)
    assert c.post_revisions.at[1, "replaced_at"] == pd.Timestamp("2026-01-01T09:00:00Z")
    assert c.post_revisions.at[1, "tags"] == []
    assert len(c.member_revisions) == 0 and "capacity" in c.member_revisions.columns


def test_texts_are_the_posts_then_their_earlier_versions(sessions, encoder):
    seed_community(sessions)
    community.update_post(sessions, encoder, "kit-n0", text="a room to rehearse in")
    community.update_post(sessions, encoder, "hum-n0", text="a drummer, loud, for a tour")
    with sessions() as s:
        c = load_community(s)
    assert c.texts() == [
        *c.posts["text"],
        "looking for a rehearsal room",
        "our band needs a drummer for gigs",
    ]
    assert len(c.texts()) == len(c.posts) + 2
    assert Community(c.members, c.posts, c.interactions).texts() == c.posts["text"].tolist()
    blank = c.posts.assign(text=[None, *c.posts["text"].iloc[1:]])  # as a dump's may be
    assert Community(c.members, blank, c.interactions).texts()[0] == ""


def test_edits_through_the_store_change_no_feature_of_an_earlier_need(sessions, encoder):
    """End to end: a need's features, replayed from the store, are the same after its asker,
    a candidate's offer and the need itself were edited through the API's functions."""
    import dataclasses

    import numpy as np

    from matcher.features.queries import experienced_helpers, query_features
    from matcher.snapshot import MEMBER_REVISION_COLUMNS, POST_REVISION_COLUMNS, no_revisions

    seed_community(sessions)

    with sessions() as s:
        offer = s.scalar(select(Post.external_id).where(Post.text == "drummer available for gigs"))
        need, need_id = s.execute(
            select(Post.external_id, Post.id).where(Post.text.startswith("our band"))
        ).one()

    def features(c: Community | None = None) -> tuple[Community, np.ndarray]:
        if c is None:
            with sessions() as s:
                c = load_community(s)
        rule = experienced_helpers(0)
        [block] = query_features(c, encoder.encode(c.texts()), [need_id], rule)
        return c, block.features

    _, before = features()
    later = datetime.now(UTC) + timedelta(days=30)
    community.update_post(sessions, encoder, offer, text="I teach piano", clock=at(later))
    community.update_post(sessions, encoder, need, text="found one, thanks!", clock=at(later))
    community.update_member(sessions, "hum", {"town": "Glasgow"}, clock=at(later))
    edited, after = features()
    assert len(edited.post_revisions) == 2 and len(edited.member_revisions) == 1
    np.testing.assert_array_equal(before, after)

    # Read without what they said before, the edits would change its features.
    forgotten = dataclasses.replace(
        edited,
        post_revisions=no_revisions(POST_REVISION_COLUMNS),
        member_revisions=no_revisions(MEMBER_REVISION_COLUMNS),
    )
    assert not np.array_equal(np.nan_to_num(before), np.nan_to_num(features(forgotten)[1]))
