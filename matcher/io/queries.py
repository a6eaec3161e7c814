"""Queries reading stored rows by their external ids, in the file format where asked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from matcher.io.schema import COLUMNS
from matcher.store import Interaction, Member, Post, in_batches

CHUNK = 500  # ids per IN (...) query


def file_rows(entity: str) -> tuple[Select[Any], Any]:
    """A query of (store id, *file columns) of `entity`, and its external id column."""
    if entity == "members":
        columns = (getattr(Member, c) for c in COLUMNS["members"][1:])
        return select(Member.id, Member.external_id, *columns), Member.external_id
    if entity == "posts":
        owner = aliased(Member)
        columns = (getattr(Post, c) for c in COLUMNS["posts"][2:])
        query = select(Post.id, Post.external_id, owner.external_id, *columns).join(
            owner, Post.member_id == owner.id
        )
        return query, Post.external_id
    giver, taker = aliased(Member), aliased(Member)
    need, offer = aliased(Post), aliased(Post)
    query = (
        select(
            Interaction.id,
            Interaction.external_id,
            Interaction.kind,
            giver.external_id,
            taker.external_id,
            need.external_id,
            offer.external_id,
            Interaction.occurred_at,
        )
        .join(giver, Interaction.from_member_id == giver.id)
        .join(taker, Interaction.to_member_id == taker.id)
        .outerjoin(need, Interaction.need_post_id == need.id)
        .outerjoin(offer, Interaction.offer_post_id == offer.id)
    )
    return query, Interaction.external_id


def stored_rows(session: Session, entity: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of `entity` with these (external) ids, in the file format, plus their
    store id ("pk")."""
    query, key = file_rows(entity)
    names = ("pk", *COLUMNS[entity])
    out: dict[str, dict[str, Any]] = {}
    for values in by_external_ids(session, query, ids, key):
        row = dict(zip(names, values, strict=True))
        out[row["id"]] = row
    return out


def by_external_ids(session: Session, query: Any, wanted: set[str], key: Any = None) -> list[Any]:
    """The rows of `query` for the external ids in `wanted`, `key` (by default the query's
    first column) being the external id."""
    key = query.selected_columns[0] if key is None else key
    out: list[Any] = []
    for part in in_batches(sorted(wanted), CHUNK):
        out.extend(tuple(r) for r in session.execute(query.where(key.in_(part))))
    return out


def stored_places(session: Session, ids: set[str]) -> dict[str, tuple[float | None, float | None]]:
    """The stored latitude and longitude of these members."""
    query = select(Member.external_id, Member.latitude, Member.longitude)
    return (
        {key: (lat, lon) for key, lat, lon in by_external_ids(session, query, ids)} if ids else {}
    )
