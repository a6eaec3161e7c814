"""Delivering a week's recorded digests exactly once: claim in the ledger, send, mark.

Each digest goes `chosen -> sending` (committed) before it is handed to the transport and
`sending -> sent | failed` (committed) after. A digest found `sending` on a later run was
interrupted mid-delivery: the outbox checks whether its file holds it (then it is marked
sent, else written); over SMTP the outcome is unknown, so it is reported and not resent
unless asked (`resend_unknown`): a second email is worse than a missed one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from matcher.digest import ledger
from matcher.digest.content import DigestContent, contents
from matcher.digest.plan import EMAILED_LATELY, members_emailed_lately
from matcher.digest.render import NotRendered, Renderer, emails
from matcher.domain import wire_address
from matcher.errors import OutcomeUnknown, Refused, Unreachable
from matcher.progress import Advance
from matcher.store import Digest

# Digests to message bytes, in order, stamped with a time.
RenderMany = Callable[[Sequence[DigestContent], datetime], list[bytes | NotRendered]]
UNSUBSCRIBED = "unsubscribed (or lost their address) before the email went out"
NOBODY_LEFT = "everyone suggested closed their account or was blocked before the email went out"


class Transport(Protocol):
    """An outbox or an SMTP sender."""

    batch_size: int
    knows_outcome: bool

    def send(self, member_id: str, sender: str, recipient: str, data: bytes) -> None: ...

    def close(self) -> None: ...


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0
    unknown: int = 0  # left `sending`: may or may not have arrived, not resent
    unknown_members: list[str] = field(default_factory=list)  # whose they are (their ids)
    recovered: int = 0  # found `sending` and already in the outbox: marked sent
    unsubscribed: int = 0  # chosen, but no longer wanted email: skipped
    emptied: int = 0  # chosen, but everyone suggested has left or been blocked since: skipped
    too_soon: int = 0  # chosen, but another week's email went to them since: skipped
    left: int = 0  # not attempted because of the limit
    errors: list[str] = field(default_factory=list)


def claimable(retry_failed: bool = False) -> list[str]:
    """The statuses of the digests a delivery run may claim: `chosen`, and `failed` when it
    tries them again."""
    return ["chosen", *(["failed"] if retry_failed else [])]


def due_statuses(retry_failed: bool = False) -> list[str]:
    """The statuses of the digests a delivery run has before it: those cut off mid-delivery
    (`sending`: recovered, resent or reported) and those it may claim (`claimable`)."""
    return ["sending", *claimable(retry_failed)]


def due_now(counts: dict[str, int], *, retry_failed: bool = False, limit: int | None = None) -> int:
    """How many digests a delivery run has before it (its progress's total), from the week's
    ledger counts (`week_ledger`): those it may claim, and those cut off mid-delivery
    (`sending`: recovered, resent or reported), at most `limit`."""
    total = sum(counts.get(status, 0) for status in due_statuses(retry_failed))
    return min(total, limit) if limit is not None else total


def deliver(
    sessions: sessionmaker[Session],
    week: str,
    renderer: Renderer,
    transport: Transport,
    *,
    now: Callable[[], datetime],
    resend_unknown: bool = False,
    retry_failed: bool = False,
    limit: int | None = None,
    advance: Advance = lambda n=1: None,
    render: RenderMany | None = None,
) -> Delivery:
    """Send every recorded digest of `week` not yet delivered; each at most once.

    `render` turns a batch of digests into message bytes (e.g. in worker processes);
    by default `renderer` does it here.
    """
    result = Delivery()
    render = render or (lambda batch, at: emails(renderer, batch, at))
    statuses = claimable(retry_failed)
    with sessions() as session:
        rows = ledger.due(session, week, due_statuses(retry_failed))
    interrupted = [i for i, status in rows if status == "sending"]
    todo = [i for i, status in rows if status != "sending"]
    again: list[int] = []
    if transport.knows_outcome:
        again = _recover(sessions, transport, interrupted, now, result)
    elif resend_unknown:
        again = interrupted
    else:
        result.unknown = len(interrupted)
        with sessions() as session:
            result.unknown_members = ledger.member_ids(session, interrupted)
    _release(sessions, again)  # to be sent again: claimed like any other
    todo = again + todo
    if limit is not None and len(todo) > limit:
        result.left = len(todo) - limit
        todo = todo[:limit]
    sender = renderer.settings.mail_from
    try:
        for lo in range(0, len(todo), transport.batch_size):
            batch = todo[lo : lo + transport.batch_size]
            _deliver_batch(sessions, week, batch, statuses, render, transport, sender, now, result)
            advance(len(batch))
    finally:
        transport.close()
    return result


def _recover(
    sessions: sessionmaker[Session],
    transport: Transport,
    digest_ids: list[int],
    now: Callable[[], datetime],
    result: Delivery,
) -> list[int]:
    """Mark interrupted digests whose message is already delivered; the rest go again."""
    if not digest_ids:
        return []
    delivered = getattr(transport, "delivered")  # noqa: B009 (outbox only)
    with sessions() as session:
        found = contents(session, digest_ids)
    done = [i for i in digest_ids if delivered(found[i].member_id, found[i].message_id)]
    with sessions.begin() as session:
        ledger.mark_sent(session, done, now())
    result.recovered = len(done)
    return [i for i in digest_ids if i not in set(done)]


def _deliver_batch(
    sessions: sessionmaker[Session],
    week: str,
    batch: Sequence[int],
    statuses: Sequence[str],
    render: RenderMany,
    transport: Transport,
    sender: str,
    now: Callable[[], datetime],
    result: Delivery,
) -> None:
    with sessions.begin() as session:
        owned = ledger.claim(session, batch, statuses, now())
    try:
        with sessions() as session:
            found = contents(session, owned)
            soon = set(
                session.scalars(
                    select(Digest.id).where(
                        Digest.id.in_(owned),
                        Digest.member_id.in_(members_emailed_lately(week, now())),
                    )
                )
            )
        wanted = [
            i for i in owned if found[i].subscribed and found[i].suggestions and i not in soon
        ]
        messages = dict(zip(wanted, render([found[i] for i in wanted], now()), strict=True))
    except BaseException:
        _release(sessions, owned)  # nothing was handed over
        raise
    done: list[int] = []
    current: int | None = None
    handing_over = False  # True from the moment the transport has the current message
    try:
        for position, digest_id in enumerate(owned):
            current, handing_over = digest_id, False
            content = found[digest_id]
            if not content.subscribed:
                _settle(sessions, digest_id, "skipped", UNSUBSCRIBED)
                result.unsubscribed += 1
                continue
            if not content.suggestions:
                _settle(sessions, digest_id, "skipped", NOBODY_LEFT)
                result.emptied += 1
                continue
            if digest_id in soon:
                _settle(sessions, digest_id, "skipped", EMAILED_LATELY)
                result.too_soon += 1
                continue
            message = messages[digest_id]
            if isinstance(message, NotRendered):
                _settle(sessions, digest_id, "failed", message)
                result.failed += 1
                result.errors.append(message)
                continue
            try:
                handing_over = True
                transport.send(content.member_id, sender, wire_address(content.email), message)
            except Refused as exc:
                _settle(sessions, digest_id, "failed", str(exc))
                result.failed += 1
                result.errors.append(str(exc))
                continue
            except OutcomeUnknown as exc:
                _settle(sessions, digest_id, "sending", str(exc))
                result.unknown += 1
                result.unknown_members.append(content.member_id)
                result.errors.append(str(exc))
                continue
            except Unreachable as exc:
                # Not delivered: back to `chosen` with everything after it; stop the run.
                _release(sessions, owned[position:])
                current = None
                result.errors.append(str(exc))
                raise
            done.append(digest_id)
            if transport.batch_size == 1:
                _mark_sent(sessions, done, now)
                result.sent += 1
                done = []
            current = None
    except BaseException:
        # Interrupted (Ctrl-C, an error): record what is known, give back what was not tried.
        _mark_sent(sessions, done, now)
        result.sent += len(done)
        if current is not None:
            rest = owned[owned.index(current) + 1 :]
            if not handing_over or not getattr(transport, "maybe_delivered", True):
                rest = [current, *rest]  # certainly not delivered: give it back too
            _release(sessions, rest)
        raise
    _mark_sent(sessions, done, now)
    result.sent += len(done)


def _mark_sent(
    sessions: sessionmaker[Session], done: list[int], now: Callable[[], datetime]
) -> None:
    if done:
        with sessions.begin() as session:
            ledger.mark_sent(session, done, now())


def _settle(sessions: sessionmaker[Session], digest_id: int, status: str, error: str) -> None:
    with sessions.begin() as session:
        ledger.settle(session, digest_id, status, error)


def _release(sessions: sessionmaker[Session], digest_ids: Sequence[int]) -> None:
    if digest_ids:
        with sessions.begin() as session:
            ledger.release(session, digest_ids)
