"""Why two members match: reasons as typed data (in words: `matcher.wording`)."""

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
