"""One digest job per week at a time: a lock held from the choice to the last delivery.

Two runs of the same week at once (a cron job overlapping a slow one, an organiser starting
one by hand) could each take the other's digests in flight for interrupted ones and, with
`--resend-unknown`, send them twice. The lock makes the second run stop at once instead. On
PostgreSQL it is an advisory lock of the store, so it holds across hosts; on SQLite, an
exclusive lock on a file beside the database (one host, as SQLite is).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from matcher.errors import Busy


def _busy(week: str) -> Busy:
    return Busy(
        f"another digest run for {week} is in progress; let it finish (running this again "
        "afterwards sends only what is left)"
    )


@contextlib.contextmanager
def week_lock(sessions: sessionmaker[Session], week: str, folder: Path) -> Iterator[None]:
    """Hold the week's lock for the block, or raise Busy at once if another run holds it.
    `folder`: where the lock file goes when the store is not a SQLite file."""
    engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql":
        digest = hashlib.sha256(f"matcher digest {week}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        with engine.connect() as connection:
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
            held = bool(taken.scalar())
            connection.commit()  # the lock belongs to the session, not to a transaction
            if not held:
                raise _busy(week)
            try:
                yield
            except BaseException:
                # The run failed (perhaps the store went away): unlock if the store still
                # answers, and let the run's own error be the one reported. The lock goes
                # with the connection anyway.
                with contextlib.suppress(DBAPIError):
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
                raise
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
        return
    database = engine.url.database
    beside = Path(database).parent if database not in (None, "", ":memory:") else folder
    beside.mkdir(parents=True, exist_ok=True)
    with open(beside / f"digest-{week}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(week) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
