"""Helpers of the digest tests: a small community, a loopback SMTP server, the week's choice."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import select

from matcher.build import build_model
from matcher.digest.job import choose_week
from matcher.engine import Matcher
from matcher.index import BuildIndex
from matcher.store import Member
from tests.factories import add_member

WEEK = "2026-W48"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

# external id, kind, town, needs, offers, extra member fields
PEOPLE = [
    ("hum", "band", "Leeds", ["our band needs a drummer for gigs"], ["we lend our rehearsal room"]),
    ("kit", "session_musician", "Leeds", ["need a rehearsal room"], ["drummer for gigs"]),
    ("mix", "engineer", "Leeds", ["need bands to record demos"], ["I mix and master records"]),
    ("far", "session_musician", "Glasgow", ["need gigs"], ["drummer for gigs and tours"]),
    ("vee", "venue", "Leeds", ["need bands to play gigs"], ["a venue for gigs"]),
    ("pho", "photographer", "Leeds", ["need gigs to photograph"], ["gig photography for bands"]),
    ("off", "band", "Leeds", ["need a photographer for gigs"], ["support slots at gigs"]),
    ("nom", "band", "Bristol", ["need our record mixed"], ["gig swaps for bands"]),
    ("dsg", "designer", "Leeds", ["need gig photography for posters"], ["I design gig posters"]),
    ("lab", "label", "Bristol", ["need bands to release records"], ["we release records"]),
]
UNSUBSCRIBED = "off"
NO_EMAIL = "nom"
SHARES_CONTACT = {"kit": "kit@drums.example"}


def clock() -> datetime:
    return NOW


def add_people(sessions) -> None:
    """The community: ten members, one unsubscribed, one without an address."""
    with sessions.begin() as s:
        for ext, kind, town, needs, offers in PEOPLE:
            member = add_member(
                s,
                ext,
                kind,
                town,
                needs=needs,
                offers=offers,
                name=f"{ext.title()} {kind.replace('_', ' ').title()}",
                email_consent=ext != UNSUBSCRIBED,
                share_contact=ext in SHARES_CONTACT,
                contact=SHARES_CONTACT.get(ext),
                capacity=3,
            )
            if ext == NO_EMAIL:
                member.email = None


def build_matcher(sessions, settings, encoder):
    """Build the store's model and return a factory of its matcher (as the job takes it)."""
    build_model(sessions, encoder, settings, clock=clock)
    index = BuildIndex.load(settings.models_dir)
    matcher = Matcher(index, sessions, settings)
    return lambda: matcher


def choose(sessions, settings, matcher, week=WEEK, **kwargs):
    return choose_week(sessions, matcher, settings, week, now=clock, **kwargs)


def email_of(sessions) -> dict[str, str]:
    with sessions() as s:
        return {e: x for x, e in s.execute(select(Member.external_id, Member.email)).all() if e}


def opted_in(sessions) -> set[str]:
    """Addresses of the members who should get an email."""
    with sessions() as s:
        rows = s.execute(
            select(Member.email).where(Member.email_consent.is_(True), Member.email.is_not(None))
        ).all()
    return {e for (e,) in rows}


@dataclass
class Inbox:
    """What a loopback SMTP server received, by recipient."""

    refuse: set[str] = field(default_factory=set)
    temporary_failures: int = 0  # answer this many RCPTs with 451 first
    busy: set[str] = field(default_factory=set)  # answer their RCPT with 451, always
    # Answer the end of DATA for these recipients with this reply, keeping nothing.
    refuse_data: dict[str, str] = field(default_factory=dict)
    messages: list[tuple[str, bytes]] = field(default_factory=list)
    on_data: object = None  # called (inbox) before each 250 reply
    on_rcpt: object = None  # called (inbox) before each RCPT's 250 reply
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        if address in self.busy:
            return "451 4.2.1 Mailbox busy, try later"
        with self.lock:
            if self.temporary_failures > 0:
                self.temporary_failures -= 1
                return "451 4.3.0 Try again later"
        if callable(self.on_rcpt):
            self.on_rcpt(self)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.refuse_data:
                return self.refuse_data[rcpt]
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append((rcpt, envelope.original_content or envelope.content))
        if callable(self.on_data):
            self.on_data(self)
        return "250 Message accepted"

    def counts(self) -> Counter:
        return Counter(r for r, _ in self.messages)

    def parsed(self, rcpt: str) -> list[EmailMessage]:
        return [
            message_from_bytes(data, policy=policy.default)
            for r, data in self.messages
            if r == rcpt
        ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
