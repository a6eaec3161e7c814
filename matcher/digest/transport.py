"""Where a run's digests go: a week's outbox folder or an SMTP server, made before choosing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matcher.config import Settings
from matcher.digest.mail import Outbox, SmtpSender
from matcher.digest.render import placeholder_settings
from matcher.digest.send import Transport
from matcher.errors import ConfigError, InvalidInput


@dataclass(frozen=True)
class Destination:
    """A run's transport, and where it delivers as a summary says it (never a password)."""

    transport: Transport
    where: str  # the outbox folder, or smtp(s)://host:port
    smtp: bool  # whether it emails members (else it writes .eml files into a folder)


def outbox_folder(settings: Settings, week: str) -> Path:
    """A week's outbox folder when none is given: <data-dir>/outbox/<week>."""
    return settings.data_dir / "outbox" / week


def check_one_transport(outbox: Path | None, smtp_url: str | None) -> None:
    """InvalidInput when both an outbox folder and an SMTP URL are given: a run uses one."""
    if outbox is not None and smtp_url is not None:
        raise InvalidInput("give either an outbox folder or an SMTP URL, not both", field="smtp")


def smtp_url_for(settings: Settings, outbox: Path | None, smtp_url: str | None) -> str | None:
    """The SMTP URL a run sends through: the one given, else the settings' (MATCHER_SMTP_URL)
    unless an outbox folder is given; None (an empty URL too) means the outbox."""
    return smtp_url or (settings.smtp_url if outbox is None else None) or None


def open_transport(
    settings: Settings,
    week: str,
    *,
    outbox: Path | None = None,
    smtp_url: str | None = None,
    dry_run: bool = False,
) -> Destination:
    """The transport of a run of `week`, made before anything is chosen so that a bad SMTP URL
    (ConfigError) stops it first. Refuses both an outbox and an SMTP URL (InvalidInput), and a
    real run's email with the example sender settings (ConfigError); with neither, the
    settings' SMTP URL, else the week's `outbox_folder`."""
    check_one_transport(outbox, smtp_url)
    url = smtp_url_for(settings, outbox, smtp_url)
    if not url:
        folder = outbox or outbox_folder(settings, week)
        return Destination(Outbox(folder), str(folder), smtp=False)
    examples = placeholder_settings(settings)
    if examples and not dry_run:
        raise ConfigError(
            "will not email members with the example sender settings: set "
            f"{', '.join(examples)} to your community's (the outbox, the default, "
            "shows the emails without sending them)"
        )
    sender = SmtpSender(url)
    server = sender.server
    where = f"{'smtps' if server.implicit_tls else 'smtp'}://{server.host}:{server.port}"
    return Destination(sender, where, smtp=True)
