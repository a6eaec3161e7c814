"""Reasons in words, as the CLI and the weekly email say them, in the email's language."""

from __future__ import annotations

from typing import Any

from matcher.explain import Reason, quote
from matcher.translation import ENGLISH, N_, Language


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


def describe_each(
    reason_lists: list[list[Reason]], lang: Language = ENGLISH, miles: bool = False
) -> list[list[str]]:
    """The reasons of several people as one email says them: the reader's own need (or
    offer) quoted in full the first time, shortly after that, "as above" (an email quoted
    the reader's own need 3 or 4 times in 159 of a demo's 267: a reviewer)."""
    seen: set[tuple[str, str]] = set()
    said = []
    for reasons in reason_lists:
        said.append(
            [describe(_once(reason, seen), lang, miles) for reason in worth_saying(reasons)]
        )
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


KM_A_MILE = 1.609344


def distance_words(km: float, lang: Language = ENGLISH, miles: bool = False) -> str:
    """A distance as its reader reads it: "about 8 miles" to a reader of miles
    (`geo.reads_miles`), "about 13 km" to others; "less than a mile" ("less than 1 km")
    rather than "about 0" (0.5 rounds to 0: half to even, as Babel does)."""
    if miles:
        n = round(km / KM_A_MILE)
        if n < 1:
            return lang.gettext("less than a mile")
        return lang.ngettext("about %(num)s mile", "about %(num)s miles", n) % {
            "num": lang.whole(n)
        }
    if round(km) < 1:
        return lang.gettext("less than 1 km")
    return lang.gettext("about %(num)s km") % {"num": lang.whole(km)}


def describe(reason: Reason, lang: Language = ENGLISH, miles: bool = False) -> str:
    """One reason in plain words, as shown in the CLI and the weekly email (in its `lang`,
    distances in miles when `miles`)."""
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
        distance = distance_words(reason["km"], lang, miles)
        if reason.get("town"):
            return _("They are %(distance)s away (%(town)s).") % {
                "distance": distance,
                "town": reason["town"],
            }
        return _("They are %(distance)s away.") % {"distance": distance}
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
