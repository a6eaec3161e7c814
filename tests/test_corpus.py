"""The texts the engine matches: open posts and the needs members helped with."""

from __future__ import annotations

import pandas as pd

from matcher.build import help_graph
from matcher.corpus import HELPED, match_items
from matcher.snapshot import Community
from tests.test_features import INTERACTIONS, community, day


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


def test_a_request_only_accepted_is_not_quoted_or_counted_as_help_given():
    # Member 5 accepted 1's request about need 13 and never helped: "they helped with ..." and
    # "has helped 1 member" would be untrue (the ranker still learns from the acceptance).
    c = community(interactions=[*INTERACTIONS, (106, "accepted", 5, 1, 13, None, 9)])
    assert helped_rows(c) == {(2, 13), (3, 14), (1, 16)}
    member_row = pd.Series(range(len(c.members)), index=c.members.index)
    graph = help_graph(c, member_row, day(20))
    assert graph[member_row[5], member_row[1]] == 0
    assert graph[member_row[2], member_row[1]] == 1  # 2 helped 1
