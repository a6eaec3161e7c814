"""The words of the domain: member kinds, post sides, interaction kinds."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

import idna

MEMBER_KINDS: tuple[str, ...] = (
    "band",
    "artist",
    "session_musician",
    "producer",
    "engineer",
    "venue",
    "promoter",
    "studio",
    "label",
    "manager",
    "photographer",
    "videographer",
    "designer",
    "teacher",
    "writer",
    "radio",
    "fan",
    "other",
)

SIDES: tuple[str, ...] = ("need", "offer")
NEED, OFFER = SIDES

POST_STATUSES: tuple[str, ...] = ("open", "closed")
# A post's status as anyone reads it: as stored, or "expired" for an open post whose expires_at
# has passed (it no longer matches; a later expires_at, or none, opens it again).
POST_STATUSES_SHOWN: tuple[str, ...] = (*POST_STATUSES, "expired")

INTERACTION_KINDS: tuple[str, ...] = (
    "shown",
    "contacted",
    "accepted",
    "declined",
    "helped",
    "reported",
    "blocked",
)

# Outcomes that say "this person helped" with a need: the ranker's positives. Its negatives
# are the need's other candidates (a decline is one of their features, not a label).
POSITIVE_KINDS: frozenset[str] = frozenset({"accepted", "helped"})
# The outcome told to members as help given ("they helped with ...", "has helped N members",
# "helped you before"), and counted as an offer of what was helped with: a request accepted
# is a good sign to learn from, but may not have come to anything.
HELP_GIVEN_KINDS: frozenset[str] = frozenset({"helped"})
# Kinds after which two members have met: the weekly email no longer introduces them.
MET_KINDS: frozenset[str] = frozenset({"contacted", "accepted", "declined", "helped"})
# Kinds that begin something between two members: neither may be a closed member.
OPENING_KINDS: frozenset[str] = frozenset({"shown", "contacted"})
# Kinds that keep a pair apart from then on, in both directions.
SEPARATING_KINDS: frozenset[str] = frozenset({"blocked", "reported"})
# How long a member who said no to another's request (`declined`) is listed after the good
# matches still free, where they would be the one helping that member: a no is not for ever
# (it may have meant "not this month"), but it is not forgotten by the next request.
DECLINE_DAYS = 90
# Which end of an interaction is the seeker: `from` was shown or contacted the helper `to`;
# the helper `from` accepted, declined or helped the seeker `to`. Blocks and reports have none.
SEEKER_END: dict[str, str] = {
    "shown": "from",
    "contacted": "from",
    "accepted": "to",
    "declined": "to",
    "helped": "to",
}


ARTICLE = {"need": "a need", "offer": "an offer"}
# A member as the organiser finds them: active, closed (by themselves or the organiser), erased
# (at their request), or any of these.
MEMBER_STATUSES: tuple[str, ...] = ("active", "closed", "erased", "all")
# The name of an erased member and the text of every post of theirs (`matcher.erase`).
ERASED = "(erased)"


def weekly_email(
    active: bool, consent: bool, email: str | None, unsubscribed_at: datetime | None = None
) -> str:
    """Whether the weekly email reaches a member ("on"), and if not, why ("off: ...")."""
    if not active:
        return "off: not active"
    if not consent:
        return "off: unsubscribed" if unsubscribed_at else "off: no consent"
    if not (email or "").strip():
        return "off: no address"
    if not deliverable(email):
        return "off: address no mail server takes"
    return "on"


def closed_problem(
    member_id: str, active: bool, closed_at: datetime | None, at: datetime
) -> str | None:
    """Why nobody can be shown or contacted by or about a member at time `at` (one of
    OPENING_KINDS), or None: they had closed by then (`closed_at`; None: since a time not
    known, so at any time). What happened before they closed can still be recorded."""
    if active or (closed_at is not None and at < closed_at):
        return None
    # The instant, to the second: a contact refused at 12:00:30 must not read "closed since
    # 12:00" as if it were allowed.
    since = f" since {closed_at:%Y-%m-%d %H:%M:%S} UTC" if closed_at is not None else ""
    return f"member {member_id!r} is closed{since}: nobody can show or contact them from then on"


def post_status(status: str, expires_at: datetime | None, now: datetime) -> str:
    """A post's status as read at `now` (one of POST_STATUSES_SHOWN)."""
    if status == "open" and expires_at is not None and expires_at <= now:
        return "expired"
    return status


