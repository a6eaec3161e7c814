"""Delivery over real SMTP on loopback (aiosmtpd): exactly once, refusals, retries, TLS."""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from matcher.digest import mail
from matcher.digest.mail import THROTTLED, SmtpSender
from matcher.digest.render import Renderer
from matcher.digest.send import deliver
from matcher.errors import ConfigError, Unreachable
from matcher.store import Digest, Member
from tests.test_digest_support import (
    NO_EMAIL,
    UNSUBSCRIBED,
    WEEK,
    Inbox,
    add_people,
    build_matcher,
    choose,
    clock,
    free_port,
    opted_in,
)


@pytest.fixture
def inbox():
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.url = f"smtp://127.0.0.1:{controller.port}"
    yield box
    controller.stop()


@pytest.fixture
def chosen(sessions, settings, encoder):
    """The community with this week's digests chosen and recorded."""
    add_people(sessions)
    choice = choose(sessions, settings, build_matcher(sessions, settings, encoder))
    assert choice.recorded == len(choice.people.recipients)
    return sessions


def send(sessions, settings, url, **kwargs):
    sender_options = {k: kwargs.pop(k) for k in ("sleep", "attempts", "ssl_context") if k in kwargs}
    sender = SmtpSender(url, timeout=5, **sender_options)
    return deliver(sessions, WEEK, Renderer(settings), sender, now=clock, **kwargs)


def statuses(sessions) -> dict[str, str]:
    with sessions() as s:
        rows = s.execute(
            select(Member.email, Digest.status).join(Digest, Digest.member_id == Member.id)
        ).all()
    return dict(rows)


def test_every_opted_in_member_gets_exactly_one_multipart_message(chosen, settings, inbox):
    result = send(chosen, settings, inbox.url)
    expected = opted_in(chosen) - {f"{NO_EMAIL}@example.org"}
    assert f"{UNSUBSCRIBED}@example.org" not in expected
    assert inbox.counts() == Counter({address: 1 for address in expected})
    assert result.sent == len(expected) and result.failed == 0
    with chosen() as s:
        ids = dict(
            s.execute(
                select(Member.email, Digest.message_id).join(Digest, Digest.member_id == Member.id)
            ).all()
        )
    for address in expected:
        (message,) = inbox.parsed(address)
        assert message.get_content_type() == "multipart/alternative"
        kinds = [part.get_content_type() for part in message.iter_parts()]
        assert kinds == ["text/plain", "text/html"]
        assert message["Message-ID"] == ids[address]
        assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/v1/unsubscribe?")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(statuses(chosen).values()) == {"sent"}


def test_a_second_run_sends_nothing_again(chosen, settings, inbox):
    send(chosen, settings, inbox.url)
    before = inbox.counts()
    again = send(chosen, settings, inbox.url)
    assert again.sent == 0 and inbox.counts() == before


def test_unsubscribing_after_the_choice_still_stops_the_email(chosen, settings, inbox):
    with chosen.begin() as s:
        s.execute(
            Member.__table__.update().where(Member.external_id == "hum").values(email_consent=False)
        )
    result = send(chosen, settings, inbox.url)
    assert "hum@example.org" not in inbox.counts()
    assert result.unsubscribed == 1
    assert statuses(chosen)["hum@example.org"] == "skipped"


def test_a_run_interrupted_between_messages_then_rerun_sends_the_rest_once(chosen, settings, inbox):
    expected = opted_in(chosen) - {f"{NO_EMAIL}@example.org"}
    calls = []

    def advance(n=1):
        calls.append(n)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C after three emails

    with pytest.raises(KeyboardInterrupt):
        send(chosen, settings, inbox.url, advance=advance)
    assert sum(inbox.counts().values()) == 3
    assert Counter(statuses(chosen).values())["sent"] == 3
    result = send(chosen, settings, inbox.url)
    assert result.unknown == 0
    assert inbox.counts() == Counter({address: 1 for address in expected})


