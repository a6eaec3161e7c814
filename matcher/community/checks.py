"""What the community's live writes share: fields checked as an import checks them, rows
found by their external ids, and pages counted."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from matcher.errors import InvalidInput, NotFound
from matcher.io.parse import Bad
from matcher.io.rows import PARSERS
from matcher.io.schema import COLUMNS
from matcher.store import Interaction, Member, Post, retired_ids

Clock = Callable[[], datetime]
Row = TypeVar("Row", Member, Post, Interaction)
# What a member may change of themselves: the import columns but the id and bookkeeping.
BOOKKEEPING = ("id", "active", "joined_at", "last_active_at", "unsubscribed_at", "erased_at")
MEMBER_FIELDS = tuple(c for c in COLUMNS["members"] if c not in BOOKKEEPING)


UNCHANGED = object()  # a field left out of an edit: what is stored stays


def check_field(entity: str, name: str, value: Any, field: str | None = None) -> Any:
    """One field (`name`, or called `field` here) checked by the same rules as an import's;
    InvalidInput names what is wrong."""
    field = field or name
    parsed = PARSERS[entity][name](value)
    if isinstance(parsed, Bad):
        raise InvalidInput(f"{field}: {parsed}", field=field)
    return parsed


def check_member_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The member fields, checked and normalised; raises InvalidInput naming a bad one."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}", field=min(unknown))
    out = {name: check_field("members", name, value) for name, value in fields.items()}
    for required in ("name", "kind", "capacity", "email_consent", "share_contact"):
        if required in out and out[required] is None:
            raise InvalidInput(f"{required} cannot be empty", field=required)
    if "tags" in out:
        out["tags"] = check_tags(out["tags"])
    return out


def check_tags(tags: Iterable[str] | None) -> list[str]:
    """Tags stripped, lower-cased, de-duplicated, at most MAX_TAGS."""
    checked = check_field("members", "tags", list(tags or []))
    return list(dict.fromkeys(t.lower() for t in checked or []))


def check_id(value: str, field: str = "id") -> str:
    """An id (given or referred to), stripped and checked as an import checks ids."""
    parsed = check_field("members", "id", value, field)
    if not parsed:
        raise InvalidInput(f"{field} is empty", field=field)
    return str(parsed)


def check_text(text: str | None) -> str:
    """A post's text, stripped; raises when empty or too long."""
    text = check_field("posts", "text", text)
    if not text:
        raise InvalidInput("text is empty", field="text")
    return text


def get_member(
    session: Session, external_id: str, field: str | None = None, *, if_erased: str = ""
) -> Member:
    """The member with this external id, or NotFound (naming `field`, the input that gave
    the id), saying `if_erased` when given and the id was a member's erased at their request
    (their id is retired: "no member" would read as a mistaken id)."""
    try:
        return _by_external_id(session, Member, "member", external_id, field)
    except NotFound:
        if if_erased and retired_ids(session, [external_id.strip()]):
            raise NotFound(if_erased, field) from None
        raise


def get_post(session: Session, external_id: str, field: str | None = None) -> Post:
    """The post with this external id, or NotFound (naming `field`)."""
    return _by_external_id(session, Post, "post", external_id, field)


def get_interaction(session: Session, external_id: str, field: str | None = None) -> Interaction:
    """The interaction with this external id, or NotFound (naming `field`)."""
    return _by_external_id(session, Interaction, "interaction", external_id, field)


def _by_external_id(
    session: Session, model: type[Row], what: str, external_id: str, field: str | None = None
) -> Row:
    external_id = external_id.strip()  # as ids are stored: stripped, as imports strip them
    row = session.scalar(select(model).where(model.external_id == external_id))
    if row is None:
        raise NotFound(f"no {what} {external_id!r}", field)
    return row


def count_rows(session: Session, query: Select[Any]) -> int:
    """How many rows `query` selects (the `total` of a page of them)."""
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def newest_first(
    session: Session,
    query: Select[Any],
    when: InstrumentedAttribute[datetime],
    *,
    after: Post | Interaction | None,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """A page of the rows `query` selects, newest first by `when` (the same time: the last
    stored first), beginning with those older than `after` when given (a row written between
    two pages then moves none of the next page's onto it), and how many rows there are in all."""
    model = when.class_
    total = count_rows(session, query)
    if after is not None:
        mark = getattr(after, when.key)
        query = query.where(or_(when < mark, and_(when == mark, model.id < after.id)))
    ordered = query.order_by(when.desc(), model.id.desc())
    return list(session.scalars(ordered.limit(limit).offset(offset))), total