def post_problem(
    kind: str,
    side: str,
    post_id: str,
    post_side: str,
    owner: str,
    from_member: str,
    to_member: str,
) -> str | None:
    """Why post `post_id` (a `post_side` of member `owner`) cannot be the `side` an interaction
    is about, or None when it can: it must be a need (an offer), and the seeker's (helper's)."""
    if post_side != side:
        return f"post {post_id!r} is {ARTICLE[post_side]}, not {ARTICLE[side]}"
    seeker_end = SEEKER_END.get(kind)
    if seeker_end is None:
        return None
    wants_seeker = side == "need"
    end = seeker_end if wants_seeker else ("to" if seeker_end == "from" else "from")
    wanted = from_member if end == "from" else to_member
    if owner == wanted:
        return None
    role = "seeker" if wants_seeker else "helper"
    a = "an" if kind[0] in "aeiou" else "a"  # an 'accepted', a 'helped'
    return (
        f"post {post_id!r} belongs to {owner!r}; in {a} {kind!r} interaction the {side} must "
        f"be the {role}'s ({end}_member_id {wanted!r})"
    )


# Limits of what members write, the same for imports and the API.
MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 2000  # a post's text, a bio
MAX_TAGS = 30
MAX_TAG_LENGTH = 50
MAX_TOWN_LENGTH = 100
MAX_COUNTRY_LENGTH = 64
MAX_CONTACT_LENGTH = 300
MAX_EMAIL_LENGTH = 254
# name@domain.tld: the local part of letters, digits and RFC 5322's other "atext" characters
# (and dots), the domain of labels (letters, digits, hyphens) joined by dots. Nothing that a
# mail header reads as something else: no commas, semicolons, angle brackets or quotes.
EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)*\.[\w-]+")
MAX_MATCH_LIMIT = 100  # matches one request or command may ask for


def wire_address(address: str) -> str:
    """The address as SMTP and the To header carry it: an internationalised domain in IDNA
    2008 with UTS 46 (zoe@bücher.de as zoe@xn--bcher-kva.de; straße.de as xn--strae-oqa.de,
    not strasse.de, a different domain, as Python's own IDNA 2003 codec would have it), the
    part before the @ as it is.

    Raises ValueError naming the problem when a mail server could not take it: characters
    other than ASCII before the @ (deliverable only by servers speaking SMTPUTF8, which many
    relays do not, so the import refuses them as Django's validator does), or a domain that
    IDNA cannot write.
    """
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise ValueError(
            f"{address!r} has characters other than ASCII before the @, which most mail "
            "servers cannot deliver to: ask the member for one without them"
        )
    if domain.isascii():
        return address
    try:
        return f"{local}@{idna.encode(domain, uts46=True, transitional=False).decode('ascii')}"
    except idna.IDNAError as exc:
        raise ValueError(f"{address!r}: the domain after the @ is no domain name ({exc})") from exc


def deliverable(address: str | None) -> bool:
    """Whether an address is one the weekly email can be sent to (`wire_address`)."""
    if not (address or "").strip():
        return False
    try:
        wire_address(address.strip())
    except ValueError:
        return False
    return True


# Characters no text may hold (not even a bio): control characters other than tab and line
# breaks, and the bidirectional embeddings and overrides (U+202A-U+202E), which turn around
# the text after them, beyond the value itself where an email or a page shows it in a
# sentence (a name written "\u202eevil" reads "live", and so may the words after it); and
# those a one-line value (an id, a name, a town, a tag, an address) may not hold besides:
# every line separator, which would break an email header or a CSV line. As the contents of a
# regular expression's character class (for the API's schema too).
BIDI_OVERRIDES = r"\u202a-\u202e"
NOT_IN_TEXT = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f" + BIDI_OVERRIDES
NOT_IN_A_LINE = r"\u0000-\u001f\u007f\u0085\u2028\u2029" + BIDI_OVERRIDES
# Nor may any text hold a lone UTF-16 surrogate (which a JSON escape such as "\ud800" can
# make): no encoder can write it, to the store or back to a client. (Not in the schema's
# patterns, whose regular expressions differ between tools on surrogates.)
SURROGATES = r"\ud800-\udfff"
_FORBIDDEN = {
    False: re.compile(f"[{NOT_IN_TEXT}{SURROGATES}]"),
    True: re.compile(f"[{NOT_IN_A_LINE}{SURROGATES}]"),
}


def text_problem(value: str, *, one_line: bool) -> str | None:
    """Why `value` cannot be stored (a control character; a line break in a one-line value),
    or None when it can."""
    found = _FORBIDDEN[one_line].search(value)
    if found is None:
        return None
    char = found.group()
    if one_line and char in "\r\n\x85\u2028\u2029":
        return "holds a line break; it must be one line"
    if "\ud800" <= char <= "\udfff":
        return f"holds a lone surrogate (U+{ord(char):04X}), which is not a character"
    if "\u202a" <= char <= "\u202e":
        return (
            f"holds a bidirectional override (U+{ord(char):04X}), which would turn around the "
            "text after it where it is shown"
        )
    return f"holds a control character (U+{ord(char):04X})"


