"""What one engine call costs the gateway in CPU, with httpx and with aiohttp.

``python -m bankbot.bench.http_client`` starts a local aiohttp server that
answers like the engine's REST channel, then sends it the same keep-alive
JSON POST with each client in turn and prints the time and CPU per call (the
server's share included, the same for both). It is why the gateway's engine
client (``handoff/services/engine.py``) uses aiohttp.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
from aiohttp import web

from pipeline.processes import free_port

PAYLOAD = {"sender": "c" * 32, "message": "what are your opening hours", "metadata": {}}
REPLY = [{"recipient_id": "c" * 32, "text": "Our branches open 09:00-17:00 on weekdays. " * 3}]


async def _engine_like(request: web.Request) -> web.Response:
    await request.json()
    return web.json_response(REPLY)


async def _measure(call: Callable[[], Awaitable[Any]], calls: int) -> tuple[float, float]:
    """(wall µs, CPU µs) per call after a warm-up."""
    for _ in range(100):
        await call()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        await call()
    return (
        (time.perf_counter() - wall) / calls * 1e6,
        (time.process_time() - cpu) / calls * 1e6,
    )


async def main(calls: int) -> None:
    """Print each client's cost per call, twice, alternating."""
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", _engine_like)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    hx = httpx.AsyncClient(timeout=httpx.Timeout(10, connect=2))
    ah = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(sock_read=10, sock_connect=2))

    async def with_httpx() -> Any:
        response = await hx.post(url, json=PAYLOAD)
        response.raise_for_status()
        return response.json()

    async def with_aiohttp() -> Any:
        async with ah.post(url, json=PAYLOAD) as response:
            response.raise_for_status()
            return await response.json(content_type=None)

    try:
        for _ in range(2):
            for name, call in (("httpx", with_httpx), ("aiohttp", with_aiohttp)):
                wall, cpu = await _measure(call, calls)
                print(f"{name:8s} {wall:6.0f} µs per call, CPU {cpu:6.0f} µs (both sides)")
    finally:
        await hx.aclose()
        await ah.close()
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    asyncio.run(main(parser.parse_args().calls))
