"""Health: what `make run` waits for and a load balancer probes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from handoff.api.deps import ContextDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(ctx: ContextDep) -> JSONResponse:
    """200 while the gateway and its database work; the engine is reported, not required.

    A gateway whose engine is down still answers customers (with an apology
    and a human), so it stays in the load balancer's rotation.
    """
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    try:
        async with ctx.db.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        body["status"], body["database"] = "unavailable", "down"
    body["engine"] = "ok" if await ctx.engine.healthy() else "down"
    body["actions"] = "ok" if await ctx.engine.actions_healthy() else "down"
    # "in-process" (no Redis), "ok", "connecting" or "reconnecting": reported, not
    # required (customers are still answered; sockets catch up when it is back).
    body["events"] = ctx.hub.state
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
