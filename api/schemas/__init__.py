"""Request and response schemas: the API's contract, published in /openapi.json. One module
for each part of the API, and what they share."""

from __future__ import annotations

from api.schemas.common import Error, IdempotencyHeaders, Page, PageOf, Query
from api.schemas.interactions import (
    InteractionIn,
    InteractionList,
    InteractionOut,
    InteractionQuery,
)
from api.schemas.matches import (
    MAX_MATCH_OFFSET,
    OFFSET,
    REASON_TYPES,
    ROLES,
    Answered,
    Match,
    MatchQuery,
    MemberMatches,
    Quote,
    Reason,
    SearchIn,
    SearchResult,
)
from api.schemas.members import (
    ErasureOut,
    ListedMember,
    MemberChanges,
    MemberFields,
    MemberIn,
    MemberList,
    MemberOut,
    MemberPage,
    WrittenMember,
)
from api.schemas.posts import PostIn, PostList, PostOut, PostPatch, PostQuery
from api.schemas.service import Health, Model, Ready, Unsubscribed, UnsubscribeQuery

__all__ = [
    "MAX_MATCH_OFFSET",
    "OFFSET",
    "REASON_TYPES",
    "ROLES",
    "Answered",
    "ErasureOut",
    "Error",
    "Health",
    "IdempotencyHeaders",
    "InteractionIn",
    "InteractionList",
    "InteractionOut",
    "InteractionQuery",
    "ListedMember",
    "Match",
    "MatchQuery",
    "MemberChanges",
    "MemberFields",
    "MemberIn",
    "MemberList",
    "MemberMatches",
    "MemberOut",
    "MemberPage",
    "Model",
    "Page",
    "PageOf",
    "PostIn",
    "PostList",
    "PostOut",
    "PostPatch",
    "PostQuery",
    "Query",
    "Quote",
    "Ready",
    "Reason",
    "SearchIn",
    "SearchResult",
    "UnsubscribeQuery",
    "Unsubscribed",
    "WrittenMember",
]