def test_a_run_cut_off_during_data_is_not_resent_unless_asked(chosen, settings, inbox):
    expected = opted_in(chosen) - {f"{NO_EMAIL}@example.org"}

    class CtrlCAfterTheFourth(SmtpSender):
        """Ctrl-C arrives once the server has the fourth message, before the client hears
        "250" (raised here rather than by a real signal, which Python may deliver inside a
        finalizer that swallows it)."""

        def send(self, *args):
            super().send(*args)
            if len(inbox.messages) == 4:
                raise KeyboardInterrupt

    sender = CtrlCAfterTheFourth(inbox.url, timeout=5)
    with pytest.raises(KeyboardInterrupt):
        deliver(chosen, WEEK, Renderer(settings), sender, now=clock)
    cut_off = [a for a, status in statuses(chosen).items() if status == "sending"]
    assert len(cut_off) == 1  # the fourth: it did arrive, but the job cannot know
    result = send(chosen, settings, inbox.url)
    assert result.unknown == 1
    with chosen() as s:  # named, so the organiser can look in the mail server's log
        whose = s.scalars(select(Member.external_id).where(Member.email == cut_off[0])).all()
    assert result.unknown_members == whose
    assert inbox.counts() == Counter({address: 1 for address in expected})
    forced = send(chosen, settings, inbox.url, resend_unknown=True)
    assert forced.sent == 1 and inbox.counts()[cut_off[0]] == 2  # the documented risk


def test_a_refused_address_fails_alone_with_a_clear_error(chosen, settings, inbox):
    inbox.refuse = {"kit@example.org"}
    result = send(chosen, settings, inbox.url)
    expected = opted_in(chosen) - {f"{NO_EMAIL}@example.org", "kit@example.org"}
    assert inbox.counts() == Counter({address: 1 for address in expected})
    assert result.failed == 1
    with chosen() as s:
        error = s.scalar(
            select(Digest.error)
            .join(Member, Digest.member_id == Member.id)
            .where(Member.email == "kit@example.org", Digest.status == "failed")
        )
    assert "kit@example.org refused" in error and "550" in error


