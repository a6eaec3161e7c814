"""A throwaway PostgreSQL server on loopback for the tests: initdb into a temporary folder,
start on a free port, one fresh database per test, everything removed at the end.

PostgreSQL itself comes from the system (Debian's `postgresql`; `.ci/run` installs it). As
root, the server runs as the `postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from matcher.config import Settings
from tests.conftest import settings_in


def binaries() -> Path | None:
    """The folder of PostgreSQL's server programs, or None when it is not installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    return Path(versions[-1]).parent if versions else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parts[-3])
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running server; `database()` gives the SQLAlchemy URL of a new, empty database."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="matcher-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._as = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._names = itertools.count(1)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "-t", "60", "start"
        )

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as, str(self.bin_dir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}{tail}")

    def database(self) -> str:
        name = f"matcher_test_{next(self._names)}"
        with psycopg.connect(self._url("postgres", driver=False), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self._url(name)

    def _url(self, database: str, driver: bool = True) -> str:
        scheme = "postgresql+psycopg" if driver else "postgresql"
        return f"{scheme}://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """One server for the whole run, started on first use."""
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL is not installed (no pg_ctl on PATH or in /usr/lib/postgresql/*/bin): "
            "apt-get install postgresql, as .ci/run does"
        )
    server = Server(bin_dir)
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, postgres_server: Server) -> Settings:
    """The test's settings (tests/conftest.py) with a fresh PostgreSQL database as the store."""
    return settings_in(tmp_path, postgres_server.database())
