"""The `digest` command: the weekly match emails, chosen fairly and delivered exactly once."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from matcher.cli.context import AppContext, pass_app
from matcher.errors import InvalidInput
from matcher.explain import counted

DEFAULT_WORKERS = min(2, os.cpu_count() or 1)

if TYPE_CHECKING:  # the command imports its work lazily so `--help` stays instant
    from matcher.digest.job import Choice
    from matcher.digest.plan import WeekPlan
    from matcher.digest.send import Delivery

# Errors a run prints (each may name an address: a cron log should not hold thousands).
MAX_ERRORS_SHOWN = 20
MAX_NAMED = 5  # members named beside a reason they got no email, the rest counted
# The exit status of a run that delivered, but left digests failed or cut off mid-delivery.
UNDELIVERED = 3
STOPPED = 130  # stopped by Ctrl-C or SIGTERM, as a shell reports a command Ctrl-C stopped


@click.command("digest")
@click.option("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W48 [default: this week].")
@click.option(
    "--outbox",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one .eml per member plus index.html here [default: <data-dir>/outbox/<week>].",
)
@click.option(
    "--smtp",
    metavar="URL",
    help="Send through this server: smtp://user:pass@host:587 (STARTTLS when offered) or "
    "smtps://user:pass@host:465; a password goes only over TLS. Better set MATCHER_SMTP_URL: "
    "an option is seen by every user of the machine [default: the outbox].",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Choose and render, record nothing (with --outbox, write the emails there to look at).",
)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="Also send digests whose earlier SMTP delivery was cut off (they may arrive twice).",
)
@click.option("--retry-failed", is_flag=True, help="Try the week's failed digests again.")
@click.option("--limit", type=click.IntRange(min=0), help="Send at most this many emails now.")
@click.option("--build", default="current", show_default=True, help="Model build to match with.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Processes that explain matches and render emails (used for big weeks only).",
)
@pass_app
def digest_command(
    app: AppContext,
    week: str | None,
    outbox: Path | None,
    smtp: str | None,
    dry_run: bool,
    resend_unknown: bool,
    retry_failed: bool,
    limit: int | None,
    build: str,
    workers: int,
) -> None:
    """Send each opted-in member a few new people who could help them, or whom they could help.

    Runs in two steps, both safe to repeat. First it chooses, once per member and week
    (again in a later run for those it found none for), up to MATCHER_DIGEST_MATCHES
    people never suggested to them before, fairly across the community (nobody more often
    than their capacity, rarely seen members with an open need or offer first, nobody
    below a typical candidate), and records the choice. Then
    it delivers each recorded digest exactly once: re-running after a crash sends only what
    is left. Members who unsubscribed or have no address are skipped, and nobody is
    introduced who has since closed their account or been blocked. Build a model first
    (`matcher build`). Exit status: 0, or 3 when a digest failed or was cut off
    mid-delivery (the run goes on past them; the summary says whose), 1 on an error,
    130 when stopped (Ctrl-C, SIGTERM): then it says what is left, for the next run.

    \b
    Examples:
      matcher digest                          # this week, into var/outbox/<week>/
      matcher digest --week 2026-W48 --dry-run
      MATCHER_SMTP_URL=smtps://matches:secret@mail.example.org:465 matcher digest

    The SMTP URL holds a password: give it in the environment (MATCHER_SMTP_URL), where
    other users of the machine cannot read it, rather than with --smtp. Whatever --week
    names, nobody gets a second email within 6 days in the same calendar week (nor a past
    week's after a later week's), and what those emails suggested counts against everyone's
    capacity. A week that begins more than a day from now is refused.
    """
    from matcher.digest.job import choose_week, week_ledger
    from matcher.digest.lock import week_lock
    from matcher.digest.mail import Outbox
    from matcher.digest.preview import write_previews
    from matcher.digest.render import renderer_for
    from matcher.digest.send import deliver, due_now
    from matcher.digest.transport import check_one_transport, open_transport
    from matcher.digest.week import check_begun, parse_week, week_of
    from matcher.digest.workers import MIN_ITEMS, Workers
    from matcher.engine import Matcher
    from matcher.index import BuildIndex
    from matcher.progress import rich_progress
    from matcher.store import utcnow

    try:
        check_one_transport(outbox, smtp)
    except InvalidInput:
        raise click.UsageError("give either --outbox or --smtp, not both") from None
    settings = app.settings
    week = check_begun(parse_week(week), utcnow()) if week else week_of(utcnow())
    renderer, placeholder_links = renderer_for(settings, dry_run=dry_run)
    # The transport is made first so a bad URL fails before anything is chosen.
    destination = open_transport(settings, week, outbox=outbox, smtp_url=smtp, dry_run=dry_run)
    where = destination.where

    def matcher() -> Matcher:
        return Matcher(BuildIndex.load(settings.models_dir, build), app.sessions, settings)

    # One run of a week at a time (a dry run records nothing and needs no lock).
    lock = nullcontext() if dry_run else week_lock(app.sessions, week, settings.data_dir)
    with (
        _stopped_says_what_is_left(app, week, dry_run),
        _sigterm_stops_as_ctrl_c(),
        lock,
        rich_progress(app.console) as reporter,
        Workers(settings, workers, renderer) as pool,
    ):
        choice = choose_week(
            app.sessions,
            matcher,
            settings,
            week,
            now=utcnow,
            reporter=reporter,
            dry_run=dry_run,
            explainer=pool.explain_for,
        )
        wrote = None
        if dry_run:
            if outbox is not None:
                written, not_made = write_previews(
                    Outbox(outbox), renderer, choice.previews, utcnow
                )
                if written:
                    wrote = f"{written} emails to look at in {outbox} (open index.html)"
                else:
                    why = "" if not_made else ": none chosen now"
                    wrote = f"no email to look at{why} (nothing written to {outbox})"
                if not_made:
                    wrote += f"; {len(not_made)} could not be made, which a real run would fail:"
                    wrote += "".join(f"\n  [red]error[/red] {e}" for e in not_made)
            delivery = None
        else:
            with app.sessions() as session:
                ledger = week_ledger(session, week)
            total = due_now(ledger, retry_failed=retry_failed, limit=limit)
            advance = reporter.task(f"delivering to {where}", total)
            delivery = deliver(
                app.sessions,
                week,
                renderer,
                destination.transport,
                now=utcnow,
                resend_unknown=resend_unknown,
                retry_failed=retry_failed,
                limit=limit,
                advance=advance,
                render=pool.render if not destination.smtp and total >= MIN_ITEMS else None,
            )
    with app.sessions() as session:
        counts = week_ledger(session, week)
    _report(app, week, choice, delivery, counts, settings.digest_matches, dry_run)
    if delivery is not None and delivery.sent:
        app.out.print(f"  delivered to: {where}")
    if wrote:
        app.out.print(f"  written: {wrote}")
    if placeholder_links and wrote:
        app.out.print(
            "  their unsubscribe links do not work: MATCHER_SECRET_KEY is not set (a real run "
            "needs it)"
        )
    if delivery is not None and (delivery.failed or delivery.unknown):
        # The run went on past them, but whoever watches the cron job's exit status (an
        # alert on failure, systemd's OnFailure=) is told: the emails above need a look.
        raise SystemExit(UNDELIVERED)


@contextmanager
def _stopped_says_what_is_left(app: AppContext, week: str, dry_run: bool) -> Iterator[None]:
    """A run stopped by Ctrl-C or SIGTERM says where the week stands and that running again
    sends only the rest (exit status 130, as a shell gives a command stopped by Ctrl-C), not
    click's bare "Aborted!", which a cron log would show with nothing else."""
    try:
        yield
    except KeyboardInterrupt as stop:
        from matcher.digest.job import week_ledger

        why = str(stop) or "interrupted"
        if dry_run:
            app.console.print(f"stopped ({why}): a dry run, nothing was recorded", markup=False)
            raise SystemExit(STOPPED) from None
        with app.sessions() as session:
            counts = week_ledger(session, week)
        ledger = _ledger_text(counts)
        app.console.print(
            f"stopped ({why}): ledger for {week}: {ledger or 'empty'}; run `matcher digest "
            f"--week {week}` again to deliver the rest (nothing is sent twice)",
            markup=False,
        )
        raise SystemExit(STOPPED) from None


