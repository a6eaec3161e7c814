"""The `digest` command end to end: outbox by default, SMTP, dry run, reruns, errors."""

from __future__ import annotations

from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import func, select

from matcher.cli import main
from matcher.roster import emails_of
from matcher.store import Digest, DigestMatch, Member
from tests.test_digest_support import (
    WEEK,
    Inbox,
    add_people,
    build_matcher,
    free_port,
    opted_in,
)


@pytest.fixture
def run(sessions, settings, encoder):
    """Invoke `matcher` on a built community in the test's folders."""
    add_people(sessions)
    build_matcher(sessions, settings, encoder)
    env = {
        "MATCHER_DATA_DIR": str(settings.data_dir),
        "MATCHER_MODELS_DIR": str(settings.models_dir),
        "MATCHER_ENCODER": "hashing",
        "MATCHER_SECRET_KEY": settings.secret_key,
        "MATCHER_SMTP_URL": "",
    }
    sender = {
        "MATCHER_MAIL_FROM": "matches@hum.example.org",
        "MATCHER_ORGANISER_ADDRESS": "2 Mill Lane, Leeds",
        "MATCHER_SITE_URL": "https://hum.example.org",
    }

    def invoke(*args: str, examples: bool = False, **changed: str):
        env_now = {**(env if examples else {**env, **sender}), **changed}
        return CliRunner().invoke(main, ["digest", *args], env=env_now, catch_exceptions=False)

    return invoke


def digests(sessions) -> dict[str, int]:
    with sessions() as s:
        rows = s.execute(select(Digest.status, func.count()).group_by(Digest.status)).all()
    return dict(rows)


def test_the_default_writes_the_outbox_and_reports_fairness(run, sessions, settings):
    result = run("--week", WEEK)
    assert result.exit_code == 0, result.output
    folder = settings.data_dir / "outbox" / WEEK
    assert len(list(folder.glob("*.eml"))) == 8 and (folder / "index.html").exists()
    out = result.output
    assert "want the email (consent and an address): 8" in out
    assert "1 unsubscribed or no consent" in out and "1 no email address" in out
    assert "exposure Gini" in out and "suggested at least once" in out and "mean score" in out
    assert "8 sent, 0 failed" in out
    assert f"delivered to: {folder}" in " ".join(out.split())
    assert digests(sessions) == {"sent": 8}
    again = run("--week", WEEK)
    assert "0 sent" in again.output and "chosen in an earlier run" in again.output
    assert digests(sessions) == {"sent": 8}


def test_a_dry_run_records_nothing_and_can_write_a_preview(run, sessions, tmp_path):
    result = run("--week", WEEK, "--dry-run", "--outbox", str(tmp_path / "look"))
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "exposure Gini" in result.output
    assert digests(sessions) == {}
    assert len(list((tmp_path / "look").glob("*.eml"))) == 8
    said = " ".join(result.output.split())  # the console wraps long lines
    assert f"written: 8 emails to look at in {tmp_path / 'look'} (open index.html)" in said
    # Once the week is sent, a dry run has nothing to show, and says so.
    assert run("--week", WEEK).exit_code == 0
    after = run("--week", WEEK, "--dry-run", "--outbox", str(tmp_path / "later"))
    said = " ".join(after.output.split())
    assert f"no email to look at: none chosen now (nothing written to {tmp_path / 'later'})" in said


def test_a_week_that_has_not_begun_is_refused_and_records_nothing(run, sessions):
    from datetime import UTC, datetime, timedelta

    from matcher.digest.week import check_begun, week_of
    from matcher.errors import InvalidInput

    now = datetime.now(UTC)
    later = week_of(now + timedelta(weeks=2))
    result = run("--week", later)
    assert result.exit_code != 0 and f"week {later} begins on" in result.output
    assert digests(sessions) == {}
    # A week beginning within a day (Monday morning east of UTC) may be run.
    sunday = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
    assert check_begun("2026-W49", sunday) == "2026-W49"
    with pytest.raises(InvalidInput, match="begins on 2026-11-30"):
        check_begun("2026-W49", sunday - timedelta(days=1))


def test_a_dry_run_needs_no_secret_key_but_a_real_run_does(run, sessions, tmp_path):
    look = str(tmp_path / "look")
    result = run("--week", WEEK, "--dry-run", "--outbox", look, MATCHER_SECRET_KEY="")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "their unsubscribe links do not work: MATCHER_SECRET_KEY is not set" in said
    assert len(list((tmp_path / "look").glob("*.eml"))) == 8
    real = run("--week", WEEK, MATCHER_SECRET_KEY="")
    assert real.exit_code != 0 and "MATCHER_SECRET_KEY is not set" in real.output
    assert digests(sessions) == {}


