"""Serving: a new build is picked up without dropping requests; `matcher serve` under gunicorn."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main
from matcher.cli.serve import check_address, default_workers, gunicorn_argv, worker_environment
from matcher.config import Settings
from tests.api.helpers import build, close_app, key_headers, make_app, seed_community

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(sessions, settings, encoder):
    """The seeded community's first build served in-process: (client, key headers, build)."""
    seed_community(sessions)
    first = build(sessions, encoder, settings)
    app = make_app(settings, encoder)
    try:
        client = app.test_client()
        rw = key_headers(sessions, "read", "write")
        assert client.get("/v1/model", headers=rw).get_json()["build"] == first
        yield client, rw, first
    finally:
        close_app(app)


def test_a_new_build_is_served_from_the_next_request(served, sessions, settings, encoder):
    client, rw, first = served
    assert client.get("/v1/members/hum/matches", headers=rw).get_json()["build"] == first
    new = {"id": "ace", "name": "Ace", "kind": "session_musician"}
    assert client.post("/v1/members", json=new, headers=rw).status_code == 201

    def ask(_):
        return client.get("/v1/members/hum/matches", headers=rw).status_code

    with ThreadPoolExecutor(4) as pool:  # requests keep coming while the build switches
        during = pool.map(ask, range(40))
        second = build(sessions, encoder, settings)
        statuses = list(during)
    assert second != first and set(statuses) == {200}
    assert client.get("/v1/model", headers=rw).get_json()["build"] == second
    assert client.get("/v1/members/hum/matches", headers=rw).get_json()["build"] == second
    assert client.get("/ready").get_json()["build"] == second


def test_a_build_that_cannot_be_loaded_leaves_the_loaded_one_serving(served, settings):
    from matcher.artifacts import switch_current

    client, rw, first = served
    broken = settings.models_dir / "20990101T000000Z-broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{}")  # copied by hand, half-way
    switch_current(settings.models_dir, broken.name)
    time.sleep(2.1)  # the next check for a new build
    response = client.get("/v1/members/hum/matches", headers=rw)
    assert response.status_code == 200 and response.get_json()["build"] == first


def test_an_app_loads_its_builds_encoder_before_it_serves(
    built, sessions, settings, encoder, monkeypatch
):
    from matcher import embed
    from matcher.errors import ConfigError

    real, loaded = embed.configured_encoder, []

    def loading(settings, name=None):
        loaded.append(name)
        return real(settings, name)

    monkeypatch.setattr(embed, "configured_encoder", loading)
    app = make_app(settings, None)  # the build's own encoder, as under gunicorn
    try:
        assert loaded == [encoder.name]  # with the app, before any request
        rw = key_headers(sessions, "read", "write")
        post = {"member_id": "hum", "side": "need", "text": "a bass player for a tour"}
        assert app.test_client().post("/v1/posts", json=post, headers=rw).status_code == 201
        search = app.test_client().post("/v1/search", json={"text": "a bassist"}, headers=rw)
        assert search.status_code == 200 and loaded == [encoder.name]
    finally:
        close_app(app)

    def missing(settings, name=None):
        raise ConfigError(f"cannot load encoder {name!r} offline")

    monkeypatch.setattr(embed, "configured_encoder", missing)
    app = make_app(settings, None)  # a model that cannot be loaded: what needs none is served
    try:
        client = app.test_client()
        assert client.get("/ready").status_code == 200
        assert client.get("/v1/members/hum/matches", headers=rw).status_code == 200
        assert client.post("/v1/search", json={"text": "a bassist"}, headers=rw).status_code == 503
    finally:
        close_app(app)


def test_workers_get_the_settings_of_the_command_line(tmp_path):
    settings = Settings(data_dir=Path("var"), models_dir=tmp_path / "m", rate_limit="5 per second")
    env = worker_environment(settings, base={"PATH": "/bin"})
    assert env["PATH"] == "/bin" and env["MATCHER_MIGRATE"] == "false"
    assert env["MATCHER_DATA_DIR"] == str(Path("var").resolve())
    again = Settings.from_env(env)
    assert again.replace(data_dir=Path("var")) == settings
    argv = gunicorn_argv("0.0.0.0", 9000, 3, 2)
    assert argv[:3] == [sys.executable, "-m", "gunicorn"] and argv[-1] == "api:create_app()"
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:9000"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--worker-class") + 1] == "sync"
    threaded = gunicorn_argv("127.0.0.1", 9000, 2, 4, "gthread")
    assert threaded[threaded.index("--worker-class") + 1] == "gthread"
    assert threaded[threaded.index("--threads") + 1] == "4"


