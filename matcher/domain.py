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

MAX_TEXT_LENGTH = 2000
MAX_NAME_LENGTH = 200
MAX_TAGS = 30
MAX_MATCH_LIMIT = 100  # matches one request or command may ask for


def fold_tag(tag: object) -> str:
    """A tag (or a town) as compared everywhere: stripped and case-folded ("" when empty)."""
    return str(tag).strip().casefold()
