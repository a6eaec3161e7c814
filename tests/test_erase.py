"""Erasing a member's personal data: in the store, in serving, in the next build, by the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from matcher import community, explain
from matcher.cli import main
from matcher.embed import CachedEncoder, text_hash
from matcher.engine import Matcher
from matcher.erase import ERASED, erase_member
from matcher.errors import Conflict, NotFound
from matcher.index import BuildIndex
from matcher.store import (
    Digest,
    DigestMatch,
    ErasedId,
    Interaction,
    Member,
    Post,
    TextVector,
    erased_id_hash,
)
from tests.api.helpers import build, seed_community
from tests.factories import add_member

HUM_WORDS = ("our band needs a drummer for gigs", "we can lend our rehearsal room")


def _ledger(sessions) -> None:
    """A week in which hum was sent kit, kit was sent hum, and kit was sent mix, who was
    quoted helping with hum's need (say, dsg: a duo with the same need)."""
    with sessions.begin() as s:
        ids = dict(s.execute(select(Member.external_id, Member.id)).all())
        for sent_to, suggested in (("hum", "kit"), ("kit", "hum"), ("kit", "mix")):
            digest = s.scalar(
                select(Digest).where(Digest.member_id == ids[sent_to], Digest.week == "2026-W47")
            ) or Digest(member_id=ids[sent_to], week="2026-W47", status="sent")
            s.add(digest)
            digest.matches.append(
                DigestMatch(
                    member_id=ids[suggested],
                    rank=len(digest.matches) + 1,
                    direction="helps_you",
                    score=0.8,
                    reasons=[
                        explain.need_met_by_offer(
                            "kit-n0", "a rehearsal room", "hum-n0", HUM_WORDS[0], "helped", 0.7
                        ),
                        explain.shared_tags(["drums"]),
                    ],
                )
            )


@pytest.fixture
def erased(sessions, encoder):
    """hum, helped by kit, in one week's emails, and with a text mix also wrote; erased."""
    seed_community(sessions)
    with sessions.begin() as s:
        add_member(s, "echo", "band", offers=[HUM_WORDS[1]])  # the same words as hum's offer
    CachedEncoder(encoder, sessions).encode(
        [HUM_WORDS[0], HUM_WORDS[1], "drummer available for gigs"]
    )
    community.record_interaction(
        sessions, kind="helped", from_member_id="kit", to_member_id="hum", need_id="hum-n0"
    )
    _ledger(sessions)
    return erase_member(sessions, " hum ")


def test_erasing_takes_out_the_members_words_profile_and_emails(sessions, erased):
    assert (erased.member_id, erased.posts, erased.digests, erased.suggestions) == ("hum", 2, 1, 1)
    assert erased.vectors == 1  # the need's; the offer's words are echo's too
    with sessions() as s:
        with pytest.raises(NotFound):
            community.get_member(s, "hum")
        member = s.scalar(select(Member).where(Member.erased_at.is_not(None)))
        assert member.external_id.startswith("erased-") and member.name == ERASED
        assert not member.active and member.closed_at == member.erased_at
        for field in ("town", "latitude", "bio", "email", "contact"):
            assert getattr(member, field) is None, field
        assert (member.tags, member.email_consent) == ([], False)
        posts = s.scalars(select(Post).where(Post.member_id == member.id)).all()
        assert [(p.text, p.tags, p.status) for p in posts] == [(ERASED, [], "closed")] * 2
        assert all(p.external_id.startswith("erased-") for p in posts)
        cached = set(s.scalars(select(TextVector.text_hash)))
        assert text_hash(HUM_WORDS[0]) not in cached
        assert {text_hash(HUM_WORDS[1]), text_hash("drummer available for gigs")} <= cached
        # kit's help still counts, about the emptied need.
        help_given = s.scalar(select(func.count()).where(Interaction.to_member_id == member.id))
        assert help_given == 1
        # kit's week keeps mix but forgets hum; hum's own week is gone. Help given is never
        # quoted, so no reason there held hum's words to take out.
        weeks = s.execute(
            select(Digest.member_id, DigestMatch.member_id, DigestMatch.reasons).join(Digest)
        ).all()
        mix = s.scalar(select(Member.id).where(Member.external_id == "mix"))
        kit = s.scalar(select(Member.id).where(Member.external_id == "kit"))
        assert [week[:2] for week in weeks] == [(kit, mix)]
        said = json.dumps(weeks[0][2])
        assert explain.shared_tags(["drums"]) in weeks[0][2]
        assert HUM_WORDS[0] not in said and "hum-n" not in said
        assert erased.quotes == 0
        # Nor does hum's id stay in the interactions' ids.
        ids = s.scalars(
            select(Interaction.external_id).where(Interaction.to_member_id == member.id)
        )
        assert [i.startswith("erased-") for i in ids] == [True]


