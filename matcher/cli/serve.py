"""Commands of the API: `serve` (gunicorn) and `keys` (create, list, revoke, demo)."""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import fields
from pathlib import Path

import click
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from matcher.cli.context import AppContext, Choice, pass_app
from matcher.config import Settings

DEMO_KEY_FILE = "demo-api-key"


WORKER_CLASSES = ("sync", "gthread")


def default_workers() -> int:
    """Worker processes by default: one per core the process may run on.

    A sync worker answers one request at a time with single-threaded numeric libraries, so
    matching is CPU-bound and a core keeps one worker busy; each worker more holds its own
    requests' memory. Measured on 2 cores (`bench/bench_api.py --members 10000 --duration 20`,
    two runs each): 2 workers 135 to 140 requests/s with 8 locust users, 156 to 162 with wrk's 2
    connections, 794 MiB after the load; 3 workers 148 to 165, 137 to 138, 883 to 886 MiB. At
    100,000 members 2 workers take 1,734 MiB and 3 take 2,086 (`bench/served_memory.py`).
    """
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def gunicorn_argv(
    host: str, port: int, workers: int, threads: int, worker_class: str = "sync"
) -> list[str]:
    """The command line that runs the API's app factory under gunicorn.

    `threads` counts only for gthread workers: gunicorn turns sync workers with more than one
    thread into gthread workers, so sync workers are given exactly one.
    """
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:api.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads if worker_class == "gthread" else 1),
        "api:create_app()",
    ]


def check_address(host: str, port: int) -> None:
    """Refuse at once, saying why, when nothing could listen on HOST:PORT (gunicorn would retry
    for five seconds, log each failure and stop)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot listen on {host!r}: {exc.strerror}") from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port}: {exc.strerror}; stop what is using it or "
                "choose another port with --port (with make: make run PORT=8001)"
            ) from exc


def worker_environment(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the workers: these settings as MATCHER_* variables, store migrated."""
    env = dict(os.environ if base is None else base)
    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, Path):
            value = value.resolve()
        env[f"MATCHER_{f.name.upper()}"] = str(value)
    env["MATCHER_MIGRATE"] = "false"  # done once here, not by every worker at once
    return env


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Worker processes, which share the model gunicorn's master loaded [default: one per CPU "
    "core].",
)
@click.option(
    "--worker-class",
    type=Choice(WORKER_CLASSES),
    default="sync",
    show_default=True,
    help="sync: one request at a time per worker, so requests spread over the processes "
    "(best for CPU-bound matching; put a buffering proxy such as nginx in front for slow "
    "clients). gthread: --threads requests at once per worker, with keep-alive.",
)
@click.option(
    "--threads",
    default=4,
    type=click.IntRange(1),
    help="Threads per gthread worker [default: 4]; sync workers always run one.",
)
@click.option(
    "--check-port",
    is_flag=True,
    help="Only check that HOST:PORT is free to listen on, and exit (make run does, first).",
)
@click.option(
    "--wait-for-store",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0),
    metavar="SECONDS",
    help="A store that does not answer at start (PostgreSQL still starting at boot) is tried "
    "again every 2 s for this long before giving up.",
)
@pass_app
def serve_command(
    app: AppContext,
    host: str,
    port: int,
    workers: int | None,
    worker_class: str,
    threads: int,
    check_port: bool,
    wait_for_store: float,
) -> None:
    """Serve the match API on http://HOST:PORT under gunicorn.

    Migrates the store once, then starts the workers; each loads models/current and picks up
    a new build within seconds of `matcher build` switching it in, without dropping requests.
    Keys come from `matcher keys create`; the API's own docs are at /docs and /openapi.json.

    Matching is CPU-bound Python, so the default runs sync workers: each answers one request
    at a time and the kernel hands the next connection to a free process. Threads inside one
    worker share one interpreter lock and add little.
    """
    from matcher.artifacts import list_builds

    check_address(host, port)
    if check_port:
        return
    app.creates_store = True  # a site may begin with an empty store, writing through the API
    _open_store_waiting(app, wait_for_store)  # and migrate it, before the workers start
    if not any(b["current"] for b in list_builds(app.settings.models_dir)):
        app.console.print(
            f"[yellow]no model build in {app.settings.models_dir}: /ready answers 503 and "
            "matches wait until `matcher build`[/yellow]"
        )
    if not app.settings.secret_key:
        app.console.print(
            "[yellow]MATCHER_SECRET_KEY is not set: the unsubscribe links of the weekly emails "
            "will not work with this server (set it to the key `matcher digest` signs them "
            "with)[/yellow]"
        )
    workers = workers or default_workers()
    layout = f"{workers} {worker_class} worker{'' if workers == 1 else 's'}"
    if worker_class == "gthread":
        layout += f" x {threads} threads"
    # Said before gunicorn loads the build and the encoder, which takes a while (20 s for a
    # new user's 40 members on 2 shared cores), during which connections are refused: a curl
    # sent at once on reading "serving" got nothing.
    app.console.print(
        f"serving http://{host}:{port} ({layout}) once the build and the encoder are loaded "
        '(gunicorn then logs "Listening at"); docs at /docs',
        soft_wrap=True,  # one line, before gunicorn's JSON lines
    )
    argv = gunicorn_argv(host, port, workers, threads, worker_class)
    os.execve(argv[0], argv, worker_environment(app.settings))


