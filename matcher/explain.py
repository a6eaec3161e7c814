"""Why two members match: reasons as typed data, and plain words for them."""

from __future__ import annotations

import re
from typing import Any

from matcher.digest.language import ENGLISH, N_, Language

Reason = dict[str, Any]

QUOTE_LENGTH = 90


# A greeting that opens a post ("Evening all,", "Hey hey!!", "Dear community,", "PSA:"), said
# to the whole community, not to the one reading a quote of it.
GREETING = re.compile(
    r"^(?:(?:hi+|hey+|hello|hiya|heya|yo|howdy|howya|morning|evening|afternoon"
    r"|good (?:morning|afternoon|evening)|dear|ok(?:ay)? so|so+|right then|quick one"
    r"|long shot|omg|psa|well)"
    r"(?: (?:all|everyone|everybody|folks|guys|friends|lads|people|y'?all|there|community"
    r"|hey+))?(?:[ ]*[,!.:;]+|[ ]+[-–—]+)[ ]*)+",
    re.IGNORECASE,
)


def quote(text: str, limit: int = QUOTE_LENGTH) -> str:
    """A short quote of `text`: whole words, with an ellipsis when cut, without the greeting
    it opens with (a quote of 90 characters spent a dozen on "Evening all," and was cut
    before its point: a reviewer of the weekly emails)."""
    text = " ".join(str(text).split())
    rest = GREETING.sub("", text, count=1)
    if rest != text and len(rest) >= 3:
        text = rest[0].upper() + rest[1:]
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:-")
    return f"{cut}…"


def need_met_by_offer(
    need_id: str | None,
    need_text: str,
    offer_id: str,
    offer_text: str,
    side: str,
    similarity: float,
) -> Reason:
    """Their offer (or help they gave before) meets your need."""
    return {
        "type": "need_offer",
        "need": _need(need_id, need_text),
        "offer": _offer(offer_id, offer_text, side),
        "similarity": round(float(similarity), 3),
    }


def _need(need_id: str | None, need_text: str) -> dict[str, Any]:
    """A need as quoted: its id (None for a typed need, no stored post) and a short quote of
    its words."""
    return {"id": need_id, "quote": quote(need_text)}


def _offer(offer_id: str, offer_text: str, side: str) -> dict[str, Any]:
    """An offer as quoted; help given before (`side` "helped") without its words or id: the
    need it met is another member's, who asked for help, not to be quoted to others (a
    still open request, word for word, says who asked; its id, whose it was)."""
    if side == "helped":
        return {"id": None, "quote": "", "helped_before": True}
    return {"id": offer_id, "quote": quote(offer_text), "helped_before": False}


def you_could_help(
    need_id: str | None,
    need_text: str,
    offer_id: str,
    offer_text: str,
    side: str,
    similarity: float,
) -> Reason:
    """Your offer (or help you gave before) meets their need."""
    reason = need_met_by_offer(need_id, need_text, offer_id, offer_text, side, similarity)
    return {**reason, "type": "you_could_help"}


def they_need(need_id: str, need_text: str) -> Reason:
    """What they need, claiming no fit: in a mutual match whose texts are not alike enough to
    quote your offer as meeting it, or in any match with no fit to quote; for you to judge."""
    return {"type": "they_need", "need": _need(need_id, need_text)}


def they_offer(offer_id: str, offer_text: str, side: str) -> Reason:
    """What they offer, claiming no fit: in a mutual match whose texts are not alike enough to
    quote it as meeting your need, or in any match with no fit to quote; for you to judge."""
    return {"type": "they_offer", "offer": _offer(offer_id, offer_text, side)}


def answers_post(side: str, post_id: str | None, text: str, item_side: str = "") -> dict[str, Any]:
    """The seeker's post a match answers, whose turn it took in their list (`listing_order`):
    `{"need": quote}` where they could be helped, `{"offer": quote}` where they could help."""
    if side == "need":
        return {"need": _need(post_id, text)}
    return {"offer": _offer(post_id, text, item_side)}


def answered_by(
    answers: dict[str, Any] | None, reasons: list[Reason], lang: Language = ENGLISH
) -> str | None:
    """Which of the reader's posts a match is for, in words ('For your need: "..."'), where
    the reasons do not say it already: None when the first of them quotes that same post
    (its "You need ..." or "you offer ..."), when the post has no words to quote (help given
    before), or when nothing was recorded (a week chosen before matches said it). Said "They
    offer 'Lead guitar...'" alone, a match left the reader to guess which need it was for."""
    if not answers:
        return None
    side, post = next(iter(answers.items()))
    if not isinstance(post, dict) or not post.get("quote"):
        return None
    said = worth_saying(reasons)
    first = said[0] if said else {}
    own = {"need_offer": "need", "you_could_help": "offer"}.get(first.get("type", ""))
    if own == side and _same_post(first.get(side) or {}, post):
        return None
    said = N_('For your need: "%(quote)s"') if side == "need" else N_('For your offer: "%(quote)s"')
    return lang.gettext(said) % {"quote": post["quote"]}