def test_an_erased_member_cannot_be_opened_again_nor_named(sessions, erased):
    with sessions() as s:
        new_id = s.scalar(select(Member.external_id).where(Member.erased_at.is_not(None)))
    with pytest.raises(Conflict, match="erased"):
        community.update_member(sessions, new_id, {"active": True})
    with pytest.raises(Conflict, match="erased"):
        community.update_member(sessions, new_id, {"name": "Hum again"})
    # Nor erased again: that gave the anonymous rows new ids again, and a new date of erasure.
    with sessions() as s:
        erased_at = s.scalar(select(Member.erased_at).where(Member.external_id == new_id))
    with pytest.raises(Conflict, match="nothing of theirs is left"):
        erase_member(sessions, new_id)
    with sessions() as s:
        assert s.scalar(select(Member.erased_at).where(Member.external_id == new_id)) == erased_at


def test_erasing_again_by_the_old_id_says_they_were_erased_not_that_no_one_had_it(sessions, erased):
    # An organiser asked twice (through the site, then by email) was told "no member 'hum'",
    # which reads as a mistyped id.
    with pytest.raises(NotFound, match="'hum' was erased at their request already"):
        erase_member(sessions, "hum")
    with pytest.raises(NotFound, match="no member 'nobody'"):
        erase_member(sessions, "nobody")


def test_no_vector_outlives_the_words_it_was_made_from(sessions, encoder):
    seed_community(sessions)
    CachedEncoder(encoder, sessions).encode(
        [*HUM_WORDS, "looking for a rehearsal room", "a text no post ever held"]
    )
    community.update_post(sessions, encoder, "hum-n0", text="a drummer, loud, for a tour")
    community.update_post(sessions, encoder, "kit-n0", text="a room to rehearse in")
    with sessions() as s:
        before = set(s.scalars(select(TextVector.text_hash)))
    assert {text_hash(HUM_WORDS[0]), text_hash("a drummer, loud, for a tour")} <= before
    erase_member(sessions, "hum")
    with sessions() as s:
        after = set(s.scalars(select(TextVector.text_hash)))
    # Neither what hum wrote first nor what they wrote last (their post's earlier words went
    # with the erasure), nor a text no post holds.
    assert not {text_hash(t) for t in (*HUM_WORDS, "a drummer, loud, for a tour")} & after
    assert text_hash("a text no post ever held") not in after
    # The words kit took back stay, as what kit's post said before the edit (the history
    # reads them), and so does their vector.
    assert {text_hash("looking for a rehearsal room"), text_hash("a room to rehearse in")} <= after


def test_the_id_is_retired(sessions, erased):
    with pytest.raises(Conflict, match="erased at their request"):
        community.add_member(sessions, {"name": "New Hum", "kind": "band"}, external_id="hum")
    community.add_member(sessions, {"name": "New Hum", "kind": "band"}, external_id="hum2")
    with sessions() as s:  # only a hash of it, tied to nothing
        assert s.scalar(select(ErasedId.id_hash)) == erased_id_hash("hum")
        assert not s.scalar(select(func.count()).where(Member.external_id == "hum"))


def test_serving_stops_showing_and_quoting_an_erased_member_at_once(sessions, settings, encoder):
    seed_community(sessions)
    community.record_interaction(
        sessions, kind="helped", from_member_id="kit", to_member_id="hum", need_id="hum-n0"
    )
    community.add_member(sessions, {"name": "Duo", "kind": "band"}, external_id="duo")
    community.add_post(sessions, encoder, member_id="duo", side="need", text=HUM_WORDS[0])
    build(sessions, encoder, settings)
    matcher = Matcher(BuildIndex.load(settings.models_dir), sessions, settings, encoder=encoder)

    def seen() -> tuple[set[str], str]:
        """Who kit could help, and every quote shown to duo."""
        helped = {m.member_id for m in matcher.for_member("kit", direction="you_help")}
        reasons = [m.reasons for m in matcher.for_member("duo", direction="helps_you")]
        return helped, json.dumps(reasons)

    helped, quotes = seen()
    assert "hum" in helped and "hum-o0" in quotes  # hum's offer (help given is never quoted)
    erase_member(sessions, "hum")
    helped, quotes = seen()
    assert not any(m == "hum" or m.startswith("erased-") for m in helped)
    assert "hum-" not in quotes and ERASED not in quotes


