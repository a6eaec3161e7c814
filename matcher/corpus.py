"""The texts the engine matches: open needs, open offers, and what members helped with before."""

from __future__ import annotations

import pandas as pd

from matcher.domain import HELP_GIVEN_KINDS, NEED, OFFER
from matcher.snapshot import Community

HELPED = "helped"  # a corpus row standing for help a member gave: the text of the need they met
ITEM_COLUMNS = (
    "post_id",
    "external_id",
    "member_id",
    "side",
    "text",
    "tags",
    "created_at",
    "expires_at",
)


def match_items(community: Community, at: pd.Timestamp) -> pd.DataFrame:
    """One row per text to match: open needs and offers, plus each member's help history.

    A help-history row (side `helped`) stands for "this member helped with this need before",
    so past help counts as an offer beside the member's offer posts.
    """
    posts = community.open_posts(at)
    items = posts.reset_index(names="post_id")[list(ITEM_COLUMNS)]
    helped = help_history(community, at)
    out = pd.concat([items, helped], ignore_index=True)
    order = out["side"].map({NEED: 0, OFFER: 1, HELPED: 2})
    return (
        out.assign(_order=order)
        .sort_values(["_order", "member_id", "post_id"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def help_history(community: Community, at: pd.Timestamp) -> pd.DataFrame:
    """Needs that active members helped with, one row per helper and need. Only `helped`: a
    request accepted may have come to nothing, and these rows are quoted as help given.

    Only needs of members still active: a row's text is quoted in the reasons others see
    ("they helped with ..."), and a member who closed their membership is no longer quoted.
    """
    events = community.interactions
    events = events[
        events["kind"].isin(sorted(HELP_GIVEN_KINDS))
        & events["need_post_id"].notna()
        & (events["occurred_at"] <= at)
    ]
    active = community.members.index[community.members["active"].astype(bool)]
    writer = community.posts["member_id"].reindex(events["need_post_id"].astype(int)).to_numpy()
    events = events[
        events["from_member_id"].isin(active) & pd.Series(writer).isin(active).to_numpy()
    ]
    events = events.sort_values("occurred_at").drop_duplicates(["from_member_id", "need_post_id"])
    needs = community.posts.loc[events["need_post_id"].astype(int)]
    return pd.DataFrame(
        {
            "post_id": needs.index.to_numpy(),
            "external_id": needs["external_id"].to_numpy(),
            "member_id": events["from_member_id"].to_numpy(),
            "side": HELPED,
            "text": needs["text"].to_numpy(),
            "tags": needs["tags"].to_numpy(),
            "created_at": events["occurred_at"].to_numpy(),
            "expires_at": pd.NaT,
        },
        columns=list(ITEM_COLUMNS),
    )
