"""A dry run's previews in an outbox folder, and the folder's index.html: every message in it,
and the first few as they will look."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape

from matcher.digest.render import NotRendered, Renderer, emails
from matcher.files import write_private

if TYPE_CHECKING:
    from matcher.digest.content import DigestContent
    from matcher.digest.mail import Outbox

HEAD_BYTES = 4096  # the headers of a digest fit well within this
PREVIEWS = 20


def write_previews(
    outbox: Outbox,
    renderer: Renderer,
    previews: list[DigestContent],
    now: Callable[[], datetime],
) -> tuple[int, list[str]]:
    """Write the rendered previews into `outbox`; returns how many, and why the others could
    not be made (the real run would fail them for the same reason)."""
    written, errors = 0, []
    for content, data in zip(previews, emails(renderer, previews, now()), strict=True):
        if isinstance(data, NotRendered):
            errors.append(str(data))
            continue
        outbox.send(content.member_id, renderer.settings.mail_from, content.email, data)
        written += 1
    outbox.close()
    return written, errors


def write_index(folder: Path, previews: int = PREVIEWS) -> Path:
    """Write `folder/index.html` listing the folder's .eml files; returns its path."""
    folder = Path(folder)
    files = sorted(p for p in folder.glob("*.eml") if not p.name.startswith("."))
    messages = [_summary(p) for p in files]
    shown = [{**m, "html": _html_body(p)} for m, p in zip(messages[:previews], files, strict=False)]
    env = Environment(
        loader=PackageLoader("matcher.digest", "templates"), autoescape=select_autoescape(["html"])
    )
    page = env.get_template("outbox.html").render(
        title=folder.name, messages=messages, previews=shown
    )
    index = folder / "index.html"  # every recipient's address: the organiser's eyes only
    write_private(index, lambda f: f.write(page))
    return index


def _summary(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(head)  # no header registry
    return {"file": path.name, "to": _words(headers["To"]), "subject": _words(headers["Subject"])}


def _words(value: str | None) -> str:
    """A header's value with any encoded words decoded."""
    return str(make_header(decode_header(value))) if value else ""


def _html_body(path: Path) -> str:
    with path.open("rb") as f:
        message = BytesParser(policy=policy.default).parse(f)
    body = message.get_body(("html", "plain"))
    return body.get_content() if body is not None else ""
