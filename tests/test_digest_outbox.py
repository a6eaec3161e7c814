"""Delivery into the outbox folder: one .eml per member, an index.html, exactly once."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select, update

from matcher.community import close_member, record_interaction
from matcher.digest.job import choose_week
from matcher.digest.mail import Outbox
from matcher.digest.render import Renderer
from matcher.digest.send import deliver
from matcher.store import Digest, DigestMatch, Member, Post
from tests.test_digest_support import NOW, WEEK, add_people, build_matcher, choose, clock


@pytest.fixture
def chosen(sessions, settings, encoder):
    add_people(sessions)
    choice = choose(sessions, settings, build_matcher(sessions, settings, encoder))
    return sessions, choice


def run(sessions, settings, folder, **kwargs):
    return deliver(sessions, WEEK, Renderer(settings), Outbox(folder), now=clock, **kwargs)


def test_one_eml_per_recipient_and_an_index_to_preview_them(chosen, settings, tmp_path):
    sessions, choice = chosen
    folder = tmp_path / "outbox"
    result = run(sessions, settings, folder)
    files = sorted(folder.glob("*.eml"))
    assert result.sent == len(files) == len(choice.people.recipients)
    assert {f.stem for f in files} == {"hum", "kit", "mix", "far", "vee", "pho", "dsg", "lab"}
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    index = (folder / "index.html").read_text()
    assert all(f.name in index for f in files)
    assert index.count("<iframe") == len(files)  # the first 20 are previewed
    assert "&lt;!DOCTYPE html&gt;" in index  # the email sits escaped inside srcdoc
    assert not list(folder.glob(".tmp-*")) and not list(folder.glob(".*.tmp"))
    # Every recipient's address and email: the owner's eyes only, as the emails are.
    assert {f.stat().st_mode & 0o777 for f in [*files, folder / "index.html"]} == {0o600}


def test_a_second_run_writes_nothing(chosen, settings, tmp_path):
    sessions, _ = chosen
    folder = tmp_path / "outbox"
    run(sessions, settings, folder)
    stamps = {f: f.stat().st_mtime_ns for f in folder.glob("*.eml")}
    again = run(sessions, settings, folder)
    assert again.sent == 0
    assert {f: f.stat().st_mtime_ns for f in folder.glob("*.eml")} == stamps


def test_a_killed_run_is_finished_by_the_next_one_using_the_files(chosen, settings, tmp_path):
    sessions, choice = chosen
    folder = tmp_path / "outbox"
    with sessions() as s:
        ids = s.scalars(select(Digest.id).where(Digest.status == "chosen").order_by(Digest.id))
        ids = list(ids)
    # Killed mid-batch: four digests claimed, the files of the first two written.
    run(sessions, settings, folder, limit=2)
    with sessions.begin() as s:
        s.execute(update(Digest).where(Digest.id.in_(ids[:4])).values(status="sending"))
    result = run(sessions, settings, folder)
    assert result.recovered == 2
    assert result.sent == len(choice.people.recipients) - 2
    assert len(list(folder.glob("*.eml"))) == len(choice.people.recipients)
    with sessions() as s:
        assert set(s.scalars(select(Digest.status))) == {"sent"}


def test_a_limit_leaves_the_rest_for_the_next_run(chosen, settings, tmp_path):
    sessions, choice = chosen
    folder = tmp_path / "outbox"
    first = run(sessions, settings, folder, limit=3)
    assert first.sent == 3 and first.left == len(choice.people.recipients) - 3
    second = run(sessions, settings, folder)
    assert second.sent == len(choice.people.recipients) - 3
    assert len(list(folder.glob("*.eml"))) == len(choice.people.recipients)


def test_odd_member_ids_make_safe_distinct_file_names(tmp_path):
    outbox = Outbox(tmp_path)
    names = {outbox.path_for(i).name for i in ("a/b", "a_b", "../x", ".hidden", "ok-1")}
    assert len(names) == 5
    assert all("/" not in n and not n.startswith(".") for n in names)
    assert outbox.path_for("ok-1").name == "ok-1.eml"


def test_two_runs_never_claim_the_same_digest(chosen):
    from matcher.digest.ledger import claim

    sessions, _ = chosen
    with sessions() as s:
        ids = list(s.scalars(select(Digest.id).where(Digest.status == "chosen")))
    with sessions.begin() as s:
        mine = claim(s, ids[:3], ["chosen"], NOW)
    with sessions.begin() as s:
        theirs = claim(s, ids, ["chosen"], NOW)
    assert mine == ids[:3] and theirs == ids[3:]


def suggested(sessions) -> dict[str, list[str]]:
    """Whom each recorded digest suggests: recipient -> suggested members (external ids)."""
    with sessions() as s:
        ext = dict(s.execute(select(Member.id, Member.external_id)).all())
        rows = s.execute(
            select(Digest.member_id, DigestMatch.member_id)
            .join(DigestMatch, DigestMatch.digest_id == Digest.id)
            .order_by(DigestMatch.digest_id, DigestMatch.rank)
        )
        out: dict[str, list[str]] = {}
        for recipient, member in rows:
            out.setdefault(ext[recipient], []).append(ext[member])
    return out


def test_people_who_leave_or_are_blocked_after_the_choice_are_not_introduced(
    chosen, settings, tmp_path
):
    sessions, _ = chosen
    before = suggested(sessions)
    # After the choice, before delivery: someone suggested to one recipient closes their
    # account, and another recipient blocks each of the people suggested to them.
    closing = before["hum"][0]
    blocker = next(r for r, people in before.items() if r != closing and closing not in people)
    close_member(sessions, closing, clock=clock)
    for person in before[blocker]:
        record_interaction(
            sessions, kind="blocked", from_member_id=blocker, to_member_id=person, occurred_at=NOW
        )
    folder = tmp_path / "outbox"
    result = run(sessions, settings, folder)

    def body_of(recipient):
        text = message_from_bytes((folder / f"{recipient}.eml").read_bytes(), policy=policy.default)
        return text.get_body(("plain",)).get_content()

    apart = {frozenset((blocker, person)) for person in before[blocker]}  # either direction

    def gone(recipient, person):
        return person == closing or frozenset((recipient, person)) in apart

    emptied = {r for r, people in before.items() if all(gone(r, p) for p in people)}
    assert blocker in emptied
    for recipient, people in before.items():
        if recipient == closing or recipient in emptied:
            continue
        body = body_of(recipient)
        for person in people:
            assert (person.title() in body) is not gone(recipient, person), (recipient, person)
    for recipient in emptied:  # nobody left to suggest: not sent
        assert not (folder / f"{recipient}.eml").exists()
    assert result.emptied == len(emptied)
    with sessions() as s:
        status = s.execute(
            select(Digest.status, Digest.error)
            .join(Member, Member.id == Digest.member_id)
            .where(Member.external_id == blocker)
        ).one()
    assert status[0] == "skipped" and "blocked" in status[1]


def test_help_given_chosen_in_the_words_of_anothers_need_is_sent_without_them(
    chosen, settings, tmp_path
):
    """A week chosen before help given stopped being quoted holds the words of the need it
    met, another member's request: the email says the help without them."""
    sessions, _ = chosen
    before = suggested(sessions)
    recipient, person = "hum", before["hum"][0]
    third = next(m for m in before if m not in (recipient, person) and m not in before["hum"])
    words = "a flyer for our record release, risograph, two colours"
    with sessions.begin() as s:
        ids = dict(s.execute(select(Member.external_id, Member.id)).all())
        post = s.scalars(select(Post).where(Post.member_id == ids[third])).first()
        post.text = words
        match = s.scalars(
            select(DigestMatch)
            .join(Digest, Digest.id == DigestMatch.digest_id)
            .where(Digest.member_id == ids[recipient], DigestMatch.member_id == ids[person])
        ).one()
        reasons = [dict(r) for r in match.reasons]
        at = next(i for i, r in enumerate(reasons) if r["type"] in ("need_offer", "you_could_help"))
        said = {"id": post.external_id, "quote": words, "helped_before": True}
        reasons[at] = {**reasons[at], "offer": said}
        match.reasons = reasons
    folder = tmp_path / "outbox"
    run(sessions, settings, folder)
    email = message_from_bytes((folder / f"{recipient}.eml").read_bytes(), policy=policy.default)
    body = " ".join(email.get_body(("plain",)).get_content().split())
    html = email.get_body(("html",)).get_content()
    assert person.title() in body
    assert "risograph" not in body and "risograph" not in html
    assert "helped with a need like it before." in body


