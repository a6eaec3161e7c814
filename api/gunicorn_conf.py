"""gunicorn settings of the API: `gunicorn -c python:api.gunicorn_conf 'api:create_app()'`.

`matcher serve` passes the address, workers and threads on the command line, which win over
these defaults. The app (its store, the current build and its encoder) is made once, in the
master, before the workers are forked from it (`preload_app`), so that the workers share its
memory instead of each loading a copy. The objects made then are kept out of the garbage
collector's passes (`when_ready`), which would otherwise write to them and so copy their pages
into every worker. On a 10,000-member demo, after 200 match and 20 search requests (total PSS,
`bench/served_memory.py`): 3 workers 1,331 to 1,334 MiB against 2,130 to 2,145 when each made
its own app (1,715 without keeping the objects from the collector), 2 workers 1,083 against
1,463; on a 100,000-member demo, 2 workers 1,734 against 2,478, 3 workers 2,086 against 3,370
(docs/api.md). A build switched in later is loaded by each worker on its own, as before (3
workers, 200 match requests: 757 MiB before a new build, 980 after); a restart shares it again.
Each worker opens its own connections to the store (`post_fork`). Metrics of all workers are
added up through a shared PROMETHEUS_MULTIPROC_DIR, made here when unset.

Numeric libraries run single-threaded in the workers (unless the environment says otherwise):
a request's matrix products are small, and waking a BLAS or OpenMP thread pool for each one,
on cores that other processes are busy with, made a match request take twice as long (100k
members, 600 requests in one process while another kept a core busy: 21.7-23.6 ms a request
with 2 BLAS threads, 9.7-11.4 ms with 1).
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from typing import Any

for _pool in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_pool, "1")  # read when a worker first imports numpy or torch

wsgi_app = "api:create_app()"
bind = "127.0.0.1:8000"
workers = 2
worker_class = "sync"  # CPU-bound requests: one at a time per process (see `matcher serve`)
# Threads per worker: 1, as sync workers need (gunicorn runs sync workers with more threads
# as gthread workers); with worker_class = "gthread", `matcher serve --threads` sets it.
threads = 1
preload_app = True  # the app is made in the master and shared by the workers (above)
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = None  # the app logs one JSON line per request
errorlog = "-"
# gunicorn's own lines (workers booting, exiting, timing out) as JSON too, in the app's fields
# (`api.logs`), so that one stderr holds one format.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        # No level: gunicorn's --log-level (INFO by default) stands.
        "gunicorn.error": {"handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "formatters": {"json": {"()": "api.logs.json_formatter"}},
}
# gunicorn's control socket has one fixed default path, which a second server (a test, a
# benchmark) on the same machine would take over; `matcher serve` needs none.
control_socket_disable = True

_made_metrics_dir: str | None = None


def nworkers_changed(server: Any, new_value: int, old_value: int | None) -> None:
    """At start (`old_value` None), give the workers a fresh folder for their metrics.

    This is the hook gunicorn calls before it makes the app in the master (`preload_app`):
    the metrics library decides when first imported, by the app, whether samples go to files
    that every worker adds to, so the folder must be named by then (`on_starting` comes
    after, too late). Not when this module is imported: tests import it."""
    global _made_metrics_dir
    if old_value is None and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _made_metrics_dir = tempfile.mkdtemp(prefix="matcher-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _made_metrics_dir


def when_ready(server: Any) -> None:
    """Before the first worker forks: keep the app's objects out of the garbage collector's
    passes, which would write to them in each worker and so make each its own copy."""
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker: open its own connections to the store, not the master's."""
    from api.services import after_fork

    after_fork(server.app.wsgi())


def child_exit(server: Any, worker: Any) -> None:
    """Drop the live gauges of a worker that exited."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    """Remove the metrics folder made at start."""
    if _made_metrics_dir:
        shutil.rmtree(_made_metrics_dir, ignore_errors=True)
