"""Probes of the service itself: liveness and readiness."""

from __future__ import annotations

from apiflask import APIBlueprint

from api.errors import STORE_DOWN, STORE_RETRY_SECONDS, fail
from api.schemas import Health, Ready
from api.services import services

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
        fail(503, STORE_DOWN, {"Retry-After": str(STORE_RETRY_SECONDS)})
    # No build: a BuildError, answered as everywhere (errors.NOT_READY, with Retry-After).
    return {"status": "ready", "build": services().matcher().build_id}
