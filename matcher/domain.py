"""The words of the domain: member kinds, post sides, interaction kinds."""

from __future__ import annotations

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

INTERACTION_KINDS: tuple[str, ...] = (
    "shown",
    "contacted",
    "accepted",
    "declined",
    "helped",
    "reported",
    "blocked",
)

# Outcomes that say "this person helped" (the ranker's positives) and "did not" (negatives).
POSITIVE_KINDS: frozenset[str] = frozenset({"accepted", "helped"})
NEGATIVE_KINDS: frozenset[str] = frozenset({"declined", "reported", "blocked"})
# Kinds that keep a pair apart from then on, in both directions.
SEPARATING_KINDS: frozenset[str] = frozenset({"blocked", "reported"})
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
    return (
        f"post {post_id!r} belongs to {owner!r}; in a {kind!r} interaction the {side} must "
        f"be the {role}'s ({end}_member_id {wanted!r})"
    )


MAX_TEXT_LENGTH = 2000
MAX_NAME_LENGTH = 200
MAX_TAGS = 30
MAX_MATCH_LIMIT = 100  # matches one request or command may ask for


def fold_tag(tag: object) -> str:
    """A tag (or a town) as compared everywhere: stripped and case-folded ("" when empty)."""
    return str(tag).strip().casefold()