def gunicorn_worker(argv: list[str] | None = None, module: object | None = None) -> str:
    """The worker class gunicorn runs for a command line (or a settings module's defaults)."""
    from gunicorn.config import Config

    config = Config()
    if argv is not None:
        for name, value in vars(config.parser().parse_args(argv[3:])).items():
            if value is not None and name in config.settings and name != "config":
                config.set(name, value)
    else:
        config.set("worker_class", module.worker_class)
        config.set("threads", module.threads)
    return config.worker_class.__name__


def test_sync_workers_are_sync_and_gthread_workers_threaded():
    import api.gunicorn_conf as conf

    # gunicorn quietly runs "sync" workers with more than one thread as gthread workers.
    assert gunicorn_worker(gunicorn_argv("127.0.0.1", 9000, 3, 4)) == "SyncWorker"
    assert gunicorn_worker(gunicorn_argv("127.0.0.1", 9000, 3, 4, "gthread")) == "ThreadWorker"
    assert gunicorn_worker(module=conf) == "SyncWorker"


def test_one_worker_per_core_the_server_may_run_on(monkeypatch):
    # Sync workers are CPU-bound: a worker more than the cores adds memory, not answers. The
    # cores are those the process may run on (a container's cpuset), not the machine's.
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert default_workers() == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict | str]:
    return answer(urllib.request.Request(url, headers=headers or {}))


def post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict | str]:
    data = json.dumps(body).encode()
    sent = {**headers, "Content-Type": "application/json"}
    return answer(urllib.request.Request(url, data=data, headers=sent, method="POST"))


