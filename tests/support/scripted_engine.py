"""An HTTP server speaking the engine's REST channel with scripted answers.

Only for faults the real engine cannot be made to show on demand: an action
server whose health probe fails right after the engine handled a turn, or a
turn still running when the gateway dies. Everything else uses the real stack.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from pipeline.processes import free_port


@dataclass
class Script:
    """What the server answers next, and what it was sent."""

    answers: list[list[dict[str, Any]]] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    actions_healthy: bool = True
    hold: threading.Event | None = None  # set: answer; unset: the turn hangs


def _app(script: Script) -> FastAPI:
    app = FastAPI()

    @app.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> JSONResponse:
        body = await request.json()
        script.received.append(str(body.get("message")))
        while script.hold is not None and not script.hold.is_set():
            await asyncio.sleep(0.05)
        answer = script.answers.pop(0) if script.answers else [{"text": "ok"}]
        return JSONResponse(answer)

    @app.get("/status")
    async def status() -> dict[str, str]:
        return {"model_file": "scripted.tar.gz"}

    @app.get("/health")
    async def health() -> JSONResponse:
        return JSONResponse({}, status_code=200 if script.actions_healthy else 503)

    return app


@contextmanager
def scripted_engine() -> Iterator[tuple[str, Script]]:
    """Serve a script on a free loopback port; yields (base URL, script)."""
    script = Script()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(_app(script), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", script
    finally:
        server.should_exit = True
        thread.join(5)
