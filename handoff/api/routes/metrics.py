"""`GET /metrics`: Prometheus text, for loopback clients only, and the latency middleware.

The metrics say how busy the desk is and how the engine behaves: nothing a
customer or a stranger should read, so only a scraper on the same host (or a
sidecar) gets them; everyone else gets 404, as if the route did not exist. A
request relayed by a proxy (`Forwarded`, `X-Forwarded-For`) counts as remote.
"""

from __future__ import annotations

import ipaddress
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handoff.api.deps import ContextDep, SessionDep
from handoff.core.errors import NotFound
from handoff.services.clock import clock
from handoff.services.metrics import Metrics

router = APIRouter(tags=["operations"])


def _from_loopback(request: Request) -> bool:
    if request.headers.get("forwarded") or request.headers.get("x-forwarded-for"):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    """The gateway's `bankbot_` series in Prometheus' text format."""
    if not _from_loopback(request):
        raise NotFound("Not found.")
    await ctx.metrics.refresh(session, clock.now(), ctx.hub.available)
    return Response(generate_latest(ctx.metrics.registry), media_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Times every HTTP request by route template (never by raw path: ids stay out)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request and record it under its route's template."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.request_seconds.labels(
                scope.get("method", ""), route, f"{status // 100}xx"
            ).observe(time.perf_counter() - started)
