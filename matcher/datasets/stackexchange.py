"""Stack Exchange data dumps as a community: users are members, questions needs, answers help.

Content from Stack Exchange is licensed CC BY-SA: whoever shows it links the question
(`StackExchangeDump.link`) and names its author.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import NoReturn, TypeVar
from xml.parsers import expat

import pandas as pd

from matcher.errors import InvalidInput, RowProblem
from matcher.snapshot import INTERACTION_COLUMNS, Community

QUESTION, ANSWER = "1", "2"
BOT_USER = -1
T = TypeVar("T")


@dataclass(frozen=True)
class StackExchangeDump:
    """A dump as a community, plus what the evaluation may know only as labels."""

    site: str
    community: Community
    # One row per question (index: its post id): asker, accepted answerer (or NA), the answerers
    # with score > 0 plus the accepted one (relevant), every answerer, and the question's time.
    truth: pd.DataFrame

    def link(self, question_id: int) -> str:
        """The attribution link of a question."""
        return f"https://{self.site}.stackexchange.com/q/{question_id}"


INLINE_TAGS = frozenset({"a", "b", "i", "em", "strong", "code", "span", "sup", "sub", "s", "u"})


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in INLINE_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE_TAGS:
            self.parts.append(" ")


def strip_html(html: str | None) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    if not html:
        return ""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def parse_tags(tags: str | None) -> list[str]:
    """Tags from either dump spelling: `<a><b>` or `|a|b|`."""
    if not tags:
        return []
    if tags.startswith("|"):
        return [t for t in tags.split("|") if t]
    return re.findall(r"<([^<>]+)>", unescape(tags))


class _Row:
    """One `<row>` of a dump file, whose fields are read with the file and line to blame."""

    def __init__(self, path: Path, line: int, attrs: dict[str, str]):
        self.path, self.line, self.attrs = path, line, attrs

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def value(self, name: str, parse: Callable[[str], T], *, required: bool = True) -> T | None:
        """The field `name` parsed, None when absent and not `required`; else InvalidInput."""
        raw = self.attrs.get(name)
        if raw is None or raw == "":
            if required:
                self._refuse(name, "missing")
            return None
        try:
            return parse(raw)
        except (ValueError, TypeError) as exc:
            self._refuse(name, f"cannot read {raw!r} ({exc})")

    def _refuse(self, name: str, reason: str) -> NoReturn:
        raise InvalidInput(str(RowProblem(str(self.path), self.line, name, reason)), field=name)


def _rows(path: Path, chunk_size: int = 1 << 20) -> Iterator[_Row]:
    """The `<row>` elements of a dump file in order, streamed, each with its line number."""
    parser = expat.ParserCreate()
    pending: list[_Row] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            pending.append(_Row(path, parser.CurrentLineNumber, attrs))

    parser.StartElementHandler = start
    try:
        with path.open("rb") as f:
            while chunk := f.read(chunk_size):
                parser.Parse(chunk, False)
                yield from pending
                pending.clear()
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InvalidInput(f"{path}: not a Stack Exchange XML file ({exc})") from exc
    yield from pending


def _time(value: str) -> pd.Timestamp:
    """A dump's timestamp (UTC, written without a zone) as an aware UTC time."""
    at = pd.Timestamp(value)
    if pd.isna(at):
        raise ValueError("not a time")
    return at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")