def test_a_town_in_another_country_is_named_with_its_country(chosen, settings, tmp_path):
    sessions, _ = chosen
    before = suggested(sessions)
    recipient, person = "hum", before["hum"][0]
    other = before["hum"][1]
    with sessions.begin() as s:
        for who, country in ((recipient, "GB"), (person, "CA"), (other, "United Kingdom")):
            s.execute(update(Member).where(Member.external_id == who).values(country=country))
        towns = dict(s.execute(select(Member.external_id, Member.town)).all())
    folder = tmp_path / "outbox"
    run(sessions, settings, folder)
    email = message_from_bytes((folder / f"{recipient}.eml").read_bytes(), policy=policy.default)
    body = email.get_body(("plain",)).get_content()
    assert f"{towns[person]}, CA" in body  # not the recipient's country: said
    assert f"{towns[other]}, United" not in body and towns[other] in body  # the same: not said


def test_a_folder_used_again_for_another_week_is_not_taken_as_delivered(
    sessions, settings, encoder, tmp_path
):
    settings = settings.replace(digest_min_score=0.0)  # new matches for everyone in week two
    add_people(sessions)
    matcher = build_matcher(sessions, settings, encoder)
    folder = tmp_path / "outbox"
    choose(sessions, settings, matcher)
    deliver(sessions, WEEK, Renderer(settings), Outbox(folder), now=clock)
    # The next week, into the same folder, killed after claiming every digest.
    later = lambda: NOW + timedelta(days=7)  # noqa: E731
    choose_week(sessions, matcher, settings, "2026-W49", now=later)
    with sessions.begin() as s:
        s.execute(update(Digest).where(Digest.week == "2026-W49").values(status="sending"))
    result = deliver(sessions, "2026-W49", Renderer(settings), Outbox(folder), now=later)
    assert result.recovered == 0 and result.sent == 8
    with sessions() as s:
        ids = dict(s.execute(select(Member.external_id, Member.id)).all())
        wanted = s.scalars(
            select(Digest.message_id).where(
                Digest.week == "2026-W49", Digest.member_id == ids["hum"]
            )
        ).one()
    written = message_from_bytes((folder / "hum.eml").read_bytes(), policy=policy.default)
    assert written["Message-ID"] == wanted


