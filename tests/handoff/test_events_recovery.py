"""Redis recovery (issue 14, item 3): the gateway's listener reconnects and resubscribes,
/health says where it is, and sockets whose events stopped are closed so the
client reconnects and catches up. Runs on a private Redis that the test stops."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from handoff.migrate import upgrade
from handoff.services.events import QUEUE_LIMIT, EventHub, is_gone
from tests.conftest import make_settings
from tests.support.servers import RedisServer, serve_gateway, throwaway_redis


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with throwaway_redis() as server:
        yield server


@pytest.fixture
def gateway(redis_server: RedisServer, tmp_path: Path) -> Iterator[httpx.Client]:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    with serve_gateway(make_settings(url, redis_url=redis_server.url)) as base:
        with httpx.Client(base_url=base, timeout=10) as client:
            yield client


def _conversation(client: httpx.Client) -> dict[str, Any]:
    body = client.post("/api/conversations", json={"channel": "web", "language": "en"}).json()
    return {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}


def _say(client: httpx.Client, conv: dict[str, Any], text: str) -> httpx.Response:
    return client.post(
        f"/api/conversations/{conv['conversation_id']}/messages",
        json={"text": text, "client_message_id": uuid.uuid4().hex},
        headers=conv["headers"],
    )


def _socket(client: httpx.Client, conv: dict[str, Any]) -> ClientConnection:
    base = str(client.base_url).replace("http", "ws")
    ws_url = f"{base}/ws/conversations/{conv['conversation_id']}"
    ws = connect(ws_url)
    ws.send(json.dumps({"type": "auth", "token": conv["token"]}))
    return ws


def _events_state(client: httpx.Client) -> str:
    return str(client.get("/health").json()["events"])


def _wait_for(condition: Any, timeout_s: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise AssertionError(f"not within {timeout_s} s")
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_redis_outage_closes_sockets_and_the_listener_comes_back(
    gateway: httpx.Client, redis_server: RedisServer
) -> None:
    assert _events_state(gateway) == "ok"
    conv = _conversation(gateway)
    ws = _socket(gateway, conv)
    assert json.loads(ws.recv(timeout=5))["type"] == "ready"

    redis_server.stop()
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=5)  # told within seconds, not left silent
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    assert _events_state(gateway) == "reconnecting"

    # Customers are still answered (the engine is down here: the apology), nothing is lost.
    during = _say(gateway, conv, "are you there?")
    assert during.status_code == 200
    retry = _socket(gateway, conv)  # no "ready" while events cannot flow: try later
    with pytest.raises(ConnectionClosed) as refused:
        retry.recv(timeout=5)
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 1013

    redis_server.start()
    recovered_in = _wait_for(lambda: _events_state(gateway) == "ok", timeout_s=10)
    print(f"\nevents listener back {recovered_in:.2f} s after Redis returned")
    ws = _socket(gateway, conv)
    assert json.loads(ws.recv(timeout=5))["type"] == "ready"
    # Catching up: what was said during the outage is in the history.
    history = gateway.get(
        f"/api/conversations/{conv['conversation_id']}/messages", headers=conv["headers"]
    ).json()["messages"]
    assert any(m["text"] == "are you there?" for m in history)
    # Resubscribed: new events reach the socket again.
    _say(gateway, conv, "hello again")
    seen = []
    while len(seen) < 2:
        frame = json.loads(ws.recv(timeout=10))
        if frame["type"] == "message":
            seen.append(frame["message"])
    assert seen[0]["text"] == "hello again" and seen[1]["sender"] == "bot"
    ws.close()


def test_a_slow_reader_is_told_to_reconnect_not_dropped_silently() -> None:
    async def scenario() -> list[dict[str, Any]]:
        hub = EventHub()
        async with hub.subscribe("conversation:x") as slow, hub.subscribe("conversation:x") as ok:
            for n in range(QUEUE_LIMIT + 1):
                await hub.publish("conversation:x", {"type": "message", "n": n})
                if not ok.empty():
                    ok.get_nowait()
            left = []
            while not slow.empty():
                left.append(slow.get_nowait())
            await hub.publish("conversation:x", {"type": "message", "n": "after"})
            assert ok.get_nowait()["n"] == "after"  # the reader that keeps up is untouched
            assert slow.empty()  # the slow one gets nothing more
        return left

    left = asyncio.run(scenario())
    assert len(left) == 1 and is_gone(left[0])