@contextmanager
def _sigterm_stops_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (a `timeout` around the cron job, systemd stopping it, a shutdown) stops the run
    as Ctrl-C does: the digest in hand goes back to `chosen` unless its DATA had begun, and the
    lock is let go. Python's default ends the process at once, which left that digest
    `sending` even while the server had not been given it (at RCPT, say): counted as cut off,
    "may or may not have arrived", and not resent by default, so the member missed the week.
    (Each SIGTERM raises: one that Python delivers inside a finalizer, which swallows it, is
    not the last word.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _report(
    app: AppContext,
    week: str,
    choice: Choice,
    delivery: Delivery | None,
    counts: dict[str, int],
    n: int,
    dry_run: bool,
) -> None:
    from matcher.digest.plan import EMAILED_LATELY
    from matcher.digest.summary import summarize

    out = app.out
    summary = summarize(choice)
    already = summary.chosen_earlier
    out.print(f"[bold]digest {week}[/bold]{' (dry run: nothing recorded)' if dry_run else ''}")
    out.print(
        f"  members: {summary.members}; want the email (consent and an address): "
        f"{summary.want_email}" + (f" ({already} chosen in an earlier run)" if already else "")
    )
    if summary.planned:
        fewer = f" ({counted(summary.short, 'member')} got fewer than {n})" if summary.short else ""
        out.print(f"  chosen now: {summary.digests} digests, {summary.matches} matches{fewer}")
    skipped = summary.skipped
    given = summary.given_nobody
    out.print(
        "  skipped: "
        + (", ".join(f"{v} {k}{named(given.get(k, []))}" for k, v in skipped.items()) or "nobody"),
        markup=False,
    )
    if choice.plan is not None and summary.matches:
        out.print(_fairness_table(choice.plan, n))
        if already:  # a later run of the week chose for a few (new members, say)
            out.print(
                f"  (the table is of this run's {counted(summary.seekers, 'member')} only, "
                f"not of the {already} chosen in an earlier run: a few make any spread look "
                "uneven)"
            )
    if delivery is not None:
        out.print(
            f"  delivered now: {delivery.sent} sent, {delivery.failed} failed, "
            f"{delivery.unsubscribed} unsubscribed since chosen"
            + (
                f", {delivery.emptied} with nobody left to suggest (accounts closed or blocked "
                "since chosen)"
                if delivery.emptied
                else ""
            )
            + (f", {delivery.too_soon} held back ({EMAILED_LATELY})" if delivery.too_soon else "")
            + (f", {delivery.recovered} found already delivered" if delivery.recovered else "")
            + (f", {delivery.left} left for the next run (--limit)" if delivery.left else "")
        )
        for error in delivery.errors[:MAX_ERRORS_SHOWN]:
            out.print(f"  [red]error[/red] {error}")
        if len(delivery.errors) > MAX_ERRORS_SHOWN:
            more = len(delivery.errors) - MAX_ERRORS_SHOWN
            out.print(
                f"  ... and {more} more errors (`matcher members show ID` gives each member's)"
            )
        if delivery.failed:
            out.print(
                f"  {counted(delivery.failed, 'digest')} failed: `matcher digest --retry-failed`"
                " tries them again (exit status 3)"
            )
        if delivery.unknown:
            were = "was" if delivery.unknown == 1 else "were"
            out.print(
                f"  [yellow]{counted(delivery.unknown, 'digest')} {were} cut off mid-delivery "
                "earlier and may or may not have arrived: not resent (use --resend-unknown to "
                "send them; exit status 3)[/yellow]"
            )
            # Whose, so the organiser can look for them in the mail server's log first.
            shown = delivery.unknown_members[:MAX_ERRORS_SHOWN]
            more = len(delivery.unknown_members) - len(shown)
            out.print(
                "  cut off: "
                + ", ".join(shown)
                + (f" and {more} more" if more else "")
                + " (`matcher members show ID` gives each member's address)",
                markup=False,
            )
    ledger = _ledger_text(counts)
    out.print(f"  ledger for {week}: {ledger or 'empty'}; {counts.get('matches', 0)} matches")


def named(member_ids: list[str]) -> str:
    """A few members' ids, as the summary gives them after a reason: " (m36)"."""
    if not member_ids:
        return ""
    more = len(member_ids) - MAX_NAMED
    return f" ({', '.join(member_ids[:MAX_NAMED])}{f' and {more} more' if more > 0 else ''})"


def _ledger_text(counts: dict[str, int]) -> str:
    """The week's digests by status, as the summary and a stopped run print them."""
    return ", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if k != "matches")


def _fairness_table(plan: WeekPlan, n: int) -> Table:
    fair, top = plan.fair, plan.unconstrained
    table = Table("this run's choice", "fair allocation", f"unconstrained top-{n}")
    table.add_row("suggestions", str(fair.suggestions), str(top.suggestions))
    table.add_row("exposure Gini", f"{fair.exposure_gini:.3f}", f"{top.exposure_gini:.3f}")
    table.add_row("suggested at least once", f"{fair.coverage:.1%}", f"{top.coverage:.1%}")
    change = (fair.mean_score / top.mean_score - 1) if top.mean_score else 0.0
    table.add_row("mean score", f"{fair.mean_score:.3f} ({change:+.1%})", f"{top.mean_score:.3f}")
    return table
