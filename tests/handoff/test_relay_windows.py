"""The relay's crash and probe windows (issue 14, item 4).

A retry after a crash between the customer's commit and the reply's commit
must not run the turn again, and a code the bot asked for is masked even when
the turn that asked for it ended in the apology (a later action of the turn
failed: the engine's fallback, and the action server's probe failed).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from handoff.main import create_app
from handoff.migrate import upgrade
from tests.conftest import make_settings
from tests.support.scripted_engine import Script, scripted_engine

pytestmark = pytest.mark.asyncio

CODE_REQUEST = [{"text": "Please enter the 6-digit code we sent you.", "custom": {"expect": "otp"}}]
# What the engine says when a custom action of the turn failed in a new session
# (`utter_default`); mid-conversation such a turn says nothing at all.
ENGINE_FALLBACK = [
    {"text": "Sorry, could you describe the question once more? If you'd like a human agent, "
     "just say so."}
]  # fmt: skip


async def _gateway(
    tmp_path: Path, engine_url: str
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], str]]:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    settings = make_settings(url, engine_url=engine_url, action_server_url=engine_url + "/webhook")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            started = (
                await client.post("/api/conversations", json={"channel": "web", "language": "en"})
            ).json()
            auth = {"Authorization": f"Bearer {started['token']}"}
            yield client, auth, started["conversation_id"]


@pytest.fixture
def engine() -> AsyncIterator[tuple[str, Script]]:
    with scripted_engine() as served:
        yield served


async def _send(client: httpx.AsyncClient, auth: dict[str, str], cid: str, text: str, key: str):
    return await client.post(
        f"/api/conversations/{cid}/messages",
        json={"text": text, "client_message_id": key},
        headers=auth,
    )


async def _history(client: httpx.AsyncClient, auth: dict[str, str], cid: str) -> list[dict]:
    return (await client.get(f"/api/conversations/{cid}/messages", headers=auth)).json()[
        "messages"
    ]


async def test_a_retry_after_a_crash_mid_turn_does_not_run_the_turn_again(
    tmp_path: Path, engine: tuple[str, Script]
) -> None:
    url, script = engine
    script.hold = threading.Event()  # the engine takes the turn and never answers in time
    async for client, auth, cid in _gateway(tmp_path, url):
        first = asyncio.create_task(_send(client, auth, cid, "block my card", "m-1"))
        for _ in range(200):
            if script.received:
                break
            await asyncio.sleep(0.02)
        assert script.received == ["block my card"]
        first.cancel()  # the gateway dies while the engine is working on the turn
        with pytest.raises(asyncio.CancelledError):
            await first
        script.hold.set()

        retry = await _send(client, auth, cid, "block my card", "m-1")
        assert retry.status_code == 200
        text = retry.json()["replies"][0]["text"]
        assert "sorry" in text and "95-000" in text
        assert script.received == ["block my card"]  # the engine was asked once
        again = await _send(client, auth, cid, "block my card", "m-1")
        assert again.json() == retry.json()  # from now on the stored answer
        said = [m["text"] for m in await _history(client, auth, cid) if m["sender"] == "customer"]
        assert said == ["block my card"]  # stored once, never lost


async def test_a_code_is_masked_when_the_probe_failed_on_the_turn_asking_for_it(
    tmp_path: Path, engine: tuple[str, Script]
) -> None:
    url, script = engine
    async for client, auth, cid in _gateway(tmp_path, url):
        script.answers.append(CODE_REQUEST + ENGINE_FALLBACK)
        script.actions_healthy = False  # the action server fails right after sending the code
        asked = await _send(client, auth, cid, "what is my balance", "m-1")
        assert "sorry" in asked.json()["replies"][0]["text"]  # the customer hears the apology
        script.actions_healthy = True
        await _send(client, auth, cid, "123456", "m-2")
        assert "123456" not in script.received[-1]
        assert script.received[-1].startswith("/submit_code")
        stored = [m["text"] for m in await _history(client, auth, cid)]
        assert not any("123456" in text for text in stored)


async def test_a_code_is_still_masked_on_a_retry_after_the_engine_failed(
    tmp_path: Path, engine: tuple[str, Script]
) -> None:
    url, script = engine
    async for client, auth, cid in _gateway(tmp_path, url):
        script.answers.append(CODE_REQUEST)
        await _send(client, auth, cid, "what is my balance", "m-1")
        script.actions_healthy = False  # down while the customer types the code
        script.answers.append([])  # the engine's action failed: it says nothing
        failed = await _send(client, auth, cid, "123456", "m-2")
        assert "sorry" in failed.json()["replies"][0]["text"]
        script.actions_healthy = True
        await _send(client, auth, cid, "my code is 123456", "m-3")  # typed again
        assert all("123456" not in sent for sent in script.received)
        stored = [m["text"] for m in await _history(client, auth, cid)]
        assert not any("123456" in text for text in stored)