def _over_smtp(run, box: Inbox | None = None):
    """The week's digest sent to a loopback SMTP server: the command's result and the inbox."""
    box = box or Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        return run("--week", WEEK, "--smtp", f"smtp://127.0.0.1:{controller.port}"), box
    finally:
        controller.stop()


def test_smtp_delivery_from_the_command(run, sessions):
    result, box = _over_smtp(run)
    assert result.exit_code == 0, result.output
    assert len(box.counts()) == 8 and set(box.counts().values()) == {1}
    assert digests(sessions) == {"sent": 8}


def test_an_address_no_mail_server_takes_gets_no_email_and_the_run_says_so(run, sessions, tmp_path):
    # Stored before the import refused them, an address with an accent before the @ failed
    # its email in every real run (a new organiser's 13 of 79) and vanished from the dry
    # run's preview without a word; it was also given suggestions, spending others' capacity.
    # An internationalised domain goes out in IDNA 2008 (straße.de is not strasse.de).
    with sessions.begin() as s:
        s.get(Member, _id(s, "hum")).email = "zoë@example.org"
        s.get(Member, _id(s, "mix")).email = "mix@straße.example"
    preview = run("--week", WEEK, "--dry-run", "--outbox", str(tmp_path / "look"))
    said = " ".join(preview.output.split())
    assert "want the email (consent and an address): 7" in said, said
    assert "1 address no mail server takes (`matcher members list` names them)" in said
    assert "written: 7 emails to look at" in said
    result, box = _over_smtp(run)
    said = " ".join(result.output.split())
    assert "7 sent, 0 failed" in said and "1 address no mail server takes" in said
    assert box.counts()["mix@xn--strae-oqa.example"] == 1
    assert box.parsed("mix@xn--strae-oqa.example")[0]["To"].addresses[0].domain == (
        "xn--strae-oqa.example"
    )
    assert digests(sessions) == {"sent": 7}
    with sessions() as s:  # as `matcher members list` and `show` say it
        assert emails_of(s.get(Member, _id(s, "hum"))) == "off: address no mail server takes"


def test_an_email_that_cannot_be_made_is_reported_by_the_dry_run(run, sessions, tmp_path):
    # Whatever the cause, a preview says which emails it could not write, as a real run does.
    from unittest import mock

    from matcher.digest import render

    real = render.Renderer.message

    def broken(self, content, now):
        if content.member_id == "kit":
            raise ValueError("a name the header cannot hold")
        return real(self, content, now)

    with mock.patch.object(render.Renderer, "message", broken):
        preview = run("--week", WEEK, "--dry-run", "--outbox", str(tmp_path / "look"))
    said = " ".join(preview.output.split())
    assert "written: 7 emails to look at" in said
    assert "1 could not be made, which a real run would fail" in said
    assert "the email to 'kit' could not be made: a name the header cannot hold" in said


def test_a_run_prints_its_first_errors_and_counts_the_rest(run, sessions, monkeypatch):
    # Each error may name an address: a mail server's quota hit must not fill a cron log with
    # thousands of them (a reviewer). The member's record keeps each one's reason.
    from matcher.cli import digest as command
    from matcher.roster import member_record

    monkeypatch.setattr(command, "MAX_ERRORS_SHOWN", 3)
    addresses = sorted(opted_in(sessions))[:5]
    result, _ = _over_smtp(run, Inbox(refuse=set(addresses)))
    said = " ".join(result.output.split())
    assert "3 sent, 5 failed" in said and said.count("error ") == 3
    assert "... and 2 more errors (`matcher members show ID` gives each member's)" in said
    with sessions() as s:
        who = s.scalar(select(Member.external_id).where(Member.email == addresses[0]))
        weeks = member_record(s, who)["weekly_emails"]["weeks"]
    assert weeks[0]["status"] == "failed" and "550" in weeks[0]["why"]


def _id(session, external_id: str) -> int:
    return session.scalar(select(Member.id).where(Member.external_id == external_id))


def test_real_email_is_refused_with_the_example_sender_settings(run, sessions):
    result = run("--week", WEEK, "--smtp", "smtp://127.0.0.1:25", examples=True)
    assert result.exit_code == 1
    assert "will not email members with the example sender settings" in result.output
    assert "MATCHER_MAIL_FROM, MATCHER_ORGANISER_ADDRESS, MATCHER_SITE_URL" in result.output
    assert digests(sessions) == {}  # nothing chosen, nothing sent
    assert run("--week", WEEK, examples=True).exit_code == 0  # the outbox only shows them


