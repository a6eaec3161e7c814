"""The texts the engine matches: open posts and the needs members helped with."""

from __future__ import annotations

from matcher.corpus import HELPED, match_items
from matcher.snapshot import Community
from tests.test_features import community, day


def helped_rows(c: Community) -> set[tuple[int, int]]:
    items = match_items(c, day(20))
    rows = items[items["side"] == HELPED]
    return set(zip(rows["member_id"], rows["post_id"], strict=True))


def test_a_need_someone_helped_with_is_their_evidence_while_its_writer_is_active():
    # tests/test_features: 2 helped with 1's need 13, 3 with 4's need 14, 1 with 3's need 16.
    c = community()
    assert helped_rows(c) == {(2, 13), (3, 14), (1, 16)}
    # 4 closed their membership: their need is quoted to nobody as "they helped with ...".
    members = c.members.copy()
    members.loc[4, "active"] = False
    closed = Community(members, c.posts, c.interactions)
    assert helped_rows(closed) == {(2, 13), (1, 16)}
