"""Where digests go: an outbox folder of .eml files, or an SMTP server (TLS, retries, backoff)."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import smtplib
import socket
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from matcher.errors import ConfigError, OutcomeUnknown, Refused, Unreachable


class Outbox:
    """Delivers each digest as one .eml file in a folder, written atomically."""

    batch_size = 500  # a file on disk tells whether it was delivered, so claim many at once
    knows_outcome = True

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path_for(self, member_id: str) -> Path:
        """The .eml file of a member's digest."""
        safe = re.sub(r"[^A-Za-z0-9._-]|^\.", "_", member_id)  # no hidden files either
        if safe != member_id:
            safe = f"{safe}-{hashlib.sha256(member_id.encode()).hexdigest()[:8]}"
        return self.folder / f"{safe}.eml"

    def delivered(self, member_id: str, message_id: str) -> bool:
        """Whether this digest of the member is already in the outbox: the file holds its
        Message-ID (a file of another week, in a folder used again, is not it)."""
        try:
            with self.path_for(member_id).open("rb") as f:
                headers = BytesHeaderParser().parse(f)
        except FileNotFoundError:
            return False
        return (headers["Message-ID"] or "").strip() == message_id

    def send(self, member_id: str, sender: str, recipient: str, data: bytes) -> None:
        """Write the message; a reader never sees half a file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(member_id)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def forget(self, member_id: str) -> bool:
        """Delete a member's email from the folder (they were erased) and list the folder
        again without it; whether there was one."""
        path = self.path_for(member_id)
        if not path.is_file():
            return False
        path.unlink()
        self.close()
        return True

    def close(self) -> None:
        """Write the folder's index.html preview."""
        from matcher.digest.preview import write_index

        if self.folder.is_dir():
            write_index(self.folder)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (a relay here: a password sent to it stays here)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# Messages refused for now (4xx to the last attempt) one after another, to as many
# recipients, that stop the run: the server is limiting this sender.
THROTTLED = 3

# Characters that end or split the user:password@host:port part of a URL unless encoded.
ENCODE_HINT = (
    "percent-encode any / ? # @ : % in the user name or password (%2F %3F %23 %40 %3A %25)"
)


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect, from `smtp://user:pass@host:port` or `smtps://...`."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse an SMTP URL: smtp:// (STARTTLS when offered) or smtps:// (TLS from the start)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            shown = _without_password(url)
            raise ConfigError(f"SMTP URL must look like smtp://user:pass@host:587, not {shown!r}")
        if parts.path.strip("/") or parts.query or parts.fragment:
            # A / ? or # left as it is in a password ends the host part early: the rest of
            # the password would be read as the host or port, and shown in errors.
            raise ConfigError(
                f"SMTP URL {_without_password(url)!r} goes on after host:port: {ENCODE_HINT}"
            )
        tls = parts.scheme == "smtps"
        try:
            port = parts.port or (465 if tls else 25)
        except ValueError as exc:  # its words may quote part of a password: not shown
            raise ConfigError(
                f"SMTP URL {_without_password(url)!r}: the port is not a number: {ENCODE_HINT}"
            ) from exc
        return cls(
            parts.hostname,
            port,
            tls,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )


