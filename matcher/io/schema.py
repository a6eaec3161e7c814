"""The import file formats: which columns each entity has, which are required, and their types."""

from __future__ import annotations

from pathlib import Path

ENTITIES: tuple[str, ...] = ("members", "posts", "interactions")
FORMATS: tuple[str, ...] = ("csv", "json", "jsonl")

COLUMNS: dict[str, tuple[str, ...]] = {
    "members": (
        "id",
        "name",
        "kind",
        "town",
        "country",
        "latitude",
        "longitude",
        "tags",
        "bio",
        "email",
        "email_consent",
        "contact",
        "share_contact",
        "capacity",
        "active",
        "joined_at",
        "last_active_at",
        # Set by the member (the email's link) and by `matcher erase`; kept by an export so
        # that a store moved elsewhere keeps them: an import sets them, never clears them.
        "unsubscribed_at",
        "erased_at",
    ),
    "posts": ("id", "member_id", "side", "text", "tags", "status", "created_at", "expires_at"),
    "interactions": (
        "id",
        "kind",
        "from_member_id",
        "to_member_id",
        "need_id",
        "offer_id",
        "occurred_at",
    ),
}

REQUIRED: dict[str, frozenset[str]] = {
    "members": frozenset({"id", "name", "kind"}),
    "posts": frozenset({"id", "member_id", "side", "text"}),
    "interactions": frozenset({"id", "kind", "from_member_id", "to_member_id", "occurred_at"}),
}

# Columns whose empty value means "the default" (for a new row) or "keep" (for a stored row).
DEFAULTED: dict[str, frozenset[str]] = {
    "members": frozenset(
        {
            "email_consent",
            "share_contact",
            "capacity",
            "active",
            "joined_at",
            "unsubscribed_at",
            "erased_at",
        }
    ),
    "posts": frozenset({"status", "created_at"}),
    "interactions": frozenset(),
}

TIME_COLUMNS = frozenset(
    {
        "joined_at",
        "last_active_at",
        "unsubscribed_at",
        "erased_at",
        "created_at",
        "expires_at",
        "occurred_at",
    }
)
# Times of what has happened: not later than the import (but for `domain.CLOCK_SKEW`).
HAPPENED: dict[str, tuple[str, ...]] = {
    "members": ("joined_at", "last_active_at", "unsubscribed_at", "erased_at"),
    "posts": ("created_at",),
    "interactions": ("occurred_at",),
}

# Where a file column lives in the store, when the name differs.
STORE_NAMES: dict[str, dict[str, str]] = {
    "members": {"id": "external_id"},
    "posts": {"id": "external_id"},
    "interactions": {"id": "external_id", "need_id": "need_post_id", "offer_id": "offer_post_id"},
}

# Provenance columns `read_files` adds to each frame: the source file and 1-based row.
FILE, ROW = "_file", "_row"
# JSON records: the keys of the file that a record leaves out (a set; not given, so kept).
ABSENT = "_absent"


def entity_of(path: Path) -> str | None:
    """The entity a file holds, from its name (`members*.csv` ...), or None."""
    name = path.name.lower()
    fmt = format_of(path)
    if fmt is None:
        return None
    return next((e for e in ENTITIES if name.startswith(e)), None)


def format_of(path: Path) -> str | None:
    """The file format from the name's extension (csv, json or jsonl), or None."""
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None
