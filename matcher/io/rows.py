"""An import's rows parsed: the parser of each column of each entity (the rules live writes
check fields by too), and each entity's records with where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from matcher.domain import (
    INTERACTION_KINDS,
    MAX_CONTACT_LENGTH,
    MAX_COUNTRY_LENGTH,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_TEXT_LENGTH,
    MAX_TOWN_LENGTH,
    MEMBER_KINDS,
    POST_STATUSES,
    SIDES,
)
from matcher.errors import RowProblem
from matcher.io import parse
from matcher.io.parse import Bad, Parser
from matcher.io.schema import ABSENT, COLUMNS, ENTITIES, FILE, REQUIRED, ROW


def _tag_list(value: Any) -> Any:
    out = parse.tags(value)
    if isinstance(out, list) and len(out) > MAX_TAGS:
        return Bad(f"more than {MAX_TAGS} tags ({len(out)})")
    long = [t for t in out or () if len(t) > MAX_TAG_LENGTH] if isinstance(out, list) else []
    if long:
        return Bad(f"a tag is longer than {MAX_TAG_LENGTH} characters ({len(long[0])})")
    return out


_ID = parse.identifier(MAX_ID_LENGTH)


PARSERS: dict[str, dict[str, Parser]] = {
    "members": {
        "id": _ID,
        "name": parse.texts(MAX_NAME_LENGTH),
        "kind": parse.choice(MEMBER_KINDS),
        "town": parse.texts(MAX_TOWN_LENGTH),
        "country": parse.texts(MAX_COUNTRY_LENGTH),
        "latitude": parse.number(-90, 90),
        "longitude": parse.number(-180, 180),
        "tags": _tag_list,
        "bio": parse.texts(MAX_TEXT_LENGTH, one_line=False),
        "email": parse.email,
        "email_consent": parse.boolean,
        "contact": parse.texts(MAX_CONTACT_LENGTH),
        "share_contact": parse.boolean,
        "capacity": parse.count,
        "active": parse.boolean,
        "joined_at": parse.timestamp,
        "last_active_at": parse.timestamp,
        "unsubscribed_at": parse.timestamp,
        "erased_at": parse.timestamp,
    },
    "posts": {
        "id": _ID,
        "member_id": _ID,
        "side": parse.choice(SIDES),
        "text": parse.texts(MAX_TEXT_LENGTH, one_line=False),
        "tags": _tag_list,
        "status": parse.choice(POST_STATUSES),
        "created_at": parse.timestamp,
        "expires_at": parse.timestamp,
    },
    "interactions": {
        "id": _ID,
        "kind": parse.choice(INTERACTION_KINDS),
        "from_member_id": _ID,
        "to_member_id": _ID,
        "need_id": _ID,
        "offer_id": _ID,
        "occurred_at": parse.timestamp,
    },
}

assert all(tuple(PARSERS[e]) == COLUMNS[e] for e in ENTITIES)


@dataclass
class Rows:
    """The parsed rows of one entity (file column names, typed values, None when empty)."""

    records: list[dict[str, Any]] = field(default_factory=list)
    origins: list[tuple[str, int]] = field(default_factory=list)  # (file, row) of each record
    # The columns the file of each record left out (not given: the stored values stay).
    absent: list[frozenset[str]] = field(default_factory=list)


def parse_rows(
    entity: str,
    frame: pd.DataFrame,
    columns_of: dict[str, frozenset[str]],
    whole_file: set[tuple[str, str]],
    problems: list[RowProblem],
) -> Rows:
    """The rows of `entity` parsed; the problems of their cells go to `problems` (not an
    empty required cell of a column its whole file lacks: `whole_file`, said once)."""
    n = len(frame)
    files = frame[FILE].tolist() if FILE in frame.columns else [entity] * n
    numbers = [int(r) for r in frame[ROW]] if ROW in frame.columns else range(1, n + 1)
    own = frozenset(str(c) for c in frame.columns)
    left_out = {f: frozenset(COLUMNS[entity]) - columns_of.get(f, own) for f in set(files)}
    per_record = frame[ABSENT].tolist() if ABSENT in frame.columns else [None] * n
    out = Rows(
        [{} for _ in range(n)],
        list(zip(files, numbers, strict=True)),
        [
            left_out[f] | (keys if isinstance(keys, frozenset) else frozenset())
            for f, keys in zip(files, per_record, strict=True)
        ],
    )
    found: dict[int, list[RowProblem]] = {}
    for column, parser in PARSERS[entity].items():
        values = frame[column].tolist() if column in frame.columns else [None] * n
        required = column in REQUIRED[entity]
        for i, value in enumerate(values):
            parsed = parser(value)
            if isinstance(parsed, Bad):
                found.setdefault(i, []).append(RowProblem(files[i], numbers[i], column, parsed))
                parsed = None
            elif parsed is None and required and (files[i], column) not in whole_file:
                reason = "missing id" if column == "id" else "required but empty"
                found.setdefault(i, []).append(RowProblem(files[i], numbers[i], column, reason))
            out.records[i][column] = parsed
    for i in sorted(found):
        problems.extend(found[i])
    return out