class SmtpSender:
    """Sends through one SMTP connection, reconnecting and retrying with exponential backoff.

    Failures before the message is handed over (connecting, MAIL FROM, RCPT TO) are safe
    to retry; a refusal with a 5xx code is final for that message; a connection lost
    during DATA leaves the outcome unknown and is never retried here.
    """

    batch_size = 1  # claim, send, record one message at a time
    knows_outcome = False

    def __init__(
        self,
        url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        attempts: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.server = SmtpServer.from_url(url)
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.retries = 0
        self.refused_in_a_row = 0  # messages refused for now, one after another, to the last
        # Set once a message's DATA has begun: from then on an interruption may have delivered it.
        self.maybe_delivered = False
        self._smtp: smtplib.SMTP | None = None

    def send(self, member_id: str, sender: str, recipient: str, data: bytes) -> None:
        """Deliver one message, or raise Refused, OutcomeUnknown or Unreachable.

        A refusal of this message (at RCPT or at the end of DATA) with a 5xx code is final:
        Refused. One with a 4xx code is tried again; if the server still refuses it at the
        last attempt, the message fails alone (Refused, and `--retry-failed` tries it in a
        later run) and the week goes on: the server is up. Only failing to reach or talk to
        the server, or its refusing the sender, stops the run (Unreachable), as does its
        refusing THROTTLED messages in a row for now: it is limiting this sender (a provider's
        hourly quota), and each further one would cost the attempts' waits and fail.
        """
        self.maybe_delivered = False
        error: Exception | None = None
        refused_for_now: str | None = None  # the last attempt's 4xx refusal of this message
        for attempt in range(self.attempts):
            try:
                self._hand_over(sender, recipient, data)
                self.refused_in_a_row = 0
                return
            except OutcomeUnknown:
                self._drop()
                raise
            except smtplib.SMTPAuthenticationError as exc:
                self._drop()
                raise ConfigError(f"the SMTP server refused the login: {_reply(exc)}") from exc
            except ssl.SSLCertVerificationError as exc:
                self._drop()
                raise ConfigError(f"the SMTP server's certificate is not trusted: {exc}") from exc
            except (
                smtplib.SMTPSenderRefused,
                smtplib.SMTPRecipientsRefused,
                smtplib.SMTPDataError,
            ) as exc:
                code, text = _reply(exc)
                self._reset()
                if isinstance(exc, smtplib.SMTPSenderRefused) and code >= 500:
                    raise ConfigError(f"the SMTP server refuses sender {sender}: {text}") from exc
                if code >= 500:
                    self.refused_in_a_row = 0
                    raise Refused(f"{recipient} refused by the server: {code} {text}") from exc
                error = exc
                # 421 closes the channel: the server, not this message, is unavailable.
                about_message = not isinstance(exc, smtplib.SMTPSenderRefused) and code != 421
                refused_for_now = f"{code} {text}" if about_message else None
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                error, refused_for_now = exc, None
            if attempt + 1 < self.attempts:
                self.retries += 1
                self.sleep(self.backoff * 2**attempt)
        if refused_for_now is not None:
            self.refused_in_a_row += 1
            if self.refused_in_a_row >= THROTTLED:
                raise Unreachable(
                    f"the SMTP server refused {self.refused_in_a_row} messages in a row for now"
                    f" (the last to {recipient}: {refused_for_now}): it is limiting this sender,"
                    " a sending quota perhaps; stopped, and the rest is left for the next run"
                    " (the earlier ones: --retry-failed)"
                )
            raise Refused(
                f"{recipient} refused for now by the server, {self.attempts} times: "
                f"{refused_for_now}"
            )
        where = f"{self.server.host}:{self.server.port}"
        reason = _said(error) if isinstance(error, smtplib.SMTPException) else error
        raise Unreachable(
            f"gave up on the SMTP server {where} after {self.attempts} attempts "
            f"(sending to {recipient}): {reason}"
        )

    def _hand_over(self, sender: str, recipient: str, data: bytes) -> None:
        smtp = self._connection()
        code, text = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, text, sender)
        code, text = smtp.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})
        self.maybe_delivered = True
        try:
            code, text = smtp.data(data)  # raises only if DATA could not begin
        except smtplib.SMTPDataError:
            self.maybe_delivered = False
            raise  # a definite refusal: not delivered
        except (smtplib.SMTPException, OSError) as exc:
            raise OutcomeUnknown(f"connection lost while sending to {recipient}: {exc}") from exc
        if code != 250:  # the server refused the message it was sent: it keeps nothing
            self.maybe_delivered = False
            raise smtplib.SMTPDataError(code, text)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        s = self.server
        host = socket.getfqdn()
        if s.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=self.timeout, context=self.ssl_context, local_hostname=host
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout, local_hostname=host)
        try:
            smtp.ehlo()
            encrypted = s.implicit_tls
            if not s.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
                encrypted = True
            if s.username and not encrypted and not is_loopback(s.host):
                # Anyone on the way could read it, or strip the server's STARTTLS offer.
                raise ConfigError(
                    f"the SMTP server {s.host}:{s.port} offers no STARTTLS, and the password "
                    "would be sent unencrypted: use smtps:// (TLS from the start) or the port "
                    "where the server offers STARTTLS (often 587)"
                )
            if s.username:
                try:
                    smtp.login(s.username, s.password or "")
                except smtplib.SMTPNotSupportedError as exc:
                    raise ConfigError(
                        f"the SMTP server {s.host}:{s.port} offers no login (AUTH), but the "
                        "URL gives a user: take the user out of the URL, or use the port where "
                        "the server asks for a login (often 587 with STARTTLS, or smtps 465)"
                    ) from exc
        except BaseException:
            _quietly_close(smtp)
            raise
        self._smtp = smtp
        return smtp

    def _reset(self) -> None:
        """Abort the current transaction after a refusal, keeping the connection."""
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None

    def close(self) -> None:
        """Say goodbye to the server."""
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._drop()


def _without_password(url: str) -> str:
    """The URL as an error may show it (in a cron job's log): its password hidden, even
    where a / ? # or @ left unencoded in it ends the host part early (read by the last
    '@' of the whole URL, not of what urlsplit takes as the host part)."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def _reply(exc: smtplib.SMTPException) -> tuple[int, str]:
    """The SMTP code and text of a refusal."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        code, text = 0, str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return int(code), str(text)


def _said(exc: smtplib.SMTPException) -> str:
    """A refusal as an error says it: its code and text, or its text alone where the server
    gave no code (a connection closed or timed out: "0 Connection unexpectedly closed")."""
    code, text = _reply(exc)
    return f"{code} {text}" if code > 0 else text


def _quietly_close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()
