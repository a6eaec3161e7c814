"""The weekly email: Jinja2 templates (HTML with inline CSS, and plain text) as one message."""

from __future__ import annotations

import quopri
import secrets
from collections.abc import Sequence
from datetime import datetime
from email.errors import MessageError
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from matcher.config import Settings
from matcher.digest.content import DigestContent, Suggestion
from matcher.digest.week import monday
from matcher.domain import EMAIL_ADDRESS, wire_address
from matcher.errors import ConfigError
from matcher.translation import ENGLISH, N_, Language, language
from matcher.unsubscribe import make_token
from matcher.wording import answered_by, describe_each

# Written out with headers up to RFC 5322's 998 characters (a long List-Unsubscribe URL stays
# one plain line) and CRLF line ends; bodies are quoted-printable with short lines. The
# compat32 MIME classes and the C quoted-printable encoder build a digest in well under a
# millisecond; EmailMessage's header registry and pure-Python encoder took ~9 ms, which is
# 15 minutes for 100k members.
WIRE = compat32.clone(max_line_length=998, linesep="\r\n")
BADGES = {
    "helps_you": (N_("Could help you"), "#2d6a4f"),
    "you_help": (N_("You could help them"), "#3a5a8c"),
    "mutual": (N_("You could help each other"), "#7a3f86"),
}

# The kinds of member (domain.MEMBER_KINDS) as the email names them, marked for the catalogue.
KINDS = (
    N_("band"), N_("artist"), N_("session musician"), N_("producer"), N_("engineer"),
    N_("venue"), N_("promoter"), N_("studio"), N_("label"), N_("manager"),
    N_("photographer"), N_("videographer"), N_("designer"), N_("teacher"), N_("writer"),
    N_("radio"), N_("fan"), N_("other"),
)  # fmt: skip


# Settings a real email must not go out with: the examples they default to.
SENDER_SETTINGS = ("mail_from", "organiser_address", "site_url")


def placeholder_settings(settings: Settings) -> list[str]:
    """The sender settings still at their example values (as MATCHER_* variable names)."""
    example = Settings()
    return [
        f"MATCHER_{name.upper()}"
        for name in SENDER_SETTINGS
        if getattr(settings, name) == getattr(example, name)
    ]


class Renderer:
    """Renders members' digests as email messages, with links and footer from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.language = language(settings.digest_locale)
        self.env = Environment(
            extensions=["jinja2.ext.i18n"],
            loader=PackageLoader("matcher.digest", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.install_gettext_translations(self.language.translations, newstyle=True)
        self.html = self.env.get_template("digest.html")
        self.text = self.env.get_template("digest.txt")

    def unsubscribe_url(self, member_id: str, one_click: bool = False) -> str:
        """A member's signed unsubscribe link: the page that asks first (the email's link), or
        the one-click URL a mail client POSTs to (the List-Unsubscribe header)."""
        token = make_token(self.settings.secret_key, member_id)
        pattern = (
            self.settings.one_click_unsubscribe_url if one_click else self.settings.unsubscribe_url
        )
        return pattern.format(
            site_url=self.settings.site_url.rstrip("/"), token=quote(token, safe="")
        )

    def introduce_url(self, member_id: str) -> str:
        """The community site's page for introducing yourself to a member."""
        return self.settings.introduce_url.format(
            site_url=self.settings.site_url.rstrip("/"), member_id=quote(member_id, safe="")
        )

    def render(self, content: DigestContent) -> tuple[str, str]:
        """The (HTML, plain text) bodies of a digest."""
        context = self._context(content, self.unsubscribe_url(content.member_id))
        return self.html.render(context), self.text.render(context)

    def message(self, content: DigestContent, now: datetime) -> Message:
        """The digest as a multipart/alternative email with one-click unsubscribe headers."""
        unsubscribe = self.unsubscribe_url(content.member_id)
        context = self._context(content, unsubscribe)
        msg = MIMEMultipart("alternative")
        title = context["subject"]
        msg["Subject"] = title if title.isascii() else Header(title, "utf-8")
        msg["From"] = formataddr((self.settings.organiser_name, self.settings.mail_from), "utf-8")
        name = " ".join(content.name.split())  # one line, whatever the store holds
        msg["To"] = formataddr((name, wire_address(content.email)), "utf-8")
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = content.message_id
        msg["List-Unsubscribe"] = f"<{self.unsubscribe_url(content.member_id, one_click=True)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["Auto-Submitted"] = "auto-generated"
        msg.attach(_text_part("plain", self.text.render(context)))
        msg.attach(_text_part("html", self.html.render(context)))
        return msg

    def _context(self, content: DigestContent, unsubscribe_url: str) -> dict[str, Any]:
        s = self.settings
        given = [[r for r in p.reasons if r.get("type") != "mutual"] for p in content.suggestions]
        lang = self.language
        said = describe_each(given, lang, content.miles)
        people = [
            self._person(p, reasons, answered_by(p.answers, typed, lang))
            for p, reasons, typed in zip(content.suggestions, said, given, strict=True)
        ]
        return {
            "lang": lang.locale.replace("_", "-"),
            "subject": subject(content, lang),
            "heading": heading(len(people), lang),
            "preheader": ", ".join(p["name"] for p in people),
            "intro": intro(content.suggestions, lang),
            "name": addressed(content.name),
            "week_label": week_label(content.week, lang),
            "people": people,
            "unsubscribe_url": unsubscribe_url,
            "organiser_name": s.organiser_name,
            "organiser_address": s.organiser_address,
        }

    def _person(self, p: Suggestion, reasons: list[str], answers: str | None) -> dict[str, Any]:
        badge, colour = BADGES["mutual" if both_ways(p) else p.direction]
        return {
            "name": p.name,
            "kind": self.language.gettext(p.kind.replace("_", " ")),
            "town": p.town,
            "badge": self.language.gettext(badge),
            "badge_colour": colour,
            "answers": answers,  # 'For your need: "..."', where the reasons do not say it
            "reasons": reasons,
            "contact": p.contact,
            "contact_href": contact_href(p.contact),
            "introduce_url": self.introduce_url(p.member_id),
        }