# The years a time may be in: every date of a community's life, and what pandas can hold.
YEARS = (1900, 2200)


# How far ahead of the service's clock a time of something that happened may be (other
# clocks, time zones) before it is taken for a mistake.
CLOCK_SKEW = timedelta(days=1)


def future_problem(value: datetime, now: datetime) -> str | None:
    """Why a time of something that happened cannot be (later than `now`), or None."""
    if value <= now + CLOCK_SKEW:
        return None
    return f"{value.isoformat()} is in the future (it is {now:%Y-%m-%d %H:%M} UTC now)"


TAG_SEPARATOR = ";"  # between the tags of a CSV cell, so no tag may hold it
ID_FORBIDDEN = "/"  # ids are parts of the API's paths (/v1/members/{id}), so none may hold it
# Nor be a dot-segment: clients and proxies resolve /v1/members/.. to /v1/ (RFC 3986, 5.2.4).
ID_DOT_SEGMENTS = frozenset({".", ".."})


def id_problem(value: str) -> str | None:
    """Why an id cannot be stored (what a one-line text may not hold, '/', which would make
    it a path of two parts in the API, or '.' or '..', which a path resolves away), or None
    when it can."""
    problem = text_problem(value, one_line=True)
    if problem is None and ID_FORBIDDEN in value:
        return f"holds {ID_FORBIDDEN!r}, which the API's paths cannot carry in an id"
    if problem is None and value.strip() in ID_DOT_SEGMENTS:
        return f"is {value.strip()!r}, which the API's paths cannot carry as an id"
    return problem


def tag_problem(tag: str, *, in_list: bool = False) -> str | None:
    """Why a tag cannot be stored (what a one-line text may not hold, or the separator of tags
    in a CSV cell, which would split it on the way back), or None when it can. A tag that is
    an item of a list (`in_list`: the API's JSON, a JSON file's list) and holds a separator
    was meant as several: they go as strings of their own, not joined with ';', which is
    refused there too (the API said "separate tags with ';' (e.g. rock;folk)": a new user)."""
    problem = text_problem(tag, one_line=True)
    separator = next((s for s in (TAG_SEPARATOR, ",") if s in tag), None)
    if problem is None and in_list and separator is not None:
        return f'holds {separator!r}: give each tag as a string of its own (["rock", "folk"])'
    if problem is None and TAG_SEPARATOR in tag:
        return f"holds {TAG_SEPARATOR!r}, which separates tags in a CSV file"
    if problem is None and "," in tag:  # "rock, folk": a spreadsheet's list, not one tag
        return f"holds ',': separate tags with {TAG_SEPARATOR!r} (e.g. rock{TAG_SEPARATOR}folk)"
    return problem


def place_problem(latitude: float | None, longitude: float | None) -> tuple[str, str] | None:
    """Why a member's place cannot be stored (one coordinate without the other), as the field
    at fault and the reason, or None when it can."""
    if (latitude is None) == (longitude is None):
        return None
    given, missing = ("latitude", "longitude") if longitude is None else ("longitude", "latitude")
    return missing, f"empty, but {given} is given: a place needs both, or neither"


def iso_time_text(text: str) -> str:
    """A time as Python's ISO 8601 parser takes it: RFC 3339 (the JSON Schema's "date-time")
    lets its "T" and "Z" be written in lower case, which `datetime.fromisoformat` refuses."""
    text = text.strip()
    if len(text) > 10 and text[10] == "t":
        text = f"{text[:10]}T{text[11:]}"
    return f"{text[:-1]}Z" if text.endswith("z") else text


def time_problem(value: datetime) -> str | None:
    """Why a time cannot be stored (outside `YEARS`), or None when it can."""
    if YEARS[0] <= value.year <= YEARS[1]:
        return None
    return f"year {value.year} is out of range ({YEARS[0]} to {YEARS[1]})"


def fold_tag(tag: object) -> str:
    """A tag (or a town) as compared everywhere: in one Unicode form (NFC: "Montréal" typed on
    a Mac, e and a combining accent, is the "Montréal" of a Windows form), stripped and
    case-folded ("" when empty)."""
    return unicodedata.normalize("NFC", str(tag)).strip().casefold()


# Member kinds that say nobody's role: two members of these are not peers (`pairs.peers`).
NO_KIND: frozenset[str] = frozenset({"", "other"})