@pytest.mark.slow
def test_a_run_that_left_a_digest_failed_exits_3_for_whoever_watches_the_job(
    chosen, settings, inbox
):
    """It exited 0 whatever failed: an alert on the cron job's exit status never fired (an
    operator)."""
    inbox.refuse = {"kit@example.org"}
    command, env = digest_job(settings, inbox)
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 3, first.stderr
    assert "1 digest failed: `matcher digest --retry-failed` tries them again" in first.stdout
    assert f"delivered to: {inbox.url}\n" in first.stdout  # the server, never its user
    inbox.refuse = set()
    again = subprocess.run(
        [*command, "--retry-failed"], env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert inbox.counts()["kit@example.org"] == 1


@pytest.mark.parametrize("reply", ["554 5.7.1 Message rejected as spam", "451 4.7.1 Greylisted"])
def test_a_message_refused_at_the_end_of_data_is_failed_not_sent(chosen, settings, inbox, reply):
    # The server took the message, then answered its end with a refusal: nothing was kept.
    inbox.refuse_data = {"kit@example.org": reply}
    result = send(chosen, settings, inbox.url, sleep=lambda s: None)
    assert inbox.counts()["kit@example.org"] == 0
    assert result.failed == 1 and statuses(chosen)["kit@example.org"] == "failed"
    inbox.refuse_data = {}
    again = send(chosen, settings, inbox.url, retry_failed=True)
    assert again.sent == 1 and inbox.counts()["kit@example.org"] == 1


def test_one_mailbox_that_stays_busy_fails_alone_and_the_week_goes_on(chosen, settings, inbox):
    # A 451 for one recipient at every attempt: the server is up, the others are delivered.
    inbox.busy = {"kit@example.org"}
    result = send(chosen, settings, inbox.url, sleep=lambda s: None)
    expected = opted_in(chosen) - {f"{NO_EMAIL}@example.org", "kit@example.org"}
    assert inbox.counts() == Counter({address: 1 for address in expected})
    assert result.failed == 1
    with chosen() as s:
        error = s.scalar(select(Digest.error).where(Digest.status == "failed"))
    assert error.startswith("kit@example.org refused for now by the server, 4 times: 451 4.2.1")


def test_a_server_that_refuses_three_in_a_row_for_now_stops_the_run(chosen, settings, inbox):
    """A provider's hourly quota answers every message 451: each was tried 4 times, 7 s of
    waits, and failed, the whole week (14 took 1 min 43 s: an operator). Three refused in a
    row stop the run; the third and the rest are left for the next."""
    everyone = opted_in(chosen) - {f"{NO_EMAIL}@example.org"}
    assert len(everyone) > THROTTLED
    inbox.busy = set(everyone)
    with pytest.raises(Unreachable, match="refused 3 messages in a row for now"):
        send(chosen, settings, inbox.url, sleep=lambda s: None)
    status = Counter(statuses(chosen)[a] for a in everyone)
    assert status == Counter({"failed": THROTTLED - 1, "chosen": len(everyone) - THROTTLED + 1})
    inbox.busy = set()
    later = send(chosen, settings, inbox.url, retry_failed=True)
    assert later.sent == len(everyone) and set(inbox.counts().values()) == {1}


def test_temporary_failures_are_retried_with_exponential_backoff(chosen, settings, inbox):
    inbox.temporary_failures = 2
    waits = []
    result = send(chosen, settings, inbox.url, sleep=waits.append)
    assert waits == [1.0, 2.0]
    assert result.failed == 0 and set(inbox.counts().values()) == {1}


def test_an_unreachable_server_stops_the_run_and_leaves_everything_for_later(
    chosen, settings, inbox
):
    waits = []
    dead = f"smtp://127.0.0.1:{free_port()}"
    with pytest.raises(Unreachable, match=f"gave up on the SMTP server {dead[7:]} after 3"):
        send(chosen, settings, dead, sleep=waits.append, attempts=3)
    assert waits == [1.0, 2.0]
    assert set(statuses(chosen).values()) == {"chosen"}
    send(chosen, settings, inbox.url)
    assert set(inbox.counts().values()) == {1}


def test_a_login_the_server_does_not_offer_stops_the_run_saying_so(chosen, settings, inbox):
    waits = []
    with_user = inbox.url.replace("smtp://", "smtp://matches:secret@")
    with pytest.raises(ConfigError, match=r"offers no login \(AUTH\), but the URL gives a user"):
        send(chosen, settings, with_user, sleep=waits.append)
    assert waits == []  # not retried: trying again cannot help
    assert set(statuses(chosen).values()) == {"chosen"} and not inbox.counts()


def test_a_password_is_never_sent_unencrypted_beyond_this_machine(
    chosen, settings, inbox, monkeypatch
):
    assert all(map(mail.is_loopback, ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"]))
    assert not any(map(mail.is_loopback, ["mail.example.org", "10.0.0.1", "2001:db8::1"]))
    # The inbox offers no STARTTLS; were it another machine, a login would cross the network
    # in clear (or after a man in the middle stripped the offer).
    monkeypatch.setattr(mail, "is_loopback", lambda host: False)
    with_user = inbox.url.replace("smtp://", "smtp://matches:secret@")
    with pytest.raises(ConfigError, match="offers no STARTTLS, and the password would be sent"):
        send(chosen, settings, with_user)
    assert set(statuses(chosen).values()) == {"chosen"} and not inbox.counts()
    send(chosen, settings, inbox.url)  # without a login, nothing secret is sent
    assert set(inbox.counts().values()) == {1}


@pytest.fixture
def certificate(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    subprocess.run(command, check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_tls_starttls_and_implicit(chosen, settings, certificate, mode):
    server_context, client_context = certificate
    box = Inbox()
    port = free_port()
    if mode == "smtps":
        controller = Controller(box, hostname="127.0.0.1", port=port, ssl_context=server_context)
        url = f"smtps://127.0.0.1:{port}"
    else:
        # The server refuses mail before STARTTLS: delivery proves the upgrade happened.
        controller = Controller(
            box,
            hostname="127.0.0.1",
            port=port,
            tls_context=server_context,
            require_starttls=True,
        )
        url = f"smtp://127.0.0.1:{port}"
    controller.start()
    try:
        result = send(chosen, settings, url, ssl_context=client_context)
    finally:
        controller.stop()
    assert result.failed == 0 and result.sent == len(box.counts()) > 0
    assert set(box.counts().values()) == {1}


def digest_job(settings, inbox) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of `matcher digest` run as a cron job would."""
    env = {
        **os.environ,
        "MATCHER_DATABASE_URL": settings.database,
        "MATCHER_DATA_DIR": str(settings.data_dir),
        "MATCHER_MODELS_DIR": str(settings.models_dir),
        "MATCHER_ENCODER": "hashing",
        "MATCHER_SECRET_KEY": settings.secret_key,
        "MATCHER_MAIL_FROM": "matches@hum.example.org",
        "MATCHER_ORGANISER_ADDRESS": "2 Mill Lane, Leeds",
        "MATCHER_SITE_URL": "https://hum.example.org",
    }
    command = [sys.executable, "-c", "from matcher.cli import main; main()", "digest"]
    command += ["--week", WEEK, "--smtp", inbox.url]
    return command, env


@pytest.mark.slow
def test_a_job_killed_mid_delivery_and_run_again_sends_nobody_a_second_email(
    chosen, settings, inbox
):
    expected = opted_in(chosen) - {f"{NO_EMAIL}@example.org"}
    command, env = digest_job(settings, inbox)
    job = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def kill_the_job_on_the_third(box):
        if len(box.messages) == 3:
            os.kill(job.pid, signal.SIGKILL)  # dies before it hears "250" or records anything

    inbox.on_data = kill_the_job_on_the_third
    job.communicate(timeout=120)
    assert job.returncode == -signal.SIGKILL
    inbox.on_data = None
    assert sum(inbox.counts().values()) == 3
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 3, again.stderr  # for whoever watches the job's exit status
    assert "1 digest was cut off" in again.stdout
    assert re.search(r"cut off: \S+ \(`matcher members show ID`", again.stdout), again.stdout
    assert inbox.counts() == Counter({address: 1 for address in expected})


@pytest.mark.slow
def test_a_job_stopped_by_sigterm_before_data_gives_the_digest_back(chosen, settings, inbox):
    # `timeout` around a cron job, systemd stopping it or a shutdown send SIGTERM. Python's
    # default ended the job at once, leaving the digest in hand `sending` while the server,
    # asked only RCPT, had not been given it: the next run said it "may or may not have
    # arrived" and did not send it, so the member missed the week. Now as Ctrl-C does.
    expected = opted_in(chosen) - {f"{NO_EMAIL}@example.org"}
    command, env = digest_job(settings, inbox)
    job = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def stop_the_job_at_the_third_rcpt(box):
        if len(box.messages) == 2:
            os.kill(job.pid, signal.SIGTERM)
            time.sleep(1)  # the job hears the signal before the RCPT's reply

    inbox.on_rcpt = stop_the_job_at_the_third_rcpt
    _, err = job.communicate(timeout=120)
    inbox.on_rcpt = None
    assert sum(inbox.counts().values()) == 2
    # It says where the week stands, for the cron log (not click's bare "Aborted!").
    assert job.returncode == 130, err
    assert re.search(rb"stopped \(stopped by signal 15\): ledger for \S+: .*2 sent", err), err
    assert b"again to deliver the rest" in err
    assert "sending" not in statuses(chosen).values()
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "cut off" not in again.stdout
    assert inbox.counts() == Counter({address: 1 for address in expected})


@pytest.mark.parametrize(
    "url", ["smtp://organiser:Sup3rSecret@127.0.0.1:80x", "smtq://u:Sup3rSecret@h"]
)
def test_an_smtp_url_in_an_error_hides_its_password(url):
    from matcher.digest.mail import SmtpServer

    with pytest.raises(ConfigError) as caught:
        SmtpServer.from_url(url)
    assert "Sup3rSecret" not in str(caught.value) and ":***@" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "smtp://organiser:Sup3r#Secret@mail.example.org:587",  # '#': the rest a fragment
        "smtp://organiser:Sup3r/Secret@mail.example.org:587",  # '/': the rest a path
        "smtp://organiser:Sup3r?Secret@mail.example.org:587",  # '?': the rest a query
        "smtp://me@example.org:Sup3r@x/Secret@mail.example.org:587",  # the host read as 'x'
    ],
)
def test_a_password_with_characters_a_url_reserves_is_refused_unshown_saying_to_encode(url):
    # An operator pasted a generated password as it is: urlsplit ended the host part at the
    # first / ? or #, so the port was read from the password, and the error quoted it (with
    # the part before the '#') into the cron log; with '/' and '@', the host was 'x'.
    from matcher.digest.mail import SmtpServer

    with pytest.raises(ConfigError) as caught:
        SmtpServer.from_url(url)
    message = str(caught.value)
    assert "Sup3r" not in message and "Secret" not in message
    assert ":***@mail.example.org:587" in message and "percent-encode" in message
    encoded = url.replace("#", "%23").replace("/Secret", "%2FSecret").replace("?", "%3F")
    encoded = encoded.replace("Sup3r@x", "Sup3r%40x")
    server = SmtpServer.from_url(encoded)
    assert (server.host, server.port) == ("mail.example.org", 587)
    assert server.password is not None and server.password.startswith("Sup3r")


def test_a_server_that_hangs_up_without_a_word_is_said_so_without_a_code():
    """It read "... after 4 attempts (...): 0 Connection unexpectedly closed" (an operator):
    the 0 is no code the server gave."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def hang_up() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    port = listener.getsockname()[1]
    sender = SmtpSender(f"smtp://127.0.0.1:{port}", timeout=5, attempts=2, sleep=lambda s: None)
    try:
        with pytest.raises(Unreachable) as found:
            sender.send("m1", "from@example.org", "to@example.org", b"Subject: x\r\n\r\nx")
    finally:
        listener.close()
    said = str(found.value)
    assert said.endswith("Connection unexpectedly closed") and ": 0 " not in said
