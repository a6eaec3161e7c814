"""Probes of the service itself: liveness and readiness."""

from __future__ import annotations

from apiflask import APIBlueprint

from api.errors import NOT_READY_RETRY_SECONDS, STORE_RETRY_SECONDS, fail, not_ready
from api.schemas import Health, Ready
from api.services import services
from matcher.errors import BuildError

bp = APIBlueprint("service", __name__, tag="Service")


@bp.get("/health")
@bp.output(Health)
def health() -> dict:
    """Liveness

    The process answers. Needs no key.
    """
    return {"status": "ok"}


@bp.get("/ready")
@bp.output(Ready)
@bp.doc(responses={503: "The store does not answer or there is no model build yet"})
def ready() -> dict:
    """Readiness

    The store answers and a model build is loaded (503 until then). Needs no key.
    """
    if not services().store_answers():
        fail(503, "the store does not answer", {"Retry-After": str(STORE_RETRY_SECONDS)})
    try:
        build = services().matcher().build_id
    except BuildError as exc:
        fail(503, not_ready(exc), {"Retry-After": str(NOT_READY_RETRY_SECONDS)})
    return {"status": "ready", "build": build}