def test_an_email_that_cannot_be_made_fails_alone(chosen, settings, tmp_path):
    sessions, choice = chosen
    # A name stored with a line break before names were checked, and one whose email the
    # mail library refuses: each fails on its own; everyone else's goes out.
    with sessions.begin() as s:
        s.execute(update(Member).where(Member.external_id == "hum").values(name="The\nHum"))
        s.execute(
            update(Member)
            .where(Member.external_id == "kit")
            .values(email="kit@example.org\nBcc: all@example.org")
        )
    result = run(sessions, settings, tmp_path / "outbox")
    assert result.failed == 1 and result.sent == len(choice.people.recipients) - 1
    assert "'kit'" in result.errors[0]
    hum = message_from_bytes((tmp_path / "outbox" / "hum.eml").read_bytes(), policy=policy.default)
    assert str(hum["To"]).startswith("The Hum <")
    with sessions() as s:
        failed = s.execute(select(Digest.status, Digest.error).where(Digest.status == "failed"))
        assert [status for status, _ in failed] == ["failed"]


def test_a_preview_left_in_the_folder_is_not_taken_as_delivered(
    sessions, settings, encoder, tmp_path
):
    from matcher.digest.render import emails

    add_people(sessions)
    matcher = build_matcher(sessions, settings, encoder)
    folder = tmp_path / "outbox"
    previews = choose(sessions, settings, matcher, dry_run=True).previews
    outbox = Outbox(folder)  # `matcher digest --dry-run --outbox` into this week's folder
    for content, data in zip(previews, emails(Renderer(settings), previews, NOW), strict=True):
        outbox.send(content.member_id, settings.mail_from, content.email, data)
    choose(sessions, settings, matcher)
    with sessions.begin() as s:  # the real run, killed after claiming every digest
        s.execute(update(Digest).values(status="sending"))
    result = run(sessions, settings, folder)
    assert result.recovered == 0 and result.sent == len(previews)


def test_the_ledger_keeps_which_post_each_match_answers_and_the_email_says_it(
    chosen, settings, tmp_path
):
    """Said "They offer 'Lead guitar...'" alone, a match did not tell the reader which of their
    needs it was for (a new user); a week recorded before the ledger kept it still renders."""
    sessions, _ = chosen
    with sessions.begin() as s:
        rows = s.execute(
            select(DigestMatch, Member.external_id)
            .join(Digest, Digest.id == DigestMatch.digest_id)
            .join(Member, Member.id == Digest.member_id)
            .order_by(DigestMatch.id)
        ).all()
        assert rows and all(
            m.answers and next(iter(m.answers)) == {"helps_you": "need"}.get(m.direction, "offer")
            for m, _ in rows
        )
        # Its reasons said as "They offer ..." alone (no fit to quote): the post is named.
        first, old = rows[0][0], next(m for m, who in rows if who != rows[0][1])
        recipient, post = rows[0][1], next(iter(first.answers.values()))
        side = "need" if first.direction == "helps_you" else "offer"
        offer = {"id": "o-x", "quote": "Lead guitar for gigs", "helped_before": False}
        first.reasons = [{"type": "they_offer", "offer": offer}]
        # A week recorded before the ledger kept it: no `answers`, rendered without.
        old_recipient = s.get(Member, s.get(Digest, old.digest_id).member_id).external_id
        old.reasons, old.answers = [{"type": "they_offer", "offer": offer}], None
    folder = tmp_path / "outbox"
    run(sessions, settings, folder)

    def body(who):
        email = message_from_bytes((folder / f"{who}.eml").read_bytes(), policy=policy.default)
        return " ".join(email.get_body(("plain",)).get_content().split())

    assert f'For your {side}: "{post["quote"]}" - They offer "Lead guitar for gigs".' in body(
        recipient
    )
    badge = "(Could help you|You could help them)"
    assert re.search(f'{badge} - They offer "Lead guitar for gigs"', body(old_recipient))