def _same_post(quoted: dict[str, Any], post: dict[str, Any]) -> bool:
    if quoted.get("id") and post.get("id"):
        return quoted["id"] == post["id"]
    return quoted.get("quote") == post.get("quote")


def mutual() -> Reason:
    """You could help each other."""
    return {"type": "mutual"}


def shared_tags(tags: list[str]) -> Reason:
    """Tags (genres, instruments, skills) you have in common."""
    return {"type": "shared_tags", "tags": sorted(tags)}


def same_town(town: str) -> Reason:
    """You are in the same town."""
    return {"type": "same_town", "town": town}


def nearby(km: float, town: str | None) -> Reason:
    """They are not far away."""
    return _distance("nearby", km, town)


def far(km: float, town: str | None) -> Reason:
    """How far away they are, where that is farther than nearby: no reason for the match,
    but what a member should know of it (work done in person may not travel so far)."""
    return _distance("far", km, town)


def _distance(kind: str, km: float, town: str | None) -> Reason:
    return {"type": kind, "km": round(float(km), 1), "town": town}


def helped_others(count: int, besides_you: bool = False) -> Reason:
    """They have helped other members before (`besides_you`: as well as you)."""
    reason: Reason = {"type": "helped_others", "count": int(count)}
    if besides_you:
        reason["besides_you"] = True
    return reason


def prior_help(count: int) -> Reason:
    """They have helped you before."""
    return {"type": "prior_help", "count": int(count)}


def mutual_connections(count: int) -> Reason:
    """Members you have both worked with."""
    return {"type": "mutual_connections", "count": int(count)}


def busy(asked: int, capacity: int) -> Reason:
    """Asked for help lately by as many members as they take a week (so listed after others)."""
    return {"type": "busy", "count": int(asked), "capacity": int(capacity)}


def declined(*, by_them: bool, days_ago: int) -> Reason:
    """Whoever would help (them, or the member) said no to the other's request `days_ago`
    whole days ago (0: less than a day), within the last DECLINE_DAYS (so listed after
    others)."""
    return {"type": "declined", "by": "them" if by_them else "you", "days_ago": int(days_ago)}


