"""Why two members match: reasons as typed data, and plain words for them."""

from __future__ import annotations

import re
from typing import Any

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


def answered_by(answers: dict[str, Any] | None, reasons: list[Reason]) -> str | None:
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
    return f'For your {side}: "{post["quote"]}"'


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


def describe_each(reason_lists: list[list[Reason]]) -> list[list[str]]:
    """The reasons of several people as one email says them: the reader's own need (or
    offer) quoted in full the first time, shortly after that, "as above" (an email quoted
    the reader's own need 3 or 4 times in 159 of a demo's 267: a reviewer)."""
    seen: set[tuple[str, str]] = set()
    said = []
    for reasons in reason_lists:
        said.append([describe(_once(reason, seen)) for reason in worth_saying(reasons)])
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


def _ended(sentence: str) -> str:
    """A sentence with its full stop, unless it ends with a quote that ends one already
    ('properly.".' after every quote that ended in a full stop: a reviewer)."""
    return sentence if sentence.endswith(('."', '!"', '?"', '…"')) else f"{sentence}."


def describe(reason: Reason) -> str:
    """One reason in plain words, as shown in the CLI and the weekly email."""
    kind = reason["type"]
    if kind in ("need_offer", "you_could_help"):
        offer = reason["offer"]
        said = "helped with" if offer.get("helped_before") else "offer"
        # Help given is not quoted (`_offer`; a week chosen before that is, in its words).
        what = f'"{offer["quote"]}"' if offer.get("quote") else "a need like it before"
        again = " (as above)" if reason.get("again") else ""
        if kind == "need_offer":
            return _ended(f'You need "{reason["need"]["quote"]}"{again}; they {said} {what}')
        return _ended(f'They need "{reason["need"]["quote"]}"; you {said} {what}{again}')
    if kind == "they_need":
        return _ended(f'They need "{reason["need"]["quote"]}"')
    if kind == "they_offer":
        offer = reason["offer"]
        said = "helped with" if offer.get("helped_before") else "offer"
        what = f'"{offer["quote"]}"' if offer.get("quote") else "a need before"
        return _ended(f"They {said} {what}")
    if kind == "mutual":
        return "You could help each other."
    if kind == "shared_tags":
        # "You share spare room." read as if they shared a room: the tags are named as tags.
        return "Tags in common: " + ", ".join(reason["tags"]) + "."
    if kind == "same_town":
        return f"You are both in {reason['town']}."
    if kind in ("nearby", "far"):
        where = f" ({reason['town']})" if reason.get("town") else ""
        return f"They are about {reason['km']:,.0f} km away{where}."
    if kind == "helped_others":
        whom = "other member" if reason.get("besides_you") else "member"
        return f"They have helped {counted(reason['count'], whom)} before."
    if kind == "prior_help":
        return "They have helped you before."
    if kind == "busy":
        if reason["capacity"] == 0:
            return "They are not taking requests at the moment (they set no room for any)."
        return (
            f"{counted(reason['count'], 'member')} asked them in the last seven days, and they "
            f"take {reason['capacity']} a week: they may be slow to answer."
        )
    if kind == "declined":
        days = reason.get("days_ago")  # none in a digest's reasons recorded before it was said
        ago = {None: "lately", 0: "less than a day ago"}.get(days) or f"{counted(days, 'day')} ago"
        if reason["by"] == "them":
            return f"They said no to a request of yours {ago}."
        return f"You said no to a request of theirs {ago}."
    if kind == "mutual_connections":
        return f"You have {counted(reason['count'], 'connection')} in common."
    return kind.replace("_", " ")