def test_bad_input_is_a_clear_error(run, sessions):
    bad_week = run("--week", "2026-48")
    assert bad_week.exit_code == 1 and "not like 2026-W48" in bad_week.output
    both = run("--outbox", "x", "--smtp", "smtp://localhost")
    assert both.exit_code == 2 and "either --outbox or --smtp" in both.output
    bad_url = run("--week", WEEK, "--smtp", "http://mail.example")
    assert bad_url.exit_code == 1 and "smtp://" in bad_url.output
    assert digests(sessions) == {}  # nothing chosen with a transport that cannot work


def test_a_second_run_of_the_week_stops_while_one_is_in_progress(run, sessions, settings):
    from matcher.digest.lock import week_lock

    with week_lock(sessions, WEEK, settings.data_dir):  # a run in progress
        second = run("--week", WEEK)
        assert second.exit_code == 1
        assert f"another digest run for {WEEK} is in progress" in second.output
        assert digests(sessions) == {}  # it chose and sent nothing
        assert run("--week", WEEK, "--dry-run").exit_code == 0  # a dry run needs no lock
        assert run("--week", "2026-W47").exit_code == 0  # nor does another week wait
    after = run("--week", WEEK)
    assert after.exit_code == 0  # once it is over, the week runs ...
    # ... but nobody gets a second email in a calendar week, whatever week it is for.
    said = " ".join(after.output.split())
    assert "8 emailed another week's digest earlier this week (or a later week's)" in said
    assert "want the email (consent and an address): 8 " in said  # they still want it
    assert digests(sessions)["sent"] == 8


def test_a_member_who_joined_after_the_build_is_said_to_wait_for_the_next(run, sessions):
    """A member who joined through the API was counted as "no new matches" by the week's run,
    though the build did not know them at all (a site's integrator)."""
    from matcher import community

    community.add_member(
        sessions,
        {"name": "New", "kind": "band", "email": "new@example.org", "email_consent": True},
        external_id="new",
    )
    said = " ".join(run("--week", WEEK, "--dry-run").output.split())
    assert "1 not in the build (joined since it was made: `matcher build` first)" in said, said
    assert "no new matches" not in said


def test_a_later_run_for_a_few_says_its_fairness_table_is_of_them_only(
    run, sessions, settings, encoder
):
    """After a build for one new member, the week's second run showed a Gini of .856 for its
    three digests alone, which read as the week's (an organiser)."""
    from matcher import community

    assert run("--week", WEEK).exit_code == 0
    community.add_member(
        sessions,
        {"name": "New", "kind": "band", "email": "new@example.org", "email_consent": True},
        external_id="new",
    )
    community.add_post(
        sessions, encoder, member_id="new", side="need", text="we need a drummer for gigs"
    )
    build_matcher(sessions, settings, encoder)
    said = " ".join(run("--week", WEEK).output.split())
    assert "exposure Gini" in said, said
    assert "(the table is of this run's 1 member only, not of the 8 chosen in an earlier" in said


def test_a_members_record_says_whom_their_emails_suggested_and_how_often_they_were(
    run, sessions, settings
):
    """To find who was never suggested, an organiser read the week's .eml files one by one."""
    from matcher.roster import member_record

    assert run("--week", WEEK).exit_code == 0
    with sessions() as s:
        rows = s.execute(
            select(Member.external_id, DigestMatch.member_id, Digest.member_id)
            .join(Digest, Digest.member_id == Member.id)
            .join(DigestMatch, DigestMatch.digest_id == Digest.id)
        ).all()
        recipient = rows[0][0]
        theirs = member_record(s, recipient)["weekly_emails"]["weeks"][0]["suggested"]
        ids = dict(s.execute(select(Member.id, Member.external_id)).all())
        times = Counter(ids[m] for _, m, _ in rows)
        someone = max(times, key=times.get)
        shown = member_record(s, someone)["weekly_emails"]["suggested_to_others"]
    assert sorted(theirs) == sorted(ids[m] for r, m, _ in rows if r == recipient)
    assert shown == {"times": times[someone], "last_week": WEEK}
    env = {
        "MATCHER_DATA_DIR": str(settings.data_dir),
        "MATCHER_MODELS_DIR": str(settings.models_dir),
    }
    said = CliRunner().invoke(main, ["members", "show", someone], env=env).output
    assert f"suggested in others' weekly emails: {times[someone]} time" in " ".join(said.split())