def test_the_next_build_holds_nothing_of_theirs(sessions, settings, encoder):
    seed_community(sessions)
    community.record_interaction(
        sessions, kind="helped", from_member_id="kit", to_member_id="hum", need_id="hum-n0"
    )
    erase_member(sessions, "hum")
    folder = Path(settings.models_dir) / build(sessions, encoder, settings)
    tables = [pd.read_parquet(path) for path in folder.glob("*.parquet")]
    cells = " ".join(t.astype(str).to_csv() for t in tables)
    assert "kit" in cells  # the build was read
    for word in ("hum", "Hum", "needs a drummer", "lend our", "shoegaze", "private.example"):
        assert word not in cells, word
    # A build encodes every post, closed ones too (the ranker's history): not their words.
    with sessions() as s:
        cached = set(s.scalars(select(TextVector.text_hash)))
    assert text_hash("drummer available for gigs") in cached
    assert not {text_hash(words) for words in HUM_WORDS} & cached


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str, stdin: str | None = None):
        where = ["--database-url", url, "--data-dir", str(tmp_path / "var")]
        return runner.invoke(main, [*where, *args], input=stdin)

    invoke("import", str(Path(__file__).parent / "data" / "good"))
    return invoke


def test_the_command_checks_every_id_first_and_asks(run):
    before = json.loads(run("stats", "--json").stdout)["members"]
    refused = run("erase", "m1", "nobody", "--yes")
    assert refused.exit_code != 0 and "nobody" in refused.output
    declined = run("erase", "m1", stdin="n\n")
    assert declined.exit_code != 0 and "The Velvet Hum" in declined.output
    assert json.loads(run("stats", "--json").stdout)["members"] == before
    done = run("erase", "m1", stdin="y\n")
    assert done.exit_code == 0, done.output
    assert "erased m1" in done.output and "matcher builds --keep 1" in done.output
    after = json.loads(run("stats", "--json").stdout)["members"]
    assert (after["active"], after["erased"]) == (before["active"] - 1, 1)
    assert f"({after['active']} active, 1 erased)" in run("stats").stdout
    # No one of a kind any more (m1 was the only band): counted apart, the total the same.
    assert "band" not in after["by_kind"] and after["total"] == before["total"]
    assert "(erased)" in run("stats").stdout
    assert run("match", "m1").exit_code != 0


def test_the_command_says_a_member_erased_before_was_erased(run):
    assert run("erase", "m1", "--yes").exit_code == 0
    again = run("erase", "m1", "--yes")
    assert again.exit_code == 1
    assert "'m1' was erased at their request already" in " ".join(again.output.split())


def test_an_import_brings_back_nothing_of_an_erased_member(run, tmp_path: Path):
    run("erase", "m1", "--yes")
    assert run("export", str(tmp_path / "out")).exit_code == 0
    again = run("import", str(tmp_path / "out"))  # their anonymous rows, as stored: fine
    assert again.exit_code == 0, again.output
    members = pd.read_csv(tmp_path / "out" / "members.csv", dtype=str, keep_default_na=False)
    row = int(members.index[members["name"] == ERASED][0])
    erased_id = members.loc[row, "id"]
    before = json.loads(run("stats", "--json").stdout)
    members.loc[row, "active"] = "true"
    edited = tmp_path / "edited"
    edited.mkdir()
    members.to_csv(edited / "members.csv", index=False)
    posts = f"id,member_id,side,text\nnew-post,{erased_id},offer,back again\n"
    (edited / "posts.csv").write_text(posts)
    refused = run("import", str(edited))
    assert refused.exit_code == 1
    said = "was erased at their request: nothing of theirs changes"
    assert f"{edited / 'members.csv'}:{row + 2}: id: member '{erased_id}' {said}" in refused.stdout
    assert f"{edited / 'posts.csv'}:2: member_id: member '{erased_id}' {said}" in refused.stdout
    assert json.loads(run("stats", "--json").stdout) == before


