"""Importing into the store: all-or-nothing validation, idempotent upserts, import runs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from matcher.domain import MAX_TEXT_LENGTH
from matcher.errors import ImportRejected, RowProblem
from matcher.io import Frames, import_files, import_frames
from matcher.store import Base, ImportRun, Member, Post

DATA = Path(__file__).parent / "data"
T0 = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)


def rejected(sessions, paths, **kw) -> list[RowProblem]:
    """The problems of an import that must be rejected (and writes nothing)."""
    with pytest.raises(ImportRejected) as caught:
        import_files(sessions, paths, **kw)
    return caught.value.problems


def ticking_clock(start: datetime = T0):
    """A clock that moves on an hour at every call, so a rewrite would show in updated_at."""
    hours = count()
    return lambda: start + timedelta(hours=next(hours))


def dump(sessions) -> dict[str, list[tuple]]:
    """Every row of every table, in key order."""
    with sessions() as session:
        return {
            table.name: [
                tuple(r) for r in session.execute(select(table).order_by(*table.primary_key))
            ]
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def stocked(sessions):
    """A store holding the good example files."""
    import_files(sessions, [DATA / "good"], clock=ticking_clock())
    return sessions


def test_every_bad_row_is_reported_and_nothing_is_written(stocked, tmp_path: Path):
    folder = tmp_path / "bad"
    shutil.copytree(DATA / "bad", folder)
    long_text = "x" * (MAX_TEXT_LENGTH + 1)
    with (folder / "posts.csv").open("a") as f:
        f.write(f"q7,b1,offer,{long_text},,,,\n")
        f.write(f"q8,b1,offer,{'y' * 200_000},,,,\n")  # beyond the csv module's own limit
    before = dump(stocked)

    problems = rejected(stocked, [folder], clock=ticking_clock(T0 + timedelta(days=1)))

    found = {(Path(p.file).name, p.row, p.field) for p in problems}
    # A latitude that is no number is not also said to be missing beside its longitude.
    assert len([p for p in problems if (Path(p.file).name, p.row) == ("members.csv", 10)]) == 1
    assert found == {
        ("members.csv", 4, "id"),  # missing id
        ("members.csv", 5, "kind"),  # unknown kind
        ("members.csv", 6, "joined_at"),  # unparseable date
        ("members.csv", 8, "id"),  # duplicate (line 7 is blank, lines 2-3 one record)
        ("members.csv", 9, "email"),
        ("members.csv", 10, "latitude"),  # not a number
        ("members.csv", 11, "latitude"),  # out of range
        ("members.csv", 11, "longitude"),
        ("members.csv", 12, "capacity"),  # negative
        ("members.csv", 13, "email_consent"),  # not a boolean
        ("members.csv", 14, "name"),  # required
        ("posts.csv", 3, "side"),
        ("posts.csv", 4, "member_id"),  # unknown member
        ("posts.csv", 5, "text"),  # empty
        ("posts.csv", 6, "status"),
        ("posts.csv", 7, "created_at"),  # 30 February
        ("posts.csv", 8, "text"),  # too long
        ("posts.csv", 9, "text"),  # far too long
        ("interactions.jsonl", 2, "kind"),
        ("interactions.jsonl", 3, "from_member_id"),
        ("interactions.jsonl", 4, "need_id"),  # an offer given as the need
        ("interactions.jsonl", 5, "offer_id"),  # unknown post
        ("interactions.jsonl", 6, "occurred_at"),  # required
        ("interactions.jsonl", 7, "-"),  # not JSON
    }
    reasons = {(Path(p.file).name, p.row): p.reason for p in problems}
    assert "duplicate" in reasons[("members.csv", 8)]
    assert "longer than" in reasons[("posts.csv", 8)]
    assert dump(stocked) == before


def test_a_file_without_a_required_column_is_one_problem(sessions, tmp_path: Path):
    (tmp_path / "members.csv").write_text("id,name\nm1,A\nm2,B\n")
    with pytest.raises(ImportRejected) as caught:
        import_files(sessions, [tmp_path])
    assert [(p.row, p.field, p.reason) for p in caught.value.problems] == [
        (0, "kind", "required column missing (the header has: 'id', 'name')")
    ]
    assert str(caught.value) == "1 problem(s) in 1 file(s) as a whole; nothing was imported"


@pytest.mark.parametrize(
    "header, reason",
    [
        ("ID,name,kind", "required column missing (the header has 'ID': write it 'id', lower case"),
    ],
)
def test_a_header_slip_is_named(sessions, tmp_path: Path, header, reason):
    (tmp_path / "members.csv").write_text(f"{header}\nm1,A,band\n")
    problems = rejected(sessions, [tmp_path])
    assert problems[0].field == "id"
    assert problems[0].reason.startswith(reason)


def test_an_optional_column_written_in_another_case_is_refused_not_dropped(sessions, tmp_path):
    # Ignored with a warning, it lost every member's address and consent without a word.
    (tmp_path / "members.csv").write_text(
        "id,name,kind,Email,Email_Consent, town,notes\nm1,A,band,a@example.org,yes,Leeds,x\n"
    )
    problems = rejected(sessions, [tmp_path])
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (0, column, f"the header has {found!r}: write it {column!r}, lower case, no spaces")
        for found, column in (
            (" town", "town"),
            ("Email", "email"),
            ("Email_Consent", "email_consent"),
        )
    ]  # and 'notes', no column of ours, is only warned about


def test_a_member_cannot_help_themself(stocked, tmp_path: Path):
    (tmp_path / "interactions.csv").write_text(
        "id,kind,from_member_id,to_member_id,occurred_at\n"
        "i90,helped,m1,m1,2026-01-20T10:00:00Z\ni91,helped,m2,m1,2026-01-20T10:00:00Z\n"
    )
    problems = rejected(stocked, [tmp_path])
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (
            2,
            "to_member_id",
            "the same member as from_member_id: an interaction is between two members",
        )
    ]


def test_importing_the_same_files_twice_changes_nothing(stocked):
    before = dump(stocked)
    result = import_files(stocked, [DATA / "good"], clock=ticking_clock(T0 + timedelta(days=3)))
    assert result.counts == {
        "members": {"inserted": 0, "updated": 0, "unchanged": 5},
        "posts": {"inserted": 0, "updated": 0, "unchanged": 5},
        "interactions": {"inserted": 0, "updated": 0, "unchanged": 5},
    }
    after = dump(stocked)
    for table in ("members", "posts", "interactions"):
        assert after[table] == before[table]  # updated_at included
    assert len(after["imports"]) == len(before["imports"]) + 1


def test_a_changed_post_text_updates_exactly_that_post(stocked, tmp_path: Path):
    shutil.copytree(DATA / "good", tmp_path / "good")
    posts = tmp_path / "good" / "posts.jsonl"
    posts.write_text(posts.read_text().replace("on an analogue desk", "on a vintage desk"))
    with stocked() as session:
        before = {p.external_id: (p.text, p.updated_at) for p in session.scalars(select(Post))}
    later = T0 + timedelta(days=5)

    result = import_files(stocked, [tmp_path / "good"], clock=lambda: later)

    assert result.counts["posts"] == {"inserted": 0, "updated": 1, "unchanged": 4}
    assert result.counts["members"]["updated"] == 0
    with stocked() as session:
        after = {p.external_id: (p.text, p.updated_at) for p in session.scalars(select(Post))}
    assert after["p3"] == ("Mixing and mastering on a vintage desk", later)
    assert {k: v for k, v in after.items() if k != "p3"} == {
        k: v for k, v in before.items() if k != "p3"
    }


def test_empty_defaulted_cells_get_defaults_when_new_and_keep_stored_values(sessions):
    members = pd.DataFrame([{"id": "m1", "name": "A", "kind": "band", "capacity": 7}])
    import_frames(sessions, Frames(members=members), source="code", clock=lambda: T0)
    bare = pd.DataFrame(
        [{"id": "m1", "name": "A", "kind": "band"}, {"id": "m2", "name": "B", "kind": "fan"}]
    )
    result = import_frames(
        sessions,
        Frames(members=bare),
        source="code",
        clock=lambda: T0 + timedelta(days=1),
        default_capacity=4,
    )
    assert result.counts["members"] == {"inserted": 1, "updated": 0, "unchanged": 1}
    with sessions() as session:
        stored = {m.external_id: m for m in session.scalars(select(Member))}
    assert (stored["m1"].capacity, stored["m1"].joined_at) == (7, T0)
    assert (stored["m2"].capacity, stored["m2"].joined_at) == (4, T0 + timedelta(days=1))
    assert (stored["m2"].active, stored["m2"].email_consent, stored["m2"].share_contact) == (
        True,
        False,
        False,
    )


def test_columns_a_file_leaves_out_keep_the_stored_values(stocked, tmp_path: Path):
    # An organiser fixes one email with a file of just the columns that matter: the member's
    # town, tags and bio, not in the file, stay; an empty cell of a column given still clears.
    (tmp_path / "members-emailfix.csv").write_text(
        "id,name,kind,email,bio\nm2,Ana Ruiz,session_musician,ana.new@example.org,\n"
    )
    (tmp_path / "posts-retext.jsonl").write_text(
        '{"id": "p1", "member_id": "m1", "side": "need", "text": "Drummer wanted, shoegaze"}\n'
    )
    with stocked() as session:
        ana = session.scalars(select(Member).where(Member.external_id == "m2")).one()
        before = (ana.town, ana.latitude, ana.tags, ana.capacity, ana.joined_at)

    result = import_files(stocked, [tmp_path], clock=lambda: T0 + timedelta(days=3))

    assert result.counts["members"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    assert result.counts["posts"] == {"inserted": 0, "updated": 1, "unchanged": 0}
    with stocked() as session:
        ana = session.scalars(select(Member).where(Member.external_id == "m2")).one()
        p1 = session.scalars(select(Post).where(Post.external_id == "p1")).one()
        assert (ana.email, ana.bio) == ("ana.new@example.org", None)
        assert (ana.town, ana.latitude, ana.tags, ana.capacity, ana.joined_at) == before
        assert before[0] == "Leeds" and before[2] == ["drums", "jazz"]
        assert (p1.text, p1.tags) == ("Drummer wanted, shoegaze", ["drums", "shoegaze"])


def test_frames_made_in_code_with_typed_values_import(sessions):
    members = pd.DataFrame(
        {
            "id": [1, 2],
            "name": ["The Hum", "Ana"],
            "kind": ["band", "session_musician"],
            "latitude": [53.8, None],
            "longitude": [-1.55, None],
            "tags": [["shoegaze"], []],
            "email_consent": [True, False],
            "joined_at": pd.to_datetime(["2025-01-01", "2025-02-01"], utc=True),
        }
    )
    posts = pd.DataFrame(
        [{"id": "p1", "member_id": "1", "side": "need", "text": "a drummer", "tags": "drums; live"}]
    )
    result = import_frames(sessions, Frames(members=members, posts=posts), source="demo")
    assert result.counts["members"]["inserted"] == 2
    with sessions() as session:
        post = session.scalars(select(Post)).one()
        hum = session.scalars(select(Member).where(Member.external_id == "1")).one()
        owner = post.member.external_id
    assert (owner, post.tags) == ("1", ["drums", "live"])
    assert (hum.tags, hum.email_consent, hum.latitude) == (["shoegaze"], True, 53.8)
    assert hum.joined_at == datetime(2025, 1, 1, tzinfo=UTC)


def test_problems_in_frames_made_in_code_name_the_entity_and_position(sessions):
    members = pd.DataFrame([{"id": "m1", "name": "A", "kind": "band"}, {"id": "m2", "name": "B"}])
    with pytest.raises(ImportRejected) as caught:
        import_frames(sessions, Frames(members=members), source="code")
    assert [str(p) for p in caught.value.problems] == ["members:2: kind: required but empty"]


def test_posts_and_interactions_may_reference_stored_rows(stocked, tmp_path: Path):
    (tmp_path / "posts-more.csv").write_text(
        "id,member_id,side,text\np9,m5,need,A ride to the gig\n"
    )
    (tmp_path / "interactions-more.csv").write_text(
        "id,kind,from_member_id,to_member_id,need_id,offer_id,occurred_at\n"
        "i9,contacted,m5,m3,p9,p5,2026-01-11T10:00:00\n"
    )
    result = import_files(stocked, [tmp_path])
    assert result.counts["posts"]["inserted"] == 1
    assert result.counts["interactions"]["inserted"] == 1


def test_unknown_columns_are_ignored_and_warned_about_once_per_file(sessions, tmp_path: Path):
    (tmp_path / "members-a.csv").write_text("id,name,kind,shoe_size\nm1,A,band,42\n")
    (tmp_path / "members-b.json").write_text(
        '[{"id": "m2", "name": "B", "kind": "fan", "shoe_size": 9}]'
    )
    result = import_files(sessions, [tmp_path])
    assert result.warnings == [
        f"{tmp_path / name}: ignored unknown column(s): shoe_size"
        for name in ("members-a.csv", "members-b.json")
    ]
    assert result.counts["members"]["inserted"] == 2


def test_help_dated_before_the_need_it_names_is_warned_about(sessions, tmp_path: Path):
    # Posts without created_at are dated at the import: the help of January then came before
    # its need, and the ranker could learn nothing from it (a build said "0 labelled outcomes").
    (tmp_path / "members.csv").write_text("id,name,kind\nm1,A,band\nm2,B,session_musician\n")
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text,created_at\n"
        "p1,m1,need,a drummer,\np2,m1,need,a bassist,2025-12-01\n"
    )
    (tmp_path / "interactions.csv").write_text(
        "id,kind,from_member_id,to_member_id,need_id,occurred_at\n"
        "i1,helped,m2,m1,p2,2026-01-05\ni2,helped,m2,m1,p1,2026-01-05\n"
    )
    now = datetime(2026, 11, 28, tzinfo=UTC)
    result = import_files(sessions, [tmp_path], clock=lambda: now)
    assert result.warnings == [
        f"{tmp_path / 'interactions.csv'}: 1 interaction(s) dated before the need or offer they "
        "name was posted (the first, row 3: 'i2' at 2026-01-05T00:00:00+00:00, need_id 'p1' "
        "posted 2026-11-28T00:00:00+00:00): the ranker cannot learn from them, so `matcher "
        "build` does not count them among the labelled outcomes it trains on, accepted or "
        "helped as they are. Posts imported without created_at are dated at their import: give the "
        "posts they name a created_at before the interactions and import them again "
        "(docs/formats.md)"
    ]
    # The store's date counts for a post the file leaves undated; the file's, when it has one.
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text,created_at\np1,m1,need,a drummer,2025-12-01\n"
    )
    assert import_files(sessions, [tmp_path], clock=lambda: now).warnings == []
    (tmp_path / "posts.csv").unlink()
    assert import_files(sessions, [tmp_path], clock=lambda: now).warnings == []


def test_an_import_that_opens_again_what_the_store_has_closed_says_so(sessions, tmp_path: Path):
    # The organiser's master file, written before a member closed a post and another member
    # closed their membership through the API, would open both again without a word.
    (tmp_path / "members.csv").write_text("id,name,kind,active\nm1,A,band,true\nm2,B,venue,true\n")
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text,status\np1,m1,need,a drummer,open\np2,m1,need,a bassist,open\n"
    )
    assert import_files(sessions, [tmp_path]).warnings == []
    with sessions.begin() as s:
        s.scalars(select(Post).where(Post.external_id == "p1")).one().status = "closed"
        s.scalars(select(Member).where(Member.external_id == "m2")).one().active = False
    result = import_files(sessions, [tmp_path], dry_run=True)
    assert result.warnings == [
        "1 member(s) closed in the store are opened again by the file (active true): m2. If "
        "they were closed since the file was written, write them closed there, or leave the "
        "cell empty to keep what the store has",
        "1 post(s) closed in the store are opened again by the file (status open): p1. If they "
        "were closed since the file was written, write them closed there, or leave the cell "
        "empty to keep what the store has",
    ]
    # An empty cell keeps what the store has: nothing is opened, nothing said.
    (tmp_path / "members.csv").write_text("id,name,kind,active\nm1,A,band,true\nm2,B,venue,\n")
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text,status\np1,m1,need,a drummer,\np2,m1,need,a bassist,open\n"
    )
    assert import_files(sessions, [tmp_path]).warnings == []
    with sessions() as s:
        assert s.scalars(select(Post.status).where(Post.external_id == "p1")).one() == "closed"
        assert not s.scalars(select(Member.active).where(Member.external_id == "m2")).one()


def test_a_folders_files_named_for_nothing_are_named_in_a_warning(sessions, tmp_path: Path):
    (tmp_path / "members.csv").write_text("id,name,kind\nm1,A,band\n")
    (tmp_path / "needs.csv").write_text("id,member_id,side,text\np1,m1,need,a drummer\n")
    (tmp_path / "notes.txt").write_text("not an import file, and not one by its name")
    result = import_files(sessions, [tmp_path])
    assert result.counts["members"]["inserted"] == 1
    assert result.warnings == [
        f"not read: {tmp_path / 'needs.csv'} (a folder's files are read by their names: "
        "members*, posts* or interactions*)"
    ]


def test_a_dry_run_counts_but_writes_nothing(sessions):
    before = dump(sessions)
    result = import_files(sessions, [DATA / "good"], dry_run=True)
    assert result.dry_run
    assert result.counts["interactions"]["inserted"] == 5
    assert dump(sessions) == before


def test_a_successful_import_is_recorded(sessions):
    import_files(sessions, [DATA / "good" / "members.csv"], clock=lambda: T0)
    with sessions() as session:
        run = session.scalars(select(ImportRun)).one()
    assert run.at == T0
    assert run.source.endswith("members.csv")
    assert run.counts["members"] == {"inserted": 5, "updated": 0, "unchanged": 0}


def test_an_import_cannot_sign_up_again_a_member_who_unsubscribed(sessions, tmp_path):
    from matcher.community import unsubscribe

    members = tmp_path / "members.csv"
    members.write_text("id,name,kind,email,email_consent\nm1,Hum,band,hum@example.org,yes\n")
    import_files(sessions, [members])
    unsubscribe(sessions, "m1")
    result = import_files(sessions, [members])
    assert any("unsubscribed" in w for w in result.warnings)
    with sessions() as s:
        member = s.scalars(select(Member)).one()
    assert member.email_consent is False and member.unsubscribed_at is not None
    again = import_files(sessions, [members])
    assert again.counts["members"]["unchanged"] == 1


def test_rows_are_stamped_when_the_writing_starts_not_when_the_import_did(sessions):
    # A running API re-reads the last 30 s of changes (matcher.live.REREAD): rows stamped at
    # the start of a long import could commit too late to be seen before the next build.
    ticks = iter([T0, T0 + timedelta(minutes=5)])  # checking the files took five minutes
    members = pd.DataFrame([{"id": "m1", "name": "A", "kind": "band"}])
    import_frames(sessions, Frames(members=members), source="code", clock=lambda: next(ticks))
    with sessions() as session:
        member = session.scalars(select(Member)).one()
        run = session.scalars(select(ImportRun)).one()
    assert member.joined_at == T0  # the default of a new member: when the import began
    assert member.updated_at == run.at == T0 + timedelta(minutes=5)


def test_an_unquoted_comma_is_named_as_such_not_as_shifted_cells(sessions, tmp_path: Path):
    (tmp_path / "members.csv").write_text("id,name,kind\nm1,A,band\n")
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text\n"
        "p1,m1,need,Looking for a drummer who likes shoegaze, Leeds area\n"
        'p2,m1,need,"Mixing, mastering"\n'
    )
    problems = rejected(sessions, [tmp_path])
    assert [(Path(p.file).name, p.row, p.field) for p in problems] == [("posts.csv", 2, "-")]
    assert problems[0].reason.startswith("5 cells, but the header has 4")


def test_a_need_must_be_the_seekers_and_an_offer_the_helpers(stocked, tmp_path: Path):
    # p1 is m1's need, p2 m2's offer (tests/data/good), here and in the store.
    (tmp_path / "interactions.csv").write_text(
        "id,kind,from_member_id,to_member_id,need_id,offer_id,occurred_at\n"
        "i90,helped,m2,m3,p1,p2,2026-01-20T10:00:00Z\n"  # m3 is the seeker, p1 is m1's
        "i91,contacted,m1,m3,p1,p2,2026-01-20T10:00:00Z\n"  # m3 is the helper, p2 is m2's
        "i92,helped,m2,m1,p1,p2,2026-01-20T10:00:00Z\n"  # right
        "i93,blocked,m3,m1,p1,p2,2026-01-20T10:00:00Z\n"  # a block has no roles
    )
    problems = rejected(stocked, [tmp_path])
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (
            2,
            "need_id",
            "post 'p1' belongs to 'm1'; in a 'helped' interaction the need must be the "
            "seeker's (to_member_id 'm3')",
        ),
        (
            3,
            "offer_id",
            "post 'p2' belongs to 'm2'; in a 'contacted' interaction the offer must be the "
            "helper's (to_member_id 'm3')",
        ),
    ]


def test_a_file_not_in_utf8_says_so_and_how_to_save_it(sessions, tmp_path: Path):
    (tmp_path / "members.csv").write_bytes("id,name,kind\nm1,Björk,artist\n".encode("latin-1"))
    problems = rejected(sessions, [tmp_path])
    (problem,) = problems
    assert (problem.row, problem.field) == (0, "file")
    assert problem.reason.startswith("the file is not UTF-8 (a Latin-1 or Windows file?): save")
    (tmp_path / "members.csv").write_bytes("id,name,kind\nm1,Björk,artist\n".encode("utf-16"))
    (problem,) = rejected(sessions, [tmp_path])
    assert problem.reason.startswith("the file is UTF-16 (a 'Unicode text' export?): save it as")
    (tmp_path / "members.csv").unlink()
    (tmp_path / "members.jsonl").write_bytes('{"id": "m1", "name": "Björk"}\n'.encode("latin-1"))
    (problem,) = rejected(sessions, [tmp_path])
    assert problem.reason.endswith("save it as UTF-8, e.g. with your editor")


def test_the_role_check_reads_the_stored_posts_of_a_file_that_leaves_them_out(
    stocked, tmp_path: Path
):
    # i2 is m1 contacting m2 about m1's need p1 and m2's offer p2 (tests/data/good). A file
    # without the post columns keeps those posts, so m3 cannot become the helper.
    (tmp_path / "interactions.csv").write_text(
        "id,kind,from_member_id,to_member_id,occurred_at\ni2,contacted,m1,m3,2026-01-08T11:00:00Z\n"
    )
    problems = rejected(stocked, [tmp_path])
    assert [(p.row, p.field) for p in problems] == [(2, "offer_id")]
    assert "the offer must be the helper's (to_member_id 'm3')" in problems[0].reason


def test_a_key_one_json_object_leaves_out_keeps_that_rows_stored_value(stocked, tmp_path: Path):
    (tmp_path / "posts.jsonl").write_text(
        '{"id": "p2", "member_id": "m2", "side": "offer", "text": "Session drums, any genre"}\n'
        '{"id": "p3", "member_id": "m4", "side": "offer", '
        '"text": "Mixing and mastering on an analogue desk", "tags": ["mastering"]}\n'
    )
    import_files(stocked, [tmp_path])
    with stocked() as session:
        tags = dict(session.execute(select(Post.external_id, Post.tags)).all())
    assert tags["p2"] == ["drums", "jazz"]  # p2 gives no tags: kept
    assert tags["p3"] == ["mastering"]  # p3 gives them: changed


def test_texts_and_times_the_store_cannot_hold_are_named_problems(sessions, tmp_path: Path):
    # A line break in a name breaks the weekly email's To header; a NUL character cannot be
    # stored in PostgreSQL; the year 1 overflows when it is made UTC. Bios may hold lines.
    (tmp_path / "members.csv").write_text(
        "id,name,kind,bio,joined_at\n"
        'm1,"The Hum\nBcc: all@example.org",band,,\n'
        'm2,Kit,artist,"two\nlines",0001-01-01T00:00:00+01:00\n'
        'm3,Mix,engineer,"a\x00b",\n'
        'm4,"Far",artist,,9999-12-31T23:59:59-01:00\n'
        "m5,\u202eevil,artist,,\n"
    )
    (tmp_path / "posts.jsonl").write_text(
        '{"id": "p1", "member_id": "m2", "side": "need", "text": "a drummer", "tags": ["a\\nb"]}\n'
        '{"id": "p2", "member_id": "m4", "side": "need", "text": "a \\u202edrummer"}\n'
    )
    problems = rejected(sessions, [tmp_path])
    found = {(Path(p.file).name, p.row, p.field): p.reason for p in problems}
    assert found == {
        ("members.csv", 2, "name"): "holds a line break; it must be one line",
        ("members.csv", 4, "joined_at"): "year 1 is out of range (1900 to 2200)",
        ("members.csv", 6, "bio"): "holds a control character (U+0000)",  # the line it is on
        ("members.csv", 7, "joined_at"): "year 9999 is out of range (1900 to 2200)",
        ("posts.jsonl", 1, "tags"): "tag 'a\\nb' holds a line break; it must be one line",
        # Bidirectional overrides turn around the text after them where it is shown.
        ("members.csv", 8, "name"): f"holds a bidirectional override (U+202E), {TURNED}",
        ("posts.jsonl", 2, "text"): f"holds a bidirectional override (U+202E), {TURNED}",
    }
    assert dump(sessions)["members"] == []


TURNED = "which would turn around the text after it where it is shown"


def test_json_lines_may_hold_unicode_line_separators_and_export_round_trips(sessions, tmp_path):
    from matcher.io import export_frames
    from matcher.io.formats import read_files, write_files

    (tmp_path / "members.jsonl").write_text(
        '{"id": "m1", "name": "A", "kind": "band", "bio": "one\u2028two\u0085three"}\n',
        encoding="utf-8",
    )
    import_files(sessions, [tmp_path])
    out = tmp_path / "out"
    out.mkdir()
    write_files(export_frames(sessions), out, "jsonl")
    members = read_files([out]).members
    assert members["bio"].tolist() == ["one\u2028two\u0085three"]


def test_imports_keep_to_the_apis_limits(sessions, tmp_path: Path):
    from matcher.community import update_member

    (tmp_path / "members.csv").write_text(f"id,name,kind,tags\nm1,A,band,{'x' * 51}\n")
    problems = rejected(sessions, [tmp_path])
    (problem,) = problems
    assert (problem.field, problem.reason) == ("tags", "a tag is longer than 50 characters (51)")
    (tmp_path / "members.csv").write_text(f"id,name,kind,tags,bio\nm1,A,band,{'x' * 50},b\n")
    import_files(sessions, [tmp_path])
    # What an import stored, the API takes back as it is.
    update_member(sessions, "m1", {"tags": ["x" * 50], "bio": "b" * MAX_TEXT_LENGTH})


def test_times_of_what_happened_cannot_be_in_the_future(sessions, tmp_path: Path):
    (tmp_path / "members.csv").write_text("id,name,kind\nm1,A,band\nm2,B,band\n")
    (tmp_path / "interactions.csv").write_text(
        "id,kind,from_member_id,to_member_id,occurred_at\n"
        "i1,helped,m2,m1,2026-01-21T06:00:00Z\n"  # a few hours ahead: another clock
        "i2,helped,m2,m1,2031-01-01\n"
    )
    problems = rejected(sessions, [tmp_path], clock=lambda: T0)
    (problem,) = problems
    assert (Path(problem.file).name, problem.row, problem.field) == (
        "interactions.csv",
        3,
        "occurred_at",
    )
    assert problem.reason.startswith("2031-01-01T00:00:00+00:00 is in the future")


def test_a_post_cannot_be_moved_away_from_the_stored_interactions_about_it(stocked, tmp_path):
    # p1 is m1's need, which the stored i1-i3 are about (tests/data/good): as an offer, or as
    # m3's need, they would be wrong, and the store's own export could not be imported again.
    before = dump(stocked)
    for row, column in (("p1,m1,offer,Now an offer", "side"), ("p1,m3,need,Now m3's", "member_id")):
        (tmp_path / "posts.csv").write_text(f"id,member_id,side,text\n{row}\n")
        problems = rejected(stocked, [tmp_path])
        [problem] = problems
        assert (Path(problem.file).name, problem.row, problem.field) == ("posts.csv", 2, column)
        assert problem.reason.startswith("stored interaction 'i1' (and 2 more) is about it: ")
    assert dump(stocked) == before
    # Given again in the same import, the interactions are checked with their new values.
    (tmp_path / "posts.csv").write_text("id,member_id,side,text\np1,m1,need,Still a need\n")
    import_files(stocked, [tmp_path])


def test_an_interaction_about_a_post_with_a_bad_side_names_the_post_row(sessions, tmp_path):
    (tmp_path / "members.csv").write_text("id,name,kind\nm1,A,band\nm2,B,band\n")
    (tmp_path / "posts.csv").write_text("id,member_id,side,text\nz2,m1,wanted,Need a van\n")
    (tmp_path / "interactions.csv").write_text(
        "id,kind,from_member_id,to_member_id,need_id,occurred_at\n"
        "i1,contacted,m1,m2,z2,2026-01-08T11:00:00Z\n"
    )
    problems = rejected(sessions, [tmp_path])
    assert [(Path(p.file).name, p.row, p.field) for p in problems] == [("posts.csv", 2, "side")]


def test_every_record_that_does_not_fit_the_header_is_named_by_its_line(sessions, tmp_path):
    (tmp_path / "members.csv").write_text(
        "id,name,kind,town\nc1,ok,band,York\nc2,x,band,Leeds, UK\nc3,y,band,Hull\nc4,z,band,a,b\n"
    )
    problems = rejected(sessions, [tmp_path])
    assert [(p.row, p.field) for p in problems] == [(3, "-"), (5, "-")]
    assert "must be in double quotes" in problems[0].reason


def test_a_record_that_does_not_fit_hides_neither_the_files_other_problems_nor_misleads(
    sessions, tmp_path
):
    # Row 3 has an unquoted comma. The rows around it are still read and checked (a new
    # organiser was told of their mistakes one run at a time), and the posts of members of
    # the file are not "unknown": their member may be the row that could not be read.
    (tmp_path / "members.csv").write_text(
        "id,name,kind,town,email\n"
        "m1,A,band,York,ana@\n"
        "m2,B,band,Leeds, UK,b@example.org\n"
        "m3,C,dj,Hull,c@example.org\n"
        "m4,D,band,Hull,d@example.org\n"
    )
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text\np1,m2,need,a drummer\np2,m4,offer,mixing\np3,m4,sideways,x\n"
        "p4,m9,need,a van\n"  # m9 is nowhere: still unknown
    )
    problems = rejected(sessions, [tmp_path])
    assert [(Path(p.file).name, p.row, p.field) for p in problems] == [
        ("members.csv", 2, "email"),
        ("members.csv", 3, "-"),
        ("members.csv", 4, "kind"),
        ("posts.csv", 4, "side"),
        ("posts.csv", 5, "member_id"),
    ]
    # After a quote never closed, which rows follow is not known: no member is "unknown".
    (tmp_path / "members.csv").write_text('id,name,kind\nm1,"A,band\nm2,B,band\n')
    problems = rejected(sessions, [tmp_path])
    assert [(Path(p.file).name, p.row, p.field) for p in problems] == [
        ("members.csv", 2, "-"),
        ("posts.csv", 4, "side"),
    ]


def test_a_quote_never_closed_is_named_by_the_line_it_opens_on(sessions, tmp_path):
    (tmp_path / "members.csv").write_text(
        'id,name,kind,town\nc1,ok,band,York\nc2,"The Open,band,Leeds\nc3,y,band,Hull\n'
    )
    problems = rejected(sessions, [tmp_path])
    [problem] = problems
    assert (problem.row, problem.field) == (3, "-")
    assert "never closed" in problem.reason


def test_a_column_named_twice_in_the_header_is_a_problem(sessions, tmp_path):
    (tmp_path / "members.csv").write_text("id,name,kind,kind\nd1,Dup,band,fan\n")
    problems = rejected(sessions, [tmp_path])
    assert [(p.row, p.field) for p in problems] == [(1, "kind")]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_an_export_with_no_rows_of_one_kind_imports_again(sessions, tmp_path, fmt):
    from matcher.io import export_frames, write_files

    (tmp_path / "members.csv").write_text("id,name,kind\nm1,A,band\n")
    import_files(sessions, [tmp_path / "members.csv"])
    write_files(export_frames(sessions), tmp_path / "out", fmt)  # no posts, no interactions
    result = import_files(sessions, [tmp_path / "out"])
    assert result.counts["members"]["unchanged"] == 1
    (tmp_path / "out" / f"posts.{fmt}").write_text("")
    if fmt == "json":  # an empty file is no JSON array
        problems = rejected(sessions, [tmp_path / "out"])
        assert "holds []" in problems[0].reason
    else:
        import_files(sessions, [tmp_path / "out"])


def test_a_short_csv_row_is_a_problem_not_a_row_of_empty_cells(stocked, tmp_path):
    # m1 has a town (tests/data/good): a row without its cell would clear it.
    (tmp_path / "members.csv").write_text("id,name,kind,town\nm1,Renamed,band\n\n")
    problems = rejected(stocked, [tmp_path])
    assert [(p.row, p.field) for p in problems] == [(2, "-")]
    assert problems[0].reason.startswith("3 cells, but the header has 4")


def test_values_that_only_make_sense_together(sessions, tmp_path):
    (tmp_path / "members.csv").write_text(
        "id,name,kind,latitude,longitude,joined_at,last_active_at\n"
        "m1,A,band,53.8,,,\n"
        "m2,B,band,,-1.5,,\n"
        "m3,C,band,53.8,-1.5,2026-01-02,2026-01-03\n"
        "m4,D,band,,,2026-01-02,2026-01-01\n"
    )
    (tmp_path / "posts.csv").write_text(
        "id,member_id,side,text,created_at,expires_at\n"
        "p1,m3,need,a van,2026-01-05T12:00:00Z,2026-01-05T11:00:00Z\n"
        "p2,m3,need,a van,2026-01-05T12:00:00Z,2026-01-06T12:00:00Z\n"
    )
    problems = rejected(sessions, [tmp_path])
    assert [(Path(p.file).name, p.row, p.field) for p in problems] == [
        ("members.csv", 2, "longitude"),
        ("members.csv", 3, "latitude"),
        ("members.csv", 5, "last_active_at"),
        ("posts.csv", 2, "expires_at"),
    ]


def test_a_file_that_gives_one_coordinate_is_checked_with_the_stored_other(sessions, tmp_path):
    # A file with a latitude column and no longitude column made a new member with half a
    # place, which the API refuses ("a place needs both, or neither") and docs/formats.md
    # rules out: the row was checked only where it gave both.
    (tmp_path / "members.csv").write_text(
        "id,name,kind,latitude,longitude\nm1,A,band,53.8,-1.5\nm2,B,band,,\n"
    )
    import_files(sessions, [tmp_path])
    (tmp_path / "members.csv").write_text("id,name,kind,latitude\nm2,B,band,53.9\nm3,C,band,53.9\n")
    (tmp_path / "members-more.json").write_text(
        '[{"id": "m4", "name": "D", "kind": "band", '
        '"longitude": -1.5}, {"id": "m1", "name": "A", "kind": "band", "longitude": null}]'
    )
    problems = rejected(sessions, [tmp_path])
    assert [(Path(p.file).name, p.row, p.field) for p in problems] == [
        ("members-more.json", 1, "latitude"),  # a new member: no stored latitude
        ("members-more.json", 2, "longitude"),  # clears the stored one, keeps the latitude
        ("members.csv", 2, "longitude"),  # stored without a place
        ("members.csv", 3, "longitude"),  # new
    ]
    (tmp_path / "members-more.json").unlink()
    (tmp_path / "members.csv").write_text("id,name,kind,latitude\nm1,A,band,53.9\n")
    import_files(sessions, [tmp_path])  # moves a stored place: the longitude stays
    with sessions() as session:
        m1 = session.scalars(select(Member).where(Member.external_id == "m1")).one()
        assert (m1.latitude, m1.longitude) == (53.9, -1.5)


def test_messages_show_json_values_as_json(sessions, tmp_path):
    (tmp_path / "members.json").write_text(
        '[{"id": "m1", "name": {"a": 1}, "kind": "band", "capacity": true, "active": {"x": 1}}]'
    )
    problems = rejected(sessions, [tmp_path])
    reasons = {p.field: p.reason for p in problems}
    assert reasons["name"] == "expected text, got an object"
    assert reasons["capacity"] == "not a whole number: true"
    assert reasons["active"].startswith('not a boolean: {"x": 1}')


def test_a_member_who_wants_the_email_without_an_address_is_warned_about(sessions, tmp_path):
    (tmp_path / "members.csv").write_text(
        "id,name,kind,email,email_consent\nm1,A,band,,yes\nm2,B,band,b@example.org,yes\n"
    )
    result = import_files(sessions, [tmp_path])
    assert result.warnings == [
        f"{tmp_path / 'members.csv'}: 1 member(s) want the weekly email but have no address "
        "(row 2); the digest skips them until they have one"
    ]
    assert result.counts["members"]["inserted"] == 2


def test_a_town_no_listed_town_is_called_is_warned_about_with_the_likely_one(sessions, tmp_path):
    # "Shefield" went in silently: placed nowhere, the member was near nobody (a new user).
    (tmp_path / "members.csv").write_text(
        "id,name,kind,town,country,latitude,longitude\n"
        "m1,A,band,Shefield,UK,,\n"
        "m2,B,band,Sheffield,UK,,\n"  # listed
        'm3,C,band,"Leeds, UK",,,\n'  # listed, with its country after a comma
        "m4,D,band,Bristol (Easton),,,\n"  # listed, with a part of town
        "m5,E,band,Shefield,UK,53.38,-1.47\n"  # placed by its own coordinates
        "m6,F,band,Zzyzxville,,,\n"  # nothing like it
    )
    result = import_files(sessions, [tmp_path])
    file = tmp_path / "members.csv"
    said = "is placed nowhere: no town of 5,000 people or more is called so, and no latitude and "
    said += "longitude are given, so nobody counts as near them but members who wrote the same "
    # Row 2 names its country (UK) and is placed nowhere all the same: the warning must not
    # tell the organiser to give the country, which changes nothing for such a town.
    said += "town (check its spelling, or give its latitude and longitude: a country does not "
    said += "place a town that no listed town is called)"
    assert result.warnings == [
        f"{file}: town 'Shefield' (row 2) {said}; did you mean 'Sheffield'?",
        f"{file}: town 'Zzyzxville' (row 7) {said}",
    ]
    assert result.counts["members"]["inserted"] == 6  # a warning: nothing refused
    # A file without coordinate columns keeps the stored ones: m5 is placed, so no warning.
    (tmp_path / "members.csv").write_text("id,name,kind,town,country\nm5,E,band,Shefield,UK\n")
    assert import_files(sessions, [tmp_path]).warnings == []


def test_an_import_refused_for_its_problems_gives_its_warnings_too(sessions, tmp_path):
    """Refused for a bad row, an import kept its warnings back (an unknown town): the organiser
    fixed the row, sent the files again, and only then learnt of the town (a new user)."""
    (tmp_path / "members.csv").write_text("id,name,kind,town\nm1,A,band,Shefield\nm2,B,bnad,\n")
    (tmp_path / "needs.csv").write_text("id\n")
    for dry_run in (False, True):
        with pytest.raises(ImportRejected) as caught:
            import_files(sessions, [tmp_path], dry_run=dry_run)
        assert [p.field for p in caught.value.problems] == ["kind"]
        unread, town = caught.value.warnings
        assert unread.startswith(f"not read: {tmp_path / 'needs.csv'}")
        assert town.startswith(f"{tmp_path / 'members.csv'}: town 'Shefield' (row 2) is placed")
    assert dump(sessions)["members"] == []


def test_a_country_nobody_knows_is_warned_about_with_the_likely_one(sessions, tmp_path):
    # "Englan" went in silently and cut a member off from every neighbour in Huddersfield.
    (tmp_path / "members.csv").write_text(
        "id,name,kind,town,country\nm1,A,band,Huddersfield,Englan\n"
        "m2,B,band,Huddersfield,United Kingdom\nm3,C,venue,Hull,UK\nm4,D,venue,Hull,Narnia\n"
    )
    result = import_files(sessions, [tmp_path])
    file = tmp_path / "members.csv"
    assert result.warnings == [
        f"{file}: country 'Englan' (row 2) is not one ISO 3166 or the usual names know; members "
        "in one town count as the same town only when their countries match: did you mean "
        "'England'?",
        f"{file}: country 'Narnia' (row 5) is not one ISO 3166 or the usual names know; members "
        "in one town count as the same town only when their countries match",
    ]
    assert result.counts["members"]["inserted"] == 4  # a warning: nothing refused
    # Towns in the country column of a big file: a bounded list, not a line each (a reviewer).
    rows = "".join(f"m{i},X{i},band,Somewhere {i}\n" for i in range(5, 30))
    (tmp_path / "members.csv").write_text("id,name,kind,country\n" + rows)
    warned = import_files(sessions, [tmp_path]).warnings
    assert len(warned) == 21 and warned[-1] == "... and 5 more countries like them"


def test_one_person_signed_up_twice_is_warned_about_in_the_files_and_against_the_store(
    sessions, tmp_path
):
    # A form's double sign-up ("Dev Sharma", "dev sharma") and two rows sharing one address
    # went in without a word; the one-word duplicate then took the real member's place.
    (tmp_path / "members.csv").write_text(
        "id,name,kind,email\nm1,Dev Sharma,session_musician,dev@example.org\n"
        "m2,Chloe Dubois,artist,chloe@example.org\n"
    )
    assert import_files(sessions, [tmp_path]).warnings == []
    (tmp_path / "members.csv").write_text(
        "id,name,kind,email\nm1,Dev Sharma,session_musician,dev@example.org\n"
        "m3,dev  sharma,session_musician,dev.s@example.org\n"
        "m4,Chloé Dubois,artist,Chloe@Example.org\nm5,Ana,band,ana@example.org\n"
    )
    file = tmp_path / "members.csv"
    assert sorted(import_files(sessions, [tmp_path]).warnings) == [
        f"{file}: members m1 (row 2), m3 (row 3) have the same name, 'dev sharma': one person "
        "signed up twice? (imported all the same)",
        f"{file}: members m2 (stored), m4 (row 4) have the same address, 'chloe@example.org': "
        "one person signed up twice? (imported all the same)",
    ]
    # Closing the one not wanted, as docs/formats.md advises, ends the warning; members
    # closed or erased (all "(erased)") are no one's duplicates (a reviewer).
    (tmp_path / "members.csv").write_text(
        "id,name,kind,active\nm3,dev sharma,session_musician,no\n"
    )
    assert import_files(sessions, [tmp_path]).warnings == []
    (tmp_path / "members.csv").write_text("id,name,kind\nm1,Dev Sharma,session_musician\n")
    assert import_files(sessions, [tmp_path]).warnings == []


def test_nobody_is_shown_or_contacted_after_they_closed_what_came_before_imports(sessions):
    from matcher import community

    members = pd.DataFrame(
        [{"id": "a", "name": "A", "kind": "band"}, {"id": "b", "name": "B", "kind": "venue"}]
    )
    offer = pd.DataFrame([{"id": "p1", "member_id": "b", "side": "offer", "text": "a stage"}])
    import_frames(sessions, Frames(members=members, posts=offer), source="code", clock=lambda: T0)
    community.close_member(sessions, "b", clock=lambda: T0 + timedelta(days=10))
    rows = pd.DataFrame(
        [
            {"id": "i1", "kind": "contacted", "from_member_id": "a", "to_member_id": "b",
             "occurred_at": T0 + timedelta(days=9)},  # before b closed: history
            {"id": "i2", "kind": "shown", "from_member_id": "b", "to_member_id": "a",
             "occurred_at": T0 + timedelta(days=11)},
            {"id": "i3", "kind": "helped", "from_member_id": "a", "to_member_id": "b",
             "occurred_at": T0 + timedelta(days=12)},  # what came of it: still recorded
        ]
    )  # fmt: skip
    now = lambda: T0 + timedelta(days=20)  # noqa: E731
    with pytest.raises(ImportRejected) as caught:
        import_frames(sessions, Frames(interactions=rows), source="code", clock=now)
    assert [str(p) for p in caught.value.problems] == [
        "interactions:2: from_member_id: member 'b' is closed since 2026-01-30 12:00:00 UTC: "
        "nobody can show or contact them from then on"
    ]
    # Reopened in the same import, b may be shown again; closed by an import, from then on.
    reopened = members.assign(active=[False, True])
    result = import_frames(
        sessions, Frames(members=reopened, interactions=rows), source="code", clock=now
    )
    assert result.counts["interactions"]["inserted"] == 3
    with sessions() as session:
        closed = dict(session.execute(select(Member.external_id, Member.closed_at)).all())
        # The offer b left open is a change since any build, so serving matches it at once.
        stamped = session.scalar(select(Post.updated_at).where(Post.external_id == "p1"))
    assert closed == {"a": now(), "b": None}
    assert stamped == now()


def test_a_file_imported_again_is_not_refused_for_rows_already_stored(sessions):
    from sqlalchemy import update

    members = pd.DataFrame(
        [{"id": "a", "name": "A", "kind": "band"}, {"id": "b", "name": "B", "kind": "venue"}]
    )
    rows = pd.DataFrame(
        [{"id": "i1", "kind": "contacted", "from_member_id": "a", "to_member_id": "b",
          "occurred_at": T0 + timedelta(days=11)}]
    )  # fmt: skip
    frames = Frames(members=members, interactions=rows)
    import_frames(sessions, frames, source="code", clock=lambda: T0 + timedelta(days=20))
    # An earlier release stored a contact after b closed (imports did not check then).
    with sessions.begin() as s:
        s.execute(
            update(Member)
            .where(Member.external_id == "b")
            .values(active=False, closed_at=T0 + timedelta(days=10))
        )
    again = import_frames(
        sessions, Frames(interactions=rows), source="code", clock=lambda: T0 + timedelta(days=21)
    )
    assert again.counts["interactions"] == {"inserted": 0, "updated": 0, "unchanged": 1}
