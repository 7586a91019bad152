"""WebSocket push for the agent console: queue events, held chats' messages, alerts.

The first frame authenticates (`{"type": "auth", "token": …}`); the console,
whose session cookie is HttpOnly, sends it without a token and the cookie is
used instead, but only from the gateway's own origin. The client's pings are
the agent's heartbeat: an agent without one for long enough goes offline and
their chats return to the queue (`services.supervision`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from handoff.api.deps import staff_cookie
from handoff.core.db import session_scope
from handoff.core.errors import BankbotError
from handoff.models import StaffRole
from handoff.services import desk, staff
from handoff.services.access import require_desk_staff
from handoff.services.clock import clock
from handoff.services.context import AppContext
from handoff.services.events import is_gone

router = APIRouter()

AUTH_TIMEOUT_S = 10.0
PING_INTERVAL_S = 25.0
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_BIG = 1009  # RFC 6455 "message too big"
AUTH_FRAME_MAX = 512
FRAME_MAX = 4096
CLOSE_RECONNECT = 1012
CLOSE_TRY_LATER = 1013  # events stopped flowing: reconnect and refresh


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc == websocket.headers.get("host")


def _token(websocket: WebSocket, frame: Any) -> str | None:
    if not isinstance(frame, dict) or frame.get("type") != "auth":
        return None
    token = frame.get("token")
    if isinstance(token, str) and token:
        return token
    return staff_cookie(websocket) if _same_origin(websocket) else None


async def _authenticate(ctx: AppContext, token: str | None) -> dict[str, Any]:
    """The staff member's view, if the token is a live desk session (also a heartbeat)."""
    async for session in session_scope(ctx.sessions):
        agent, _ = await staff.authenticate(
            session, token, clock.now(), ctx.settings.staff_idle_timeout
        )
        require_desk_staff(agent)
        return staff.agent_view(agent)
    raise RuntimeError("no database session")  # pragma: no cover


@router.websocket("/ws/agent")
async def agent_events(websocket: WebSocket) -> None:
    """Push desk events to one console until it disconnects or its session ends."""
    ctx: AppContext = websocket.app.state.context
    await websocket.accept()
    try:
        first = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT_S)
        if len(first) > AUTH_FRAME_MAX:
            # An auth frame is a few hundred bytes: nothing larger is parsed before auth.
            await websocket.close(code=CLOSE_TOO_BIG)
            return
        token = _token(websocket, json.loads(first))
        agent = await _authenticate(ctx, token)
    except (TimeoutError, ValueError, BankbotError) as exc:
        forbidden = getattr(exc, "status_code", 0) == 403
        await websocket.send_json(
            {
                "type": "error",
                "error": {
                    "code": "forbidden" if forbidden else "unauthorized",
                    "message": getattr(exc, "message", "Authenticate first with a staff session."),
                },
            }
        )
        await websocket.close(code=CLOSE_FORBIDDEN if forbidden else CLOSE_UNAUTHORIZED)
        return
    except WebSocketDisconnect:
        return

    topics = [desk.DESK_TOPIC, desk.agent_topic(agent["id"])]
    if agent["role"] == StaffRole.supervisor.value:
        topics.append(desk.SUPERVISORS_TOPIC)
    if not ctx.hub.available:  # no "ready" yet: the client backs off and tries again
        await websocket.close(code=CLOSE_TRY_LATER)
        return
    async with ctx.hub.subscribe(*topics) as events:
        await websocket.send_json({"type": "ready", "agent": agent})
        open_sockets = ctx.metrics.websockets.labels("agent")
        open_sockets.inc()
        reader = asyncio.create_task(_heartbeats(websocket, ctx, token))
        try:
            while not reader.done():
                getter = asyncio.ensure_future(events.get())
                done, _ = await asyncio.wait(
                    {getter, reader}, timeout=PING_INTERVAL_S, return_when=asyncio.FIRST_COMPLETED
                )
                if getter in done:
                    event = getter.result()
                    if is_gone(event):
                        await websocket.close(code=CLOSE_RECONNECT)
                        break
                    await websocket.send_json(event)
                    if event.get("type") == "logout":
                        await websocket.close(code=CLOSE_UNAUTHORIZED)
                        break
                else:
                    getter.cancel()
                    if not done:
                        await websocket.send_json({"type": "ping"})
            if reader.done() and not reader.cancelled() and reader.result() is False:
                with contextlib.suppress(RuntimeError):
                    await websocket.close(code=CLOSE_UNAUTHORIZED)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            open_sockets.dec()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await reader


async def _heartbeats(websocket: WebSocket, ctx: AppContext, token: str | None) -> bool:
    """Answer the console's pings, each one a heartbeat.

    Returns False once the session has ended (logout, expiry), True when the
    client went away; never raises, so the sender loop can always read it.
    """
    try:
        while True:
            raw = await websocket.receive_text()
            if len(raw) > FRAME_MAX:
                await websocket.close(code=CLOSE_TOO_BIG)
                return True
            try:
                frame = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(frame, dict) or frame.get("type") != "ping":
                continue
            try:
                await _authenticate(ctx, token)
            except BankbotError:
                return False
            await websocket.send_json({"type": "pong"})
    except (WebSocketDisconnect, RuntimeError):
        return True