def sessionmaker_for(url: str):
    from matcher.store import make_engine, session_factory

    return session_factory(make_engine(url))


def _store(tmp_path: Path, name: str):
    """`matcher` against another store (as when a community moves to a new server)."""
    url = f"sqlite:///{tmp_path / name}"
    return lambda *args: CliRunner().invoke(main, ["--database-url", url, *args])


def test_a_store_moved_elsewhere_keeps_who_unsubscribed_and_who_was_erased(run, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = sessionmaker_for(url)
    community.unsubscribe(first, "m2")
    run("erase", "m1", "--yes")
    assert run("export", str(tmp_path / "out")).exit_code == 0
    moved = _store(tmp_path, "moved.db")
    assert moved("import", str(tmp_path / "out")).exit_code == 0
    # The organiser's usual files, which still say m2 wants the emails, change nothing.
    usual = moved("import", str(Path(__file__).parent / "data" / "good"))
    assert usual.exit_code == 0 and "unsubscribed themselves" in usual.output
    there = sessionmaker_for(f"sqlite:///{tmp_path / 'moved.db'}")
    with there() as s:
        m2 = community.get_member(s, "m2")
        assert (m2.email_consent, m2.unsubscribed_at is not None) == (False, True)
        erased = s.scalar(select(Member).where(Member.erased_at.is_not(None)))
        assert erased.name == ERASED and not erased.active
    with pytest.raises(Conflict, match="erased"):
        community.update_member(there, erased.external_id, {"active": True})


def test_a_file_cannot_erase_a_member(run, tmp_path: Path):
    folder = tmp_path / "erasing"
    folder.mkdir()
    (folder / "members.csv").write_text(
        "id,name,kind,erased_at\nm2,Ana Ruiz,session_musician,2026-01-01T00:00:00Z\n"
    )
    refused = run("import", str(folder))
    assert refused.exit_code == 1
    assert f"{folder / 'members.csv'}:2: erased_at: a member is erased with `matcher erase`" in (
        refused.stdout
    )


def test_their_emails_leave_the_outbox_and_the_folders_named(run, tmp_path: Path):
    from email.message import EmailMessage

    from matcher.digest.mail import Outbox

    week = Outbox(tmp_path / "var" / "outbox" / "2026-W47")
    elsewhere = Outbox(tmp_path / "sent-by-hand")  # `matcher digest --outbox DIR`
    for outbox in (week, elsewhere):
        for member, address in (("m1", "hum@example.org"), ("m2", "ana@example.org")):
            message = EmailMessage()
            message["To"], message["Subject"] = address, "People to meet this week"
            message.set_content("hello")
            outbox.send(member, "matcher@example.org", address, message.as_bytes())
        outbox.close()
    assert "hum@example.org" in (week.folder / "index.html").read_text()
    done = run("erase", "m1", "--yes", "--outbox", str(elsewhere.folder))
    assert "their emails deleted from the outbox 2" in done.output
    for outbox in (week, elsewhere):
        assert sorted(p.name for p in outbox.folder.glob("*.eml")) == ["m2.eml"]
        index = (outbox.folder / "index.html").read_text()
        assert "hum@example.org" not in index and "ana@example.org" in index


def test_an_import_cannot_give_a_retired_id_to_anyone(run):
    run("erase", "m1", "--yes")
    before = json.loads(run("stats", "--json").stdout)
    again = run("import", str(Path(__file__).parent / "data" / "good"))  # files not mended
    assert again.exit_code == 1
    members = Path(__file__).parent / "data" / "good" / "members.csv"
    assert f"{members}:2: id: the id was a member's who was erased at their request" in (
        again.stdout
    )
    # ... and, in the same run, the rows of the files that name them.
    posts = Path(__file__).parent / "data" / "good" / "posts.jsonl"
    named = [line for line in again.stdout.splitlines() if "'m1': the id was a member's" in line]
    assert named and any(line.startswith(f"{posts}:") for line in named), again.stdout
    assert json.loads(run("stats", "--json").stdout) == before


def test_no_new_interaction_with_an_erased_member_is_imported(run, tmp_path: Path):
    run("erase", "m1", "--yes")
    run("export", str(tmp_path / "out"))
    members = pd.read_csv(tmp_path / "out" / "members.csv", dtype=str, keep_default_na=False)
    erased_id = members.loc[members["name"] == ERASED, "id"].iloc[0]
    folder = tmp_path / "late"
    folder.mkdir()
    (folder / "interactions.csv").write_text(
        f"id,kind,from_member_id,to_member_id,occurred_at\nx1,helped,m2,{erased_id},2026-01-02\n"
    )
    refused = run("import", str(folder))
    assert refused.exit_code == 1
    assert f"interactions.csv:2: to_member_id: member '{erased_id}' was erased" in refused.stdout


def test_a_members_opt_in_since_their_unsubscribe_survives_a_plain_import(run, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    sessions = sessionmaker_for(url)
    community.unsubscribe(sessions, "m2")
    community.update_member(sessions, "m2", {"email_consent": True})  # opted in on the site
    folder = tmp_path / "bios"
    folder.mkdir()
    (folder / "members.csv").write_text("id,name,kind,bio\nm2,Ana Ruiz,session_musician,Hi\n")
    assert run("import", str(folder)).exit_code == 0
    (folder / "members.csv").write_text(
        "id,name,kind,email,email_consent\nm2,Ana Ruiz,session_musician,ana@example.org,yes\n"
    )
    said = run("import", str(folder))
    assert said.exit_code == 0 and "unsubscribed themselves" not in said.output
    run("export", str(tmp_path / "out"))
    again = run("import", str(tmp_path / "out"))
    assert re.search(r"members\s.*\b0\b\s.*\b0\b\s.*\b5\b", again.output), again.output
    with sessions() as s:
        assert community.get_member(s, "m2").email_consent is True


def test_the_store_overwrites_what_it_deletes_and_is_its_owners_alone(tmp_path: Path):
    from sqlalchemy import text

    from matcher.db import open_store
    from tests.conftest import settings_in

    sessions = open_store(settings_in(tmp_path))
    with sessions() as s:
        assert s.execute(text("PRAGMA secure_delete")).scalar() == 1
    assert (tmp_path / "var" / "matcher.db").stat().st_mode & 0o777 == 0o600


def test_nothing_of_theirs_stays_in_the_files_while_a_server_holds_the_store(tmp_path: Path):
    from matcher.db import open_store
    from tests.conftest import settings_in

    sessions = open_store(settings_in(tmp_path))
    with sessions.begin() as s:
        add_member(s, "eve", "producer", needs=["EVESECRET a mastering engineer"])
    with sessions() as s:  # a connection that stays in the pool, as a server's do
        s.scalar(select(func.count()).select_from(Member))
    erase_member(sessions, "eve")
    files = sorted((tmp_path / "var").glob("matcher.db*"))
    assert [f.name for f in files][:1] == ["matcher.db"]
    for file in files:
        assert b"EVESECRET" not in file.read_bytes(), file.name
        assert b"eve@example.org" not in file.read_bytes(), file.name


def test_the_demo_written_over_an_erased_member_says_which_row_is_refused(tmp_path: Path):
    where = ["--data-dir", str(tmp_path / "var"), "--encoder", "hashing"]

    def demo(*args: str):
        return CliRunner().invoke(main, [*where, *args])

    assert demo("demo-data", "--members", "40", "--seed", "1").exit_code == 0
    assert demo("erase", "m000009", "--yes").exit_code == 0
    again = demo("demo-data", "--members", "40", "--seed", "1", "--force")
    assert again.exit_code == 1
    assert re.search(r":\d+: id: the id was a member's who was erased", again.output), again.output


def test_a_page_after_a_member_erased_since_says_so_and_what_to_do(sessions):
    """A site reading the members a page at a time (`after` the last id of the page before)
    got "no member" when that member was erased between two pages (an API integrator)."""
    with sessions.begin() as s:
        for m in ("a", "b", "c"):
            add_member(s, m, "band")
    with sessions() as s:
        first, _ = community.list_members(s, 2)
    assert [m.external_id for m in first] == ["a", "b"]
    erase_member(sessions, "b")
    with sessions() as s, pytest.raises(NotFound, match="was erased at their request since") as e:
        community.list_members(s, 2, after="b")
    assert e.value.field == "after"
    with sessions() as s:  # from the page before: the rest, none skipped
        assert [m.external_id for m in community.list_members(s, 2)[0]] == ["a", "c"]
    with sessions() as s, pytest.raises(NotFound, match="no member 'zz'"):
        community.list_members(s, 2, after="zz")