def counted(n: int, noun: str) -> str:
    """ "1 member", "2 members": a count and its noun, in the singular for one."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


REPEAT_LENGTH = 32  # a reader's own need or offer quoted again in one email


def worth_saying(reasons: list[Reason]) -> list[Reason]:
    """The reasons to put in words: a `they_offer` of help given (no quote, claiming no fit)
    is left out beside `helped_others` or `prior_help`, which say the same thing with the
    count ("They helped with a need before." above "They have helped 2 members before." in
    134 of a 2,000-member demo's 4,866 weekly suggestions: a new user). The data keeps it."""
    told = any(r["type"] in ("helped_others", "prior_help") for r in reasons)
    return [
        r
        for r in reasons
        if not (told and r["type"] == "they_offer" and not r["offer"].get("quote"))
    ]


def describe_each(reason_lists: list[list[Reason]], lang: Language = ENGLISH) -> list[list[str]]:
    """The reasons of several people as one email says them: the reader's own need (or
    offer) quoted in full the first time, shortly after that, "as above" (an email quoted
    the reader's own need 3 or 4 times in 159 of a demo's 267: a reviewer)."""
    seen: set[tuple[str, str]] = set()
    said = []
    for reasons in reason_lists:
        said.append([describe(_once(reason, seen), lang) for reason in worth_saying(reasons)])
    return said


def _once(reason: Reason, seen: set[tuple[str, str]]) -> Reason:
    """A reason whose quote of the reader's own text, if already shown, is made short."""
    side = {"need_offer": "need", "you_could_help": "offer"}.get(reason["type"])
    own = reason.get(side) if side else None
    if not own or not own.get("quote"):  # help given is not quoted (`_offer`)
        return reason
    key = (side, own.get("id") or own["quote"])
    if key not in seen:
        seen.add(key)
        return reason
    return {**reason, side: {**own, "quote": quote(own["quote"], REPEAT_LENGTH)}, "again": True}


# A quote's own full stop, in the quote marks of the languages the email is written in.
_QUOTE_ENDS = tuple(f"{stop}{close}" for stop in ".!?…" for close in ('"', "\u00a0»", "\u202f»"))


def _ended(sentence: str) -> str:
    """A sentence with its full stop, unless it ends with a quote that ends one already
    ('properly.".' after every quote that ended in a full stop: a reviewer)."""
    return sentence if sentence.endswith(_QUOTE_ENDS) else f"{sentence}."


# A need met by an offer, by (type, help given before, quoted): whole sentences, to translate.
PAIRS = {
    ("need_offer", False, True): N_('You need "%(need)s"%(again)s; they offer "%(offer)s"'),
    ("need_offer", True, True): N_('You need "%(need)s"%(again)s; they helped with "%(offer)s"'),
    ("need_offer", True, False): N_(
        'You need "%(need)s"%(again)s; they helped with a need like it before'
    ),
    ("need_offer", False, False): N_(
        'You need "%(need)s"%(again)s; they offer a need like it before'
    ),
    ("you_could_help", False, True): N_('They need "%(need)s"; you offer "%(offer)s"%(again)s'),
    ("you_could_help", True, True): N_(
        'They need "%(need)s"; you helped with "%(offer)s"%(again)s'
    ),
    ("you_could_help", True, False): N_(
        'They need "%(need)s"; you helped with a need like it before%(again)s'
    ),
    ("you_could_help", False, False): N_(
        'They need "%(need)s"; you offer a need like it before%(again)s'
    ),
    ("they_offer", False, True): N_('They offer "%(offer)s"'),
    ("they_offer", True, True): N_('They helped with "%(offer)s"'),
    ("they_offer", True, False): N_("They helped with a need before"),
    ("they_offer", False, False): N_("They offer a need before"),
}


def describe(reason: Reason, lang: Language = ENGLISH) -> str:
    """One reason in plain words, as shown in the CLI and the weekly email (in its `lang`)."""
    _, ngettext = lang.gettext, lang.ngettext
    kind = reason["type"]
    if kind in ("need_offer", "you_could_help", "they_offer"):
        offer = reason["offer"]
        # Help given is not quoted (`_offer`; a week chosen before that is, in its words).
        key = (kind, bool(offer.get("helped_before")), bool(offer.get("quote")))
        again = _(" (as above)") if reason.get("again") else ""
        need = reason.get("need", {}).get("quote")
        return _ended(_(PAIRS[key]) % {"need": need, "offer": offer.get("quote"), "again": again})
    if kind == "they_need":
        return _ended(_('They need "%(need)s"') % {"need": reason["need"]["quote"]})
    if kind == "mutual":
        return _("You could help each other.")
    if kind == "shared_tags":
        # "You share spare room." read as if they shared a room: the tags are named as tags.
        return _("Tags in common: %(tags)s.") % {"tags": ", ".join(reason["tags"])}
    if kind == "same_town":
        return _("You are both in %(town)s.") % {"town": reason["town"]}
    if kind in ("nearby", "far"):
        km = lang.whole(reason["km"])
        if reason.get("town"):
            return _("They are about %(km)s km away (%(town)s).") % {
                "km": km,
                "town": reason["town"],
            }
        return _("They are about %(km)s km away.") % {"km": km}
    n = reason.get("count")
    if kind == "helped_others" and reason.get("besides_you"):
        return ngettext(
            "They have helped %(num)d other member before.",
            "They have helped %(num)d other members before.",
            n,
        ) % {"num": n}
    if kind == "helped_others":
        return ngettext(
            "They have helped %(num)d member before.", "They have helped %(num)d members before.", n
        ) % {"num": n}
    if kind == "prior_help":
        return _("They have helped you before.")
    if kind == "busy":
        if reason["capacity"] == 0:
            return _("They are not taking requests at the moment (they set no room for any).")
        return ngettext(
            "%(num)d member asked them in the last seven days, and they take %(capacity)d a "
            "week: they may be slow to answer.",
            "%(num)d members asked them in the last seven days, and they take %(capacity)d a "
            "week: they may be slow to answer.",
            n,
        ) % {"num": n, "capacity": reason["capacity"]}
    if kind == "declined":
        return _declined(reason, lang)
    if kind == "mutual_connections":
        return ngettext(
            "You have %(num)d connection in common.", "You have %(num)d connections in common.", n
        ) % {"num": n}
    return kind.replace("_", " ")


def _declined(reason: Reason, lang: Language) -> str:
    days = reason.get("days_ago")  # none in a digest's reasons recorded before it was said
    if days is None:
        ago = lang.gettext("lately")
    elif days == 0:
        ago = lang.gettext("less than a day ago")
    else:
        ago = lang.ngettext("%(num)d day ago", "%(num)d days ago", days) % {"num": days}
    if reason["by"] == "them":
        return lang.gettext("They said no to a request of yours %(ago)s.") % {"ago": ago}
    return lang.gettext("You said no to a request of theirs %(ago)s.") % {"ago": ago}
