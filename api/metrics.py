"""Prometheus metrics at /metrics: requests and latency per endpoint, and the build served.

Under gunicorn every worker writes its samples to PROMETHEUS_MULTIPROC_DIR (set by
api/gunicorn_conf.py) and /metrics adds them up across workers.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from apiflask import APIBlueprint
from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

bp = APIBlueprint("metrics", __name__, enable_openapi=False)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    """The metrics of one app, registered in its own registry."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    build: Gauge
    builds_seen: set[str] = field(default_factory=set)

    def served_build(self, build_id: str) -> None:
        """Record that this worker now serves `build_id` (and no longer the one before)."""
        if build_id in self.builds_seen and len(self.builds_seen) == 1:
            return
        for old in self.builds_seen - {build_id}:
            self.build.labels(build_id=old).set(0)
        self.build.labels(build_id=build_id).set(1)
        self.builds_seen = {build_id}


def _create(registry: CollectorRegistry) -> Metrics:
    return Metrics(
        registry,
        Counter(
            "matcher_http_requests",
            "HTTP requests answered, by endpoint, method and status.",
            ["endpoint", "method", "status"],
            registry=registry,
        ),
        Histogram(
            "matcher_http_request_duration_seconds",
            "Time to answer an HTTP request, by endpoint and method.",
            ["endpoint", "method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        Gauge(
            "matcher_build_info",
            "1 for the model build being served.",
            ["build_id"],
            registry=registry,
            multiprocess_mode="livemax",
        ),
    )


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics of every worker, in the text exposition format."""
    registry = current_app.extensions["metrics"].registry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def _start() -> None:
    g.started = time.perf_counter()


# The methods counted by name. The server passes on any word as a method, and every label
# value is a new series kept until the server restarts, so other methods count as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _observe(response: Response) -> Response:
    m: Metrics = current_app.extensions["metrics"]
    endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    m.requests.labels(endpoint, method, str(response.status_code)).inc()
    m.latency.labels(endpoint, method).observe(elapsed)
    return response


def init_app(app: Flask) -> Metrics:
    """Count and time every request of `app`; serve /metrics."""
    m = _create(CollectorRegistry(auto_describe=True))
    app.extensions["metrics"] = m
    app.before_request(_start)
    app.after_request(_observe)
    app.register_blueprint(bp)
    return m
