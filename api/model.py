"""The model build serving matches."""

from __future__ import annotations

from apiflask import APIBlueprint

from api.auth import auth
from api.errors import NO_BUILD
from api.schemas import Model
from api.services import services

bp = APIBlueprint("model", __name__, url_prefix="/v1", tag="Model")


@bp.get("/model")
@bp.auth_required(auth, roles=["read"])
@bp.output(Model)
@bp.doc(responses={503: NO_BUILD})
def model() -> dict:
    """The model build

    The id of the build serving matches, when it was built, what it holds and its metrics.
    """
    manifest = services().matcher().index.manifest
    return {
        "build": manifest["build_id"],
        "created_at": manifest["created_at"],
        "encoder": manifest.get("encoder", {}),
        "corpus": manifest.get("corpus", {}),
        "ranker": manifest.get("ranker", {}),
        "metrics": manifest.get("metrics", {}),
        "code": manifest.get("code", {}),
    }