def answer(request: urllib.request.Request) -> tuple[int, dict | str]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read().decode(), exc.code
        exc.close()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def chunked_post(port: int, path: str, headers: dict[str, str], chunks: bytes) -> tuple[int, dict]:
    """POST `chunks` as they are (Transfer-Encoding: chunked) over a raw socket."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\n{head}Content-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode() + chunks
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while data := connection.recv(65536):
            answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = predicate()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_matcher_serve_runs_gunicorn_workers_and_swaps_builds(sessions, settings, encoder):
    seed_community(sessions)
    first = build(sessions, encoder, settings)
    rw = key_headers(sessions, "read", "write")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        str(Path(sys.executable).with_name("matcher")),
        "--database-url",
        settings.database,
        "--data-dir",
        str(settings.data_dir),
        "--models-dir",
        str(settings.models_dir),
        "--encoder",
        "hashing",
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        "--threads",
        "2",
    ]
    env = {**os.environ, "MATCHER_SECRET_KEY": "test-secret-at-least-32-characters-long"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_for(lambda: get(f"{base}/ready")[0] == 200)
        status, body = get(f"{base}/v1/members/hum/matches", rw)
        assert status == 200 and body["build"] == first and body["matches"][0]["member_id"] == "kit"
        # The workers are forked from a master that made the app (and opened the store): each
        # writes and reads through connections of its own.
        for n in range(6):
            made = {"id": f"new{n}", "name": f"New {n}", "kind": "band"}
            assert post(f"{base}/v1/members", made, rw)[0] == 201
            offer = {"member_id": f"new{n}", "side": "offer", "text": "drummer for gigs"}
            assert post(f"{base}/v1/posts", offer, rw)[0] == 201
        for n in range(6):
            assert get(f"{base}/v1/members/new{n}", rw)[1]["name"] == f"New {n}"
        with sessions.begin() as s:
            from tests.factories import add_member

            add_member(s, "ace", "session_musician", offers=["drummer for gigs"])
        second = build(sessions, encoder, settings)
        statuses = []

        def switched():
            status, body = get(f"{base}/v1/model", rw)
            statuses.append(status)
            return body["build"] == second

        wait_for(switched, timeout=15)
        assert set(statuses) == {200}
        for _ in range(6):  # every worker moves over within its reload interval
            assert get(f"{base}/v1/members/hum/matches", rw)[1]["build"] in (first, second)
        time.sleep(2.5)
        builds = {get(f"{base}/v1/members/hum/matches", rw)[1]["build"] for _ in range(8)}
        assert builds == {second}
        status, text = get(f"{base}/metrics")
        assert status == 200 and "matcher_http_requests_total" in text
        assert f'build_id="{second}"' in text
        # Counted across both workers: 1 + 6 + 8 match requests were made.
        line = 'endpoint="/v1/members/<member_id>/matches",method="GET",status="200"} '
        assert float(text.split(line)[1].split()[0]) == 15
        # A body sent in chunks of a size that is no number: gunicorn's reader gives up.
        status, body = chunked_post(port, "/v1/search", rw, b"ZZ\r\n{}\r\n0\r\n\r\n")
        assert status == 400 and "cannot be read" in body["description"]
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0, errors.decode()[-2000:]
    # One format on stderr: gunicorn's lines are JSON as the app's are (an operator found
    # plain-text and JSON lines mixed), after the command's one line to whoever started it.
    said, *logged = errors.decode().splitlines()
    assert said.startswith(f"serving http://127.0.0.1:{port} ")
    lines = [json.loads(line) for line in logged]
    assert {"gunicorn.error", "api"} <= {line["name"] for line in lines}
    assert any(line["message"].startswith("Booting worker") for line in lines)


def test_serve_refuses_a_port_in_use_at_once_and_says_which(settings):
    args = ["--data-dir", str(settings.data_dir), "--models-dir", str(settings.models_dir)]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, [*args, "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port" in result.output
    check_address("127.0.0.1", port)  # free again: no complaint
    # make run checks the port first, before the demo and the build, and only that.
    free = CliRunner().invoke(main, [*args, "serve", "--port", str(port), "--check-port"])
    assert free.exit_code == 0 and free.output == ""
    assert not (settings.data_dir / "matcher.db").exists()  # no store opened


def test_serve_waits_for_a_store_that_does_not_answer_yet(monkeypatch):
    """At boot, the API's unit may start before PostgreSQL: `matcher serve` stopped at once
    ("the store does not answer"), and the site stayed down until someone restarted it (an
    operator). It now tries again for --wait-for-store seconds; a refusal is not waited for."""
    from sqlalchemy.exc import OperationalError

    from matcher.cli import serve

    down = OperationalError("connect", {}, Exception("connection refused"))
    refused = OperationalError("connect", {}, Exception('database "matcher" does not exist'))
    slept: list[float] = []
    monkeypatch.setattr(serve.time, "sleep", slept.append)

    class Quiet:
        def print(self, *args, **kwargs):
            pass

    class Booting:
        console = Quiet()
        tries = 0

        @property
        def sessions(self):
            self.tries += 1
            if self.tries < 3:
                raise down
            return "open"

    booting = Booting()
    serve._open_store_waiting(booting, 60)
    assert booting.tries == 3 and slept == [2.0, 2.0]

    class Refusing:
        console = Quiet()

        @property
        def sessions(self):
            raise refused

    slept.clear()
    with pytest.raises(OperationalError):
        serve._open_store_waiting(Refusing(), 60)
    assert slept == []
    gone = Booting()
    with pytest.raises(OperationalError):
        serve._open_store_waiting(gone, 1)  # not long enough to try again
    assert gone.tries == 1


def test_a_forked_worker_lets_go_of_the_store_connections_it_inherited(settings, encoder):
    """gunicorn makes the app in its master and forks the workers from it (`preload_app`): a
    worker opens its own connections, and leaves the master's open for the master."""
    import api.gunicorn_conf as conf
    from api.services import after_fork, services

    assert conf.preload_app is True
    app = make_app(settings, encoder)
    try:
        engine = app.extensions["matcher"].sessions.kw["bind"]
        with app.app_context(), services().sessions() as session:
            inherited = session.connection().connection.dbapi_connection
        assert engine.pool.checkedin() == 1
        after_fork(app)
        assert engine.pool.checkedin() == 0  # a new pool: the worker connects anew
        assert inherited.execute("SELECT 1").fetchone() == (1,)  # not closed under the master
        inherited.close()
    finally:
        close_app(app)


def test_gunicorns_log_level_stands_with_its_lines_in_json():
    """The JSON log configuration pinned gunicorn's own logger at INFO, whatever --log-level
    said (a reviewer of stop 31)."""
    import logging

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    import api.gunicorn_conf as conf

    loggers = [logging.getLogger(n) for n in ("", "gunicorn.error", "gunicorn.access")]
    saved = [(g, g.level, list(g.handlers), g.propagate) for g in loggers]
    config = Config()
    config.set("logconfig_dict", conf.logconfig_dict)
    try:
        config.set("loglevel", "warning")
        Logger(config)
        assert logging.getLogger("gunicorn.error").level == logging.WARNING
        config.set("loglevel", "info")
        Logger(config)
        assert logging.getLogger("gunicorn.error").level == logging.INFO
    finally:  # the process's logging as it was, for the other tests
        for logger, level, handlers, propagate in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
