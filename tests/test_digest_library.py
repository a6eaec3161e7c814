"""A week's run without the command line: its transport, renderer, previews and summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher.allocate import Fairness
from matcher.digest.content import DigestContent, Suggestion
from matcher.digest.job import Choice
from matcher.digest.mail import Outbox, SmtpSender
from matcher.digest.plan import EMAILED_LATELY, PLAN_COLUMNS, Audience, WeekPlan
from matcher.digest.preview import write_previews
from matcher.digest.render import Renderer, renderer_for
from matcher.digest.send import claimable, due_now
from matcher.digest.summary import AT_CAPACITY, NO_NEW_MATCHES, NOT_IN_BUILD, summarize
from matcher.digest.transport import (
    check_one_transport,
    open_transport,
    outbox_folder,
    smtp_url_for,
)
from matcher.errors import ConfigError, InvalidInput
from tests.test_digest_support import WEEK, clock

SENDER = {
    "mail_from": "matches@hum.example.org",
    "organiser_address": "2 Mill Lane, Leeds",
    "site_url": "https://hum.example.org",
}


def test_a_run_uses_an_outbox_or_an_smtp_server_not_both(settings, tmp_path: Path):
    with pytest.raises(InvalidInput, match="not both"):
        check_one_transport(tmp_path, "smtp://127.0.0.1:25")
    with pytest.raises(InvalidInput, match="not both"):
        open_transport(settings, WEEK, outbox=tmp_path, smtp_url="smtp://127.0.0.1:25")
    check_one_transport(tmp_path, None)
    check_one_transport(None, "smtp://127.0.0.1:25")


def test_the_default_outbox_is_the_weeks_folder_in_the_data_dir(settings):
    assert outbox_folder(settings, WEEK) == settings.data_dir / "outbox" / WEEK
    destination = open_transport(settings, WEEK)
    assert isinstance(destination.transport, Outbox) and not destination.smtp
    assert destination.transport.folder == settings.data_dir / "outbox" / WEEK
    assert destination.where == str(settings.data_dir / "outbox" / WEEK)


def test_the_settings_smtp_url_is_used_unless_an_outbox_is_given(settings, tmp_path: Path):
    configured = settings.replace(smtp_url="smtps://matches:secret@mail.example.org:465")
    assert smtp_url_for(configured, None, None) == configured.smtp_url
    assert smtp_url_for(configured, tmp_path, None) is None
    assert smtp_url_for(configured, None, "smtp://127.0.0.1:25") == "smtp://127.0.0.1:25"
    assert smtp_url_for(settings, None, "") is None  # an empty URL is the outbox
    destination = open_transport(configured.replace(**SENDER), WEEK)
    assert isinstance(destination.transport, SmtpSender) and destination.smtp
    assert destination.where == "smtps://mail.example.org:465"  # no password
    given = open_transport(configured, WEEK, outbox=tmp_path / "look")
    assert given.where == str(tmp_path / "look") and not given.smtp


def test_a_bad_url_or_the_example_sender_fails_before_anything_is_chosen(settings):
    sender = settings.replace(**SENDER)
    with pytest.raises(ConfigError, match="smtp://user:pass@host:587"):
        open_transport(sender, WEEK, smtp_url="http://mail.example")
    with pytest.raises(ConfigError, match="example sender settings"):
        open_transport(settings, WEEK, smtp_url="smtp://127.0.0.1:25")
    # A dry run sends nothing: the examples do no harm there.
    assert open_transport(settings, WEEK, smtp_url="smtp://127.0.0.1:25", dry_run=True).smtp


def test_a_real_run_needs_the_secret_key_now_and_a_dry_run_makes_do(settings):
    renderer, placeholder = renderer_for(settings, dry_run=False)
    assert not placeholder and renderer.settings is settings
    keyless = settings.replace(secret_key="")
    with pytest.raises(ConfigError, match="MATCHER_SECRET_KEY is not set"):
        renderer_for(keyless, dry_run=False)
    renderer, placeholder = renderer_for(keyless, dry_run=True)
    assert placeholder and renderer.settings.secret_key  # a throwaway key signs its links
    assert renderer.unsubscribe_url("kit").startswith(keyless.site_url)
    assert renderer_for(settings, dry_run=True)[1] is False  # the key is used when set


def _content(member_id: str, email: str) -> DigestContent:
    drummer = Suggestion("kit", "Kit", "musician", "Leeds", "helps_you", False, [], None)
    return DigestContent(WEEK, member_id, member_id.title(), email, f"<{member_id}@x>", [drummer])


def test_previews_are_written_and_those_that_cannot_be_made_say_why(settings, tmp_path: Path):
    folder = tmp_path / "look"
    previews = [_content("hum", "hum@example.org"), _content("mix", "mix@example.org\nBcc: x@y")]
    written, not_made = write_previews(Outbox(folder), Renderer(settings), previews, clock)
    assert written == 1 and len(not_made) == 1 and "'mix' could not be made" in not_made[0]
    assert sorted(p.name for p in folder.iterdir()) == ["hum.eml", "index.html"]
    assert write_previews(Outbox(tmp_path / "none"), Renderer(settings), [], clock) == (0, [])
    assert not (tmp_path / "none").exists()  # nothing to look at: no folder either


def _people(recipients: list[int], pending: list[int], skipped: dict[str, int]) -> Audience:
    members = pd.DataFrame({"id": range(1, 11), "external_id": [f"m{i}" for i in range(1, 11)]})
    return Audience(WEEK, members, np.array(recipients), np.array(pending), skipped)


def test_the_summary_counts_seekers_given_nobody_as_no_new_matches_at_capacity_or_not_built():
    people = _people(
        [1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6], {"no email address": 1, EMAILED_LATELY: 2}
    )
    rows = [(2, 7, "helps_you", 0.9, False, 1), (2, 8, "you_help", 0.8, True, 2)]
    rows += [(3, 7, "helps_you", 0.7, False, 1)]
    chosen = pd.DataFrame(rows, columns=list(PLAN_COLUMNS))
    fair = Fairness(3, 0.1, 0.5, 0.8)
    plan = WeekPlan(WEEK, chosen, np.array([2, 3, 4, 5, 6]), fair, fair, short=1, at_capacity=1)
    summary = summarize(Choice(people, plan, unbuilt=1))  # of 4, 5, 6: one joined since
    assert (summary.members, summary.want_email, summary.chosen_earlier) == (10, 8, 1)
    assert summary.planned and (summary.seekers, summary.digests, summary.matches) == (5, 2, 3)
    assert summary.short == 1
    assert summary.skipped == {
        "no email address": 1,
        EMAILED_LATELY: 2,
        NO_NEW_MATCHES: 1,  # 6 (4 is in no build: NOT_IN_BUILD)
        AT_CAPACITY: 1,  # 5: could only help others, with no room left this week
        NOT_IN_BUILD: 1,
    }


def test_a_run_with_nobody_left_to_choose_for_counts_no_plan():
    summary = summarize(Choice(_people([1, 2], [], {"no email address": 0})))
    assert (summary.members, summary.want_email, summary.chosen_earlier) == (10, 2, 2)
    assert not summary.planned and summary.matches == 0
    assert summary.skipped == {}  # reasons nobody has are left out


def test_a_delivery_run_counts_what_it_may_claim_and_what_was_cut_off():
    counts = {"chosen": 5, "sending": 2, "failed": 3, "sent": 9, "matches": 40}
    assert claimable() == ["chosen"] and claimable(retry_failed=True) == ["chosen", "failed"]
    assert due_now(counts) == 7
    assert due_now(counts, retry_failed=True) == 10
    assert due_now(counts, retry_failed=True, limit=4) == 4
    assert due_now({"sent": 9, "matches": 40}) == 0