def to_bytes(msg: Message) -> bytes:
    """The message as it goes on the wire and into an .eml file."""
    return msg.as_bytes(policy=WIRE)


class NotRendered(str):
    """Why one digest's email could not be made."""


def emails(
    renderer: Renderer, contents: Sequence[DigestContent], now: datetime
) -> list[bytes | NotRendered]:
    """Each digest's email as bytes, or why it could not be made: one member's data (say, a
    name stored before names were checked) stops nobody else's email."""
    out: list[bytes | NotRendered] = []
    for content in contents:
        try:
            out.append(to_bytes(renderer.message(content, now)))
        except (MessageError, ValueError, UnicodeError) as exc:
            out.append(NotRendered(f"the email to {content.member_id!r} could not be made: {exc}"))
    return out


def renderer_for(settings: Settings, *, dry_run: bool = False) -> tuple[Renderer, bool]:
    """A run's renderer, and whether its unsubscribe links are placeholders: without a secret
    key a real run fails now (ConfigError), not mid-run; a dry run, which sends nothing, signs
    its previews' links with a throwaway key."""
    renderer = Renderer(settings)
    try:
        renderer.unsubscribe_url("check")
    except ConfigError:
        if not dry_run:
            raise
        return Renderer(settings.replace(secret_key=secrets.token_urlsafe(32))), True
    return renderer, False


def _text_part(subtype: str, body: str) -> MIMENonMultipart:
    """A UTF-8 text part, quoted-printable encoded."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "quoted-printable"
    part.set_payload(quopri.encodestring(body.encode("utf-8")).decode("ascii"))
    return part


def subject(content: DigestContent, lang: Language = ENGLISH) -> str:
    """The subject line of a digest."""
    n = len(content.suggestions)
    said = lang.ngettext(
        "%(num)d person to meet this week (week of %(week)s)",
        "%(num)d people to meet this week (week of %(week)s)",
        n,
    )
    return said % {"num": n, "week": week_label(content.week, lang)}


def both_ways(p: Suggestion) -> bool:
    """Whether the email says of a match "you could help each other": a mutual match whose
    reasons quote how each could help (an offer of theirs for a need of the reader's, and one
    of the reader's for a need of theirs). The scores flag a match mutual when the other way is
    at least as likely as a typical candidate's, which the reader cannot check: said above
    only "They need ...", it told 212 of the 2,000-member demo's 4,866 suggestions they could
    help each other without saying how (a new user: a promoter, a studio that needs a
    photographer). Such a match is said as its direction."""
    quoted = {r.get("type") for r in p.reasons}
    return p.mutual and {"need_offer", "you_could_help"} <= quoted


def intro(suggestions: Sequence[Suggestion], lang: Language = ENGLISH) -> str:
    """The first line of the email, true to the directions of its matches."""
    helps_you = any(both_ways(p) or p.direction == "helps_you" for p in suggestions)
    you_help = any(both_ways(p) or p.direction == "you_help" for p in suggestions)
    if suggestions and all(both_ways(p) for p in suggestions):
        what = lang.gettext("you could help each other")
    elif helps_you and you_help:
        what = lang.gettext("some could help you, and some you could help")
    elif you_help:
        what = lang.gettext("you could help them")
    else:
        what = lang.gettext("they could help you")
    said = lang.ngettext(
        "Here is a member of the community you have not been introduced to yet: %(what)s.",
        "Here are members of the community you have not been introduced to yet: %(what)s.",
        len(suggestions),
    )
    return said % {"what": what}


def heading(n: int, lang: Language = ENGLISH) -> str:
    """The big line at the top of the email."""
    said = lang.ngettext(
        "%(num)d new person for you this week", "%(num)d new people for you this week", n
    )
    return said % {"num": n}


def addressed(name: str) -> str:
    """A name as the email's "Hi ...," says it: a band's without its "The" ("Hi The Secret
    Ghosts," read oddly: a reviewer), unless that is all of it."""
    rest = name[4:].strip() if name[:4].casefold() == "the " else ""
    return rest or name


def week_label(week: str, lang: Language = ENGLISH) -> str:
    """A week as people say it: `23 November 2026` (`23 novembre 2026`)."""
    return lang.date(monday(week))


def contact_href(contact: str | None) -> str | None:
    """A safe link for a shared contact (an email address or a web address), else None."""
    if not contact:
        return None
    value = contact.strip()
    if value.lower().startswith(("https://", "http://")) and " " not in value:
        return value
    if EMAIL_ADDRESS.fullmatch(value):  # not "@handle", which is no address
        return f"mailto:{value}"
    return None
