"""Live writes to the community: members, posts (encoded on write) and interactions, each
checked by the rules an import checks its rows by."""

from matcher.community.checks import (
    MEMBER_FIELDS,
    UNCHANGED,
    Clock,
    check_id,
    check_member_fields,
    check_tags,
    check_text,
    get_interaction,
    get_member,
    get_post,
)
from matcher.community.interactions import (
    member_interactions,
    record_interaction,
    withdraw_interaction,
)
from matcher.community.members import (
    add_member,
    close_member,
    list_members,
    unsubscribe,
    update_member,
)
from matcher.community.posts import add_post, close_post, member_posts, update_post

__all__ = [
    "MEMBER_FIELDS",
    "UNCHANGED",
    "Clock",
    "add_member",
    "add_post",
    "check_id",
    "check_member_fields",
    "check_tags",
    "check_text",
    "close_member",
    "close_post",
    "get_interaction",
    "get_member",
    "get_post",
    "list_members",
    "member_interactions",
    "member_posts",
    "record_interaction",
    "unsubscribe",
    "update_member",
    "update_post",
    "withdraw_interaction",
]
