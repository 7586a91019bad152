"""Customers' tokens expire: after an idle time and after an absolute time (issue 15)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from handoff.services.clock import clock
from tests.support.desk import (  # noqa: F401 - fixtures
    gateway,
    history,
    real_time_fixture,
    say,
    start_chat,
    start_live_gateway,
)


@pytest.mark.asyncio
async def test_a_conversation_expires_after_the_idle_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url, conversation_idle_timeout_s=600, conversation_max_age_s=10**6) as api:
        chat = await start_chat(api)
        assert (await say(api, chat, "你好")).status_code == 200
        clock.pin(clock.now() + timedelta(seconds=590))
        assert len(await history(api, chat)) >= 2  # reading is not activity, but still in time
        clock.pin(clock.now() + timedelta(seconds=20))
        for response in [
            await api.get(f"/api/conversations/{chat.id}/messages", headers=chat.auth),
            await say(api, chat, "还在吗"),
            await api.post(f"/api/conversations/{chat.id}/csat", headers=chat.auth,
                           json={"score": "neutral"}),
        ]:  # fmt: skip
            assert response.status_code == 401
            error = response.json()["error"]
            assert error["code"] == "conversation_expired"
            assert "start a new one" in error["message"]
        # A wrong token is still just a wrong token.
        wrong = await api.get(
            f"/api/conversations/{chat.id}/messages", headers={"Authorization": "Bearer x"}
        )
        assert wrong.json()["error"]["code"] == "unauthorized"


@pytest.mark.asyncio
async def test_a_conversation_expires_after_the_absolute_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url, conversation_idle_timeout_s=10**6, conversation_max_age_s=3600) as api:
        chat = await start_chat(api)
        clock.pin(clock.now() + timedelta(minutes=59))
        assert (await say(api, chat, "你好")).status_code == 200
        clock.advance(timedelta(minutes=2))
        late = await say(api, chat, "还在吗")
        assert late.status_code == 401 and late.json()["error"]["code"] == "conversation_expired"


def test_websockets_refuse_expired_chats_and_oversized_frames(tmp_path: Path) -> None:
    with start_live_gateway(tmp_path, conversation_idle_timeout_s=600) as live:
        with httpx.Client(base_url=live.url, timeout=10) as client:
            conv = client.post("/api/conversations", json={"channel": "web"}).json()
        path = f"{live.ws_url}/ws/conversations/{conv['conversation_id']}"
        auth = json.dumps({"type": "auth", "token": conv["token"]})

        # An auth frame is small: a big first frame is refused before it is parsed.
        with connect(path) as ws:
            ws.send(json.dumps({"type": "auth", "token": conv["token"], "pad": "x" * 2000}))
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
            assert ws.close_code == 1009
        with connect(live.ws_url + "/ws/agent") as ws:
            ws.send("{" + " " * 1000 + "}")
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
            assert ws.close_code == 1009
        # After authenticating, a client frame over the cap ends the link.
        with connect(path) as ws:
            ws.send(auth)
            assert json.loads(ws.recv(timeout=5))["type"] == "ready"
            ws.send("x" * 5000)
            with pytest.raises(ConnectionClosed):
                while True:
                    ws.recv(timeout=5)
            assert ws.close_code == 1009
        # The server itself refuses frames over its limit before the app sees them.
        with connect(path) as ws:
            ws.send(auth)
            ws.recv(timeout=5)
            ws.send("x" * 100_000)
            with pytest.raises(ConnectionClosed):
                while True:
                    ws.recv(timeout=5)
            assert ws.close_code == 1009
        # An expired chat's socket is closed with its own code, which the widget knows.
        clock.pin(clock.now() + timedelta(seconds=601))
        with connect(path) as ws:
            ws.send(auth)
            error = json.loads(ws.recv(timeout=5))
            assert error["error"]["code"] == "conversation_expired"
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
            assert ws.close_code == 4408
