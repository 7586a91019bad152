"""WebSocket push for customers: the first frame authenticates, tokens never go in URLs."""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from handoff.api.deps import conversation_expiry
from handoff.core.db import session_scope
from handoff.core.errors import BankbotError
from handoff.services import overflow
from handoff.services.access import access_conversation_as_customer
from handoff.services.clock import clock
from handoff.services.context import AppContext
from handoff.services.events import conversation_topic, is_gone

router = APIRouter()

AUTH_TIMEOUT_S = 10.0
PING_INTERVAL_S = 25.0
# Close codes in the private range 4000-4999.
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_EXPIRED = 4408
CLOSE_TOO_BIG = 1009  # RFC 6455 "message too big"
# The largest first (auth) frame, and the largest frame after it, in characters.
AUTH_FRAME_MAX = 512
FRAME_MAX = 4096
# "Service restart": events stopped flowing (Redis away, or this reader fell behind);
# the client reconnects and catches up from the database.
CLOSE_RECONNECT = 1012
CLOSE_TRY_LATER = 1013


@router.websocket("/ws/conversations/{conversation_id}")
async def conversation_events(websocket: WebSocket, conversation_id: str) -> None:
    """Push every new message and state change of one conversation."""
    ctx: AppContext = websocket.app.state.context
    await websocket.accept()
    try:
        first = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT_S)
        if len(first) > AUTH_FRAME_MAX:
            # An auth frame is a few hundred bytes: nothing larger is parsed before auth.
            await websocket.close(code=CLOSE_TOO_BIG)
            return
        frame = json.loads(first)
        token = (
            frame.get("token") if isinstance(frame, dict) and frame.get("type") == "auth" else None
        )
        async for session in session_scope(ctx.sessions):
            conversation = await access_conversation_as_customer(
                session, conversation_id, token, conversation_expiry(ctx.settings), clock.now()
            )
            # Where a waiting customer stands (or that their message waits): the banner's words.
            waiting = await overflow.current_view(session, ctx.settings, conversation, clock.now())
    except (TimeoutError, ValueError, BankbotError) as exc:
        expired = getattr(exc, "code", None) == "conversation_expired"
        code = (
            CLOSE_NOT_FOUND if getattr(exc, "status_code", 0) == 404
            else CLOSE_EXPIRED if expired
            else CLOSE_UNAUTHORIZED
        )  # fmt: skip
        await websocket.send_json(
            {
                "type": "error",
                "error": {
                    "code": "conversation_expired" if expired else "unauthorized",
                    "message": getattr(exc, "message", "")
                    if expired
                    else "Authenticate first with the conversation token.",
                },
            }
        )
        await websocket.close(code=code)
        return
    except WebSocketDisconnect:
        return

    if not ctx.hub.available:  # no "ready" yet: the client backs off and tries again
        await websocket.close(code=CLOSE_TRY_LATER)
        return
    async with ctx.hub.subscribe(conversation_topic(conversation.id)) as events:
        await websocket.send_json(
            {
                "type": "ready",
                "state": conversation.state.value,
                "last_seq": conversation.last_seq,
                "handoff": waiting,
            }
        )
        open_sockets = ctx.metrics.websockets.labels("customer")
        open_sockets.inc()
        reader = asyncio.create_task(_drain_client(websocket))
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
                else:
                    getter.cancel()
                    if not done:
                        await websocket.send_json({"type": "ping"})
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            open_sockets.dec()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                await reader


async def _drain_client(websocket: WebSocket) -> None:
    """Read (and ignore) client frames so a disconnect is noticed at once.

    Customers only ever send pings here; an oversized frame ends the link.
    """
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            if len(await websocket.receive_text()) > FRAME_MAX:
                await websocket.close(code=CLOSE_TOO_BIG)
                return
