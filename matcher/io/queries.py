"""Queries reading stored rows in the file format: external ids in place of store ids."""

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
    for part in in_batches(sorted(ids), CHUNK):
        for values in session.execute(query.where(key.in_(part))):
            row = dict(zip(names, values, strict=True))
            out[row["id"]] = row
    return out