def load_stackexchange(folder: Path | str, site: str | None = None) -> StackExchangeDump:
    """Read `Posts.xml` (and `Users.xml` when present) from `folder` as a community."""
    folder = Path(folder)
    posts_file = folder / "Posts.xml"
    if not posts_file.is_file():
        raise InvalidInput(f"{folder}: no Posts.xml (a Stack Exchange dump folder is needed)")
    site = site or folder.name
    questions, answers = _read_posts(posts_file)
    if not any(q["owner"] > BOT_USER for q in questions.values()):
        raise InvalidInput(f"{posts_file}: no questions (rows of PostTypeId 1 with an owner)")
    users_file = folder / "Users.xml"
    users = _read_users(users_file) if users_file.is_file() else {}

    owners = {q["owner"] for q in questions.values()} | {a["owner"] for a in answers}
    first_seen: dict[int, pd.Timestamp] = {}
    for item in [*questions.values(), *answers]:
        owner, at = item["owner"], item["at"]
        if owner not in first_seen or at < first_seen[owner]:
            first_seen[owner] = at
    member_ids = sorted((set(users) | owners) - {BOT_USER})
    members = pd.DataFrame(
        [_member(uid, users.get(uid), first_seen.get(uid)) for uid in member_ids],
        index=pd.Index(member_ids, name="id"),
    )

    post_rows: dict[int, dict[str, object]] = {}
    for qid, q in questions.items():
        post_rows[qid] = {
            "external_id": f"q{qid}",
            "member_id": q["owner"],
            "side": "need",
            "text": q["text"],
            "tags": q["tags"],
            "status": "closed" if q["closed"] else "open",
            "created_at": q["at"],
        }
    helped: dict[int, dict[str, object]] = {}
    answerers: dict[int, list[tuple[int, int]]] = {qid: [] for qid in questions}
    for a in answers:
        q = questions.get(a["parent"])
        if q is None:
            continue
        post_rows[a["id"]] = {
            "external_id": f"a{a['id']}",
            "member_id": a["owner"],
            "side": "offer",
            "text": a["text"],
            "tags": [],
            "status": "closed",
            "created_at": a["at"],
        }
        helped[a["id"]] = {
            "external_id": f"a{a['id']}",
            "kind": "helped",
            "from_member_id": a["owner"],
            "to_member_id": q["owner"],
            "need_post_id": a["parent"],
            "offer_post_id": a["id"],
            "occurred_at": a["at"],
        }
        answerers[a["parent"]].append((a["owner"], a["score"]))
    next_id = max(post_rows, default=0) + 1
    for uid in member_ids:
        about = users.get(uid, {}).get("about", "")
        if about:
            post_rows[next_id] = {
                "external_id": f"u{uid}-about",
                "member_id": uid,
                "side": "offer",
                "text": about,
                "tags": [],
                "status": "open",
                "created_at": members.at[uid, "joined_at"],
            }
            next_id += 1

    posts = pd.DataFrame.from_dict(post_rows, orient="index").sort_index()
    posts.index.name = "id"
    posts["expires_at"] = pd.NaT
    posts["updated_at"] = posts["created_at"]
    # The columns named: a dump with no answer to credit has no row to name them.
    interactions = pd.DataFrame.from_dict(
        helped, orient="index", columns=list(INTERACTION_COLUMNS)
    ).sort_index()
    interactions.index.name = "id"
    community = Community.from_frames(members, posts, interactions)

    answer_owner = {a["id"]: a["owner"] for a in answers}
    accepted_owner = {qid: answer_owner.get(q["accepted_id"]) for qid, q in questions.items()}
    questions = {qid: q for qid, q in questions.items() if q["owner"] > BOT_USER}  # the queries
    truth = pd.DataFrame(
        {
            "asker": [q["owner"] for q in questions.values()],
            "accepted": pd.array([accepted_owner.get(qid) for qid in questions], dtype="Int64"),
            "relevant": [
                sorted(
                    {o for o, s in answerers[qid] if s > 0}
                    | ({accepted_owner[qid]} if accepted_owner.get(qid) is not None else set())
                )
                for qid in questions
            ],
            "answerers": [sorted({o for o, _ in answerers[qid]}) for qid in questions],
            "created_at": [q["at"] for q in questions.values()],
        },
        index=pd.Index(list(questions), name="need_post_id"),
    ).sort_values("created_at", kind="stable")
    return StackExchangeDump(site=site, community=community, truth=truth)


def _read_posts(path: Path) -> tuple[dict[int, dict], list[dict]]:
    questions: dict[int, dict] = {}
    answers: list[dict] = []
    for row in _rows(path):
        kind = row.get("PostTypeId")
        if kind not in (QUESTION, ANSWER):
            continue  # wikis, tag excerpts, nominations: no one asked or answered
        owner = row.value("OwnerUserId", int, required=False)
        if owner == BOT_USER or (owner is None and kind == ANSWER):
            continue  # the bot's post, or an answer by a deleted user: nobody to credit
        post_id = row.value("Id", int)
        if owner is None:  # a question of a deleted user: not a test query, but its answers
            owner = deleted_asker(post_id)  # count (DATA.md: "at least 3 answers before")
        common = {
            "id": post_id,
            "owner": owner,
            "at": row.value("CreationDate", _time),
        }
        if kind == QUESTION:
            tags = parse_tags(row.get("Tags"))
            title = row.get("Title", "")  # plain text, unescaped once by the XML parser
            body = strip_html(row.get("Body"))
            accepted = row.value("AcceptedAnswerId", int, required=False)
            questions[common["id"]] = {
                **common,
                "text": " ".join(p for p in (title, body, " ".join(tags)) if p),
                "tags": tags,
                "accepted_id": accepted,
                "closed": bool(row.get("ClosedDate") or accepted),
            }
        else:
            answers.append(
                {
                    **common,
                    "parent": row.value("ParentId", int),
                    "score": row.value("Score", int, required=False) or 0,
                    "text": strip_html(row.get("Body")),
                }
            )
    return questions, answers


def _read_users(path: Path) -> dict[int, dict]:
    users: dict[int, dict] = {}
    for row in _rows(path):
        uid = row.value("Id", int)
        if uid == BOT_USER:
            continue
        users[uid] = {
            "name": row.get("DisplayName") or f"user {uid}",
            "town": row.get("Location") or None,
            "joined_at": row.value("CreationDate", _time),
            "about": strip_html(row.get("AboutMe")),
        }
    return users


def deleted_asker(question_id: int) -> int:
    """The member standing for the deleted user who asked `question_id`: one per question
    (negative ids; the bot is -1), so that the people who answered two such questions are
    not taken for helpers of one person."""
    return -1 - question_id


def _member(uid: int, user: dict | None, first_seen: pd.Timestamp | None) -> dict[str, object]:
    user = user or {}
    return {
        "external_id": f"u{uid}" if uid > BOT_USER else f"deleted-asker-of-q{-1 - uid}",
        "name": user.get("name", f"user {uid}"),
        "kind": "other",
        "town": user.get("town"),
        "country": None,
        "latitude": float("nan"),
        "longitude": float("nan"),
        "tags": [],
        "bio": None,
        "capacity": 3,
        "active": True,
        "share_contact": False,
        "joined_at": user.get("joined_at", first_seen),
        "last_active_at": pd.NaT,
    }
