"""What every notebook opens first: its settings, the store (a demo in it if empty), the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from matcher import demo, report
from matcher.config import Settings
from matcher.db import open_store, sqlite_path
from matcher.embed import Encoder, configured_encoder
from matcher.io import ImportResult
from matcher.snapshot import Community, load_community


@dataclass(frozen=True)
class NotebookSession:
    """A notebook's settings, store, clock and (if asked for) encoder."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    encoder: Encoder | None  # None unless `open_notebook(with_encoder=True)`
    demo: ImportResult | None  # the demo community imported into an empty store, if one was

    def community(self) -> Community:
        """The store's community as it is now."""
        with self.sessions() as session:
            return load_community(session)


def open_notebook(
    *,
    data_dir: Path | str | None = None,
    database_url: str | None = None,
    models_dir: Path | str | None = None,
    encoder: str | None = None,
    min_training_labels: int | None = None,
    candidates_per_need: int | None = None,
    demo_members: int,
    demo_seed: int,
    now: str | None = None,
    with_encoder: bool = False,
) -> NotebookSession:
    """Open the store of the notebook's parameters (None: `MATCHER_*` or the default), importing
    and announcing a demo community of `demo_members` if it has no member yet; the clock is
    stopped at `now` (ISO text) if given, and the encoder is the configured one (as the CLI and
    the API load it) if `with_encoder`."""
    settings = Settings.from_env(
        data_dir=data_dir,
        database_url=database_url,
        models_dir=models_dir,
        encoder=encoder,
        min_training_labels=min_training_labels,
        candidates_per_need=candidates_per_need,
    )
    sessions = open_store(settings)
    clock = report.clock(now)
    imported = report.ensure_community(
        sessions, members=demo_members, seed=demo_seed, now=demo.today(clock)
    )
    if imported:
        # By its full path: Jupyter starts a kernel in the notebook's folder, where the default
        # `var` is notebooks/var, not the store `make run` and the CLI use from the root.
        file = sqlite_path(settings.database)
        store = file.resolve() if file else settings.database_shown
        print(
            f"The store {store} was empty: imported a demo community of {demo_members} "
            "members (another store: the data_dir parameter, or MATCHER_DATA_DIR)."
        )
    loaded = configured_encoder(settings) if with_encoder else None
    return NotebookSession(settings, sessions, clock, loaded, imported)
