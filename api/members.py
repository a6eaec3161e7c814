"""Members: list, read, create, edit, close and erase (private fields are never returned)."""

from __future__ import annotations

from collections.abc import Collection

from apiflask import APIBlueprint
from marshmallow import RAISE

from api.auth import auth
from api.idempotent import create_once, creating
from api.listing import NEXT_PAGE, next_page, one_more
from api.schemas import (
    ErasureOut,
    MemberChanges,
    MemberIn,
    MemberList,
    MemberOut,
    MemberPage,
    WrittenMember,
)
from api.services import services
from matcher import community, public
from matcher.erase import erase_member as erase

bp = APIBlueprint("members", __name__, url_prefix="/v1", tag="Members")


@bp.get("/members")
@bp.auth_required(auth, roles=["read"])
@bp.input(MemberPage, location="query", arg_name="page", unknown=RAISE)
@bp.output(MemberList, headers=NEXT_PAGE)
@bp.doc(responses={404: "No member `after` (or erased since: read again from the page before)"})
def list_members(page: dict) -> tuple[dict, dict[str, str]]:
    """List members

    Active members in the order they were added to the store, a page at a time, and how
    many there are. To read them all, give each next page `after` the last id of the one
    before: the `Link` header of a page with more after it is the next page's URI.
    """
    with services().sessions() as session:
        members, total = community.list_members(
            session, one_more(page["limit"]), page["offset"], page.get("after")
        )
        listed, headers = next_page([public.member(m) for m in members], page["limit"])
    body = {"members": listed, "total": total, "limit": page["limit"], "offset": page["offset"]}
    return body, headers


@bp.get("/members/<member_id>")
@bp.auth_required(auth, roles=["read"])
@bp.output(MemberOut)
@bp.doc(responses={404: "No such member"})
def get_member(member_id: str) -> dict:
    """Get a member

    A member's public fields: never the email; the contact only if they agreed to share it.
    """
    return _member(member_id)


def _member(member_id: str, given: Collection[str] = ()) -> dict:
    with services().sessions() as session:
        return public.member_written(community.get_member(session, member_id), given)


@creating(
    bp,
    "/members",
    MemberIn,
    "member",
    WrittenMember,
    made="the member it made",
    description="A new member, matchable as soon as they have a post. `id` is generated when "
    "not given. A place that cuts them off is written, and said in `warnings`.",
    responses={409: "A member with this id exists"},
)
def create_member(member: dict, headers: dict):
    """Create a member"""
    s = services()
    fields = {k: v for k, v in member.items() if k not in ("id", "capacity")}
    # A given capacity goes in as the default: add_member sets both (a TypeError otherwise).
    capacity = member.get("capacity", s.settings.default_capacity)

    def create(external_id: str | None) -> dict:
        created = community.add_member(
            s.sessions,
            dict(fields),
            external_id=external_id,
            default_capacity=capacity,
            clock=s.clock,
        )
        return public.member_written(created, member)

    return create_once("members", member, headers, create, lambda i: _member(i, member))


@bp.patch("/members/<member_id>")
@bp.auth_required(auth, roles=["write"])
@bp.input(MemberChanges, arg_name="changes")
@bp.output(WrittenMember)
@bp.doc(responses={404: "No such member"})
def update_member(member_id: str, changes: dict) -> dict:
    """Edit a member

    Change some fields; the others stay as they are. `"active": true` opens a closed member
    again. What a change of town, place, tags or capacity replaces is kept for the ranker's
    history (so that the help given before is learned from as it happened), until the
    member is erased. A place that cuts them off (a misspelt town: nobody counts as near them)
    is written, and said in `warnings`.
    """
    s = services()
    edited = community.update_member(s.sessions, member_id, changes, clock=s.clock)
    return public.member_written(edited, changes)


@bp.delete("/members/<member_id>")
@bp.auth_required(auth, roles=["write"])
@bp.output(MemberOut)
@bp.doc(responses={404: "No such member"})
def close_member(member_id: str) -> dict:
    """Close a member

    Take the member out of matching at once; their history stays for the next build.
    """
    s = services()
    return public.member(community.close_member(s.sessions, member_id, clock=s.clock))


@bp.post("/members/<member_id>/erase")
@bp.auth_required(auth, roles=["write"])
@bp.output(ErasureOut)
@bp.doc(responses={404: "No such member", 409: "The anonymous row of a member erased before"})
def erase_member(member_id: str) -> dict:
    """Erase a member

    The member asked for their personal data to be erased: their profile, the words of their
    posts and the records of their weekly emails go, at once and for good; they leave
    matching as a closed member does. What stays is anonymous (the help between them and
    the others, under a new random id), so the others' history still counts; their own
    emails in the outbox folder are deleted. Their id is retired: given to no one again (a
    create naming it is a 409). No body. A repeat is a 404 (and one naming the anonymous
    row's new id a 409: nothing of theirs is left). The builds made before still hold
    their words until a new build and `matcher builds --keep 1`.
    """
    s = services()
    return erase(s.sessions, member_id, s.settings.data_dir, clock=s.clock).to_dict()