def _open_store_waiting(app: AppContext, seconds: float, every: float = 2.0) -> None:
    """Open (and migrate) the store, trying again every `every` s for `seconds` while it does
    not answer: a server started at boot before PostgreSQL stopped for good, while the API
    itself rides out a store that goes away later (503s). A store that answers and refuses
    (no such database, a wrong password) is not waited for."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            app.sessions  # noqa: B018 - opens and migrates it
            return
        except (OperationalError, InterfaceError) as exc:
            from matcher.cli import store_refusal

            refused, first = store_refusal(exc)
            if refused or time.monotonic() + every > deadline:
                raise
            app.console.print(
                f"the store does not answer yet ({first}); trying again in {every:g} s",
                markup=False,
            )
            time.sleep(every)


@click.group("keys")
def keys_group() -> None:
    """Create, list and revoke API keys (stored only as hashes)."""


@keys_group.command("create")
@click.option("--name", required=True, help="Who or what the key is for, e.g. the site's name.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=Choice(["read", "write"]),
    default=("read",),
    show_default=True,
    help="What the key may do (repeat for both).",
)
@pass_app
def create_key_command(app: AppContext, name: str, scopes: tuple[str, ...]) -> None:
    """Make a key and print it once: only its hash is stored, it cannot be shown again."""
    from matcher.keys import create_key

    app.creates_store = True
    info, plaintext = create_key(app.sessions, name, scopes)
    app.console.print(
        f"key {info.id} {info.name!r} ({', '.join(info.scopes)}) in the store "
        f"{app.settings.database_shown}: keep it now, it is not shown again. "
        "Send it in the X-API-Key header.",
        markup=False,
    )
    click.echo(plaintext)


@keys_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked keys.")
@pass_app
def list_keys_command(app: AppContext, show_all: bool) -> None:
    """List the keys: id, name, scopes and dates (never the keys themselves). "last used" may
    be up to an hour early (a key's use is written down at most once an hour): before
    revoking an old key, see that nothing uses it any more."""
    from matcher.keys import list_keys

    table = Table("id", "name", "scopes", "created", "last used", "revoked")
    for k in list_keys(app.sessions, include_revoked=show_all):
        revoked = f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else ""
        used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never"
        table.add_row(
            str(k.id), k.name, ",".join(k.scopes), f"{k.created_at:%Y-%m-%d}", used, revoked
        )
    app.out.print(table)


@keys_group.command("revoke")
@click.argument("key_id", type=int)
@pass_app
def revoke_key_command(app: AppContext, key_id: int) -> None:
    """Stop accepting the key KEY_ID (see `matcher keys list`) from now on."""
    from matcher.keys import revoke_key

    info = revoke_key(app.sessions, key_id)
    app.out.print(f"key {info.id} {info.name!r} revoked at {info.revoked_at:%Y-%m-%d %H:%M:%S}")


@keys_group.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Host of the curl line.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port of the curl line.")
@pass_app
def demo_key_command(app: AppContext, host: str, port: int) -> None:
    """Make (once) a read+write demo key kept in DATA_DIR/demo-api-key; print a curl line.

    Re-runs print the same key, so `make run` can be repeated.
    """
    from matcher.keys import ensure_demo_key

    path = app.settings.data_dir / DEMO_KEY_FILE
    app.creates_store = True
    info, plaintext, created = ensure_demo_key(app.sessions, path)
    app.console.print(f"{'made' if created else 'reusing'} demo key {info.id}, kept in {path}")
    member = _demo_member(app)
    url = f"http://{host}:{port}/v1/members/{member or 'MEMBER_ID'}/matches"
    click.echo(f'curl -H "X-API-Key: {plaintext}" {url}')


def _demo_member(app: AppContext) -> str | None:
    """A member with an open need, to show matches for."""
    from matcher.store import Member, Post

    with app.sessions() as session:
        return session.scalar(
            select(Member.external_id)
            .join(Post, Post.member_id == Member.id)
            .where(Member.active.is_(True), Post.side == "need", Post.status == "open")
            .order_by(Member.id)
            .limit(1)
        )
