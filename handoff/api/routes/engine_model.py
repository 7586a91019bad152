"""`GET /api/engine/model`: engines pull the live model here (services/content/model_server.py).

Only engines call it, with the engine token as Rasa sends it (`?token=`); the
route is left out of the public API document.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from handoff.api.deps import ContextDep, SessionDep
from handoff.core.errors import NotFound, Unauthorized
from handoff.services.content import model_server
from handoff.services.content.runtime import ContentRuntime

router = APIRouter(tags=["engine"], include_in_schema=False)


@router.get("/api/engine/model")
async def live_model(
    request: Request, ctx: ContextDep, session: SessionDep, token: str = ""
) -> Response:
    """The live model's archive, or 304 when the engine already serves it."""
    expected = ctx.settings.engine_token.get_secret_value()
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthorized("The engine token is missing or wrong.")
    runtime: ContentRuntime = request.app.state.content
    model = await model_server.live_model(session, runtime.settings.default_model)
    if model is None:
        raise NotFound("No model is live yet.")
    headers = {"ETag": model.model_id, "filename": model.model_id + model_server.SUFFIX}
    if request.headers.get("if-none-match", "").strip('"') == model.model_id:
        return Response(status_code=304, headers=headers)
    data = await model_server.model_bytes(session, model)
    return Response(data, media_type="application/gzip", headers=headers)
