"""Needs and offers: create, read, edit and close; new texts are matchable at once."""

from __future__ import annotations

from apiflask import APIBlueprint

from api.auth import auth
from api.idempotent import create_once, creating
from api.listing import member_listing, next_page, one_more, page
from api.schemas import PostIn, PostList, PostOut, PostPatch, PostQuery
from api.services import services
from matcher import community, public

bp = APIBlueprint("posts", __name__, url_prefix="/v1", tag="Posts")


def _public(post_id: str) -> dict:
    s = services()
    with s.sessions() as session:
        post = community.get_post(session, post_id)
        return public.post(post, post.member.external_id, s.clock())


@bp.get("/posts/<post_id>")
@bp.auth_required(auth, roles=["read"])
@bp.output(PostOut)
@bp.doc(responses={404: "No such post"})
def get_post(post_id: str) -> dict:
    """Get a post

    A need or offer as anyone may see it.
    """
    return _public(post_id)


@member_listing(bp, "posts", PostQuery, PostList)
def member_posts(member_id: str, query: dict) -> tuple[dict, dict[str, str]]:
    """A member's posts

    Their needs and offers, newest first, a page at a time: open, closed and expired ones
    (or only those of `status`), so a site can show a member what they wrote and find a post
    whose id it did not keep. To read them all, give each next page `after` the last id of
    the one before: the `Link` header of a page with more after it is the next page's URI.
    """
    s = services()
    now = s.clock()
    with s.sessions() as session:
        member = community.get_member(session, member_id)
        posts, total = community.member_posts(
            session,
            member,
            side=query.get("side"),
            status=query.get("status"),
            now=now,
            limit=one_more(query["limit"]),
            offset=query["offset"],
            after=query.get("after"),
        )
        items = [public.post(p, member.external_id, now) for p in posts]
        items, headers = next_page(items, query["limit"])
        return page(member.external_id, "posts", items, total, query), headers


@creating(
    bp,
    "/posts",
    PostIn,
    "post",
    PostOut,
    made="the post it made",
    description="A member's new need or offer. It is encoded before it is stored, so it shows "
    "up in matches from the next request on.",
    responses={404: "No such member", 409: "The id is taken or the member is closed"},
)
def create_post(post: dict, headers: dict):
    """Create a post"""
    s = services()

    def create(external_id: str | None) -> dict:
        created = community.add_post(
            s.sessions,
            s.encoder(),
            member_id=post["member_id"],
            side=post["side"],
            text=post["text"],
            tags=post.get("tags", ()),
            expires_at=post.get("expires_at"),
            external_id=external_id,
            clock=s.clock,
        )
        return _public(created.external_id)

    return create_once("posts", post, headers, create, _public)


@bp.patch("/posts/<post_id>")
@bp.auth_required(auth, roles=["write"])
@bp.input(PostPatch, arg_name="changes")
@bp.output(PostOut)
@bp.doc(responses={404: "No such post", 409: "The post's member is closed: it can only be closed"})
def update_post(post_id: str, changes: dict) -> dict:
    """Edit a post

    Change the text, tags, status or expiry; a new text is matchable at once. What a change
    of text or tags replaces is kept for the ranker's history, until its writer is erased.
    """
    s = services()
    encoder = s.encoder() if "text" in changes else None  # only a new text is encoded
    community.update_post(
        s.sessions,
        encoder,
        post_id,  # type: ignore[arg-type]
        clock=s.clock,
        **changes,
    )
    return _public(post_id)


@bp.delete("/posts/<post_id>")
@bp.auth_required(auth, roles=["write"])
@bp.output(PostOut)
@bp.doc(responses={404: "No such post"})
def close_post(post_id: str) -> dict:
    """Close a post

    A need that was met or an offer no longer on: it leaves matching at once.
    """
    s = services()
    community.close_post(s.sessions, post_id, clock=s.clock)
    return _public(post_id)
