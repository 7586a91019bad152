"""A bot turn is answered first and stored just after (issue 13, item 3).

The customer must not be able to tell: their transcript read waits for the
storing, and a failure to store is logged and turns a retry of the message
into the apology, never into a second bot turn.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from handoff.services.engine import BotReply
from handoff.services.turn_store import TurnStore
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    gateway,
    history,
    real_time_fixture,
    script_engine,
    start_chat,
)

pytestmark = pytest.mark.asyncio


async def _post_until_answered(
    api: httpx.AsyncClient, path: str, token: str, payload: dict[str, Any]
) -> tuple[dict[str, Any], asyncio.Task[None]]:
    """POST straight to the ASGI app; return the answer as soon as it is sent.

    httpx's ASGI transport would wait for the whole request, the storing that
    follows the answer included; a server does not.
    """
    app = api.app  # type: ignore[attr-defined]
    body = json.dumps(payload).encode()
    answered, chunks, delivered = asyncio.Event(), [], False
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("gateway", 80),
        "headers": [(b"host", b"gateway"), (b"content-type", b"application/json"),
                    (b"authorization", f"Bearer {token}".encode()),
                    (b"content-length", str(len(body)).encode())],
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                answered.set()

    request = asyncio.create_task(app(scope, receive, send))
    await asyncio.wait_for(answered.wait(), timeout=10)
    return json.loads(b"".join(chunks)), request


async def test_the_transcript_read_right_after_the_answer_holds_the_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finish = TurnStore.finish

    async def slow_finish(self: TurnStore, *args: Any) -> Any:
        await asyncio.sleep(0.3)  # the storing is still running when the customer reads
        return await finish(self, *args)

    monkeypatch.setattr(TurnStore, "finish", slow_finish)
    async with gateway(f"sqlite:///{tmp_path}/gateway.db") as api:
        script_engine(api, lambda text: [BotReply(text="Our branches open at 09:00.")])
        chat = await start_chat(api, "en")
        answer, request = await _post_until_answered(
            api, f"/api/conversations/{chat.id}/messages", chat.token,
            {"text": "when do you open", "client_message_id": "m-1"},
        )  # fmt: skip
        assert answer["replies"][0]["text"] == "Our branches open at 09:00."
        assert not request.done()  # answered, not yet stored
        said = [(m["sender"], m["text"]) for m in await history(api, chat)]
        assert said[-2:] == [
            ("customer", "when do you open"),
            ("bot", "Our branches open at 09:00."),
        ]
        await request


async def test_a_turn_that_could_not_be_stored_is_never_run_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_finish(self: TurnStore, *args: Any) -> Any:
        raise RuntimeError("the database went away")

    async with gateway(f"sqlite:///{tmp_path}/gateway.db") as api:
        asked: list[str] = []

        def engine(text: str) -> list[BotReply]:
            asked.append(text)
            return [BotReply(text="Your card is blocked.")]

        script_engine(api, engine)
        chat = await start_chat(api, "en")
        message = {"text": "block my card", "client_message_id": "m-1"}
        url = f"/api/conversations/{chat.id}/messages"
        monkeypatch.setattr(TurnStore, "finish", broken_finish)
        first = await api.post(url, json=message, headers=chat.auth)
        assert first.status_code == 200  # the customer got the answer
        assert first.json()["replies"][0]["text"] == "Your card is blocked."
        assert "could not be stored" in caplog.text
        monkeypatch.undo()
        retry = await api.post(url, json=message, headers=chat.auth)
        assert retry.status_code == 200
        assert "sorry" in retry.json()["replies"][0]["text"].lower()  # the apology
        assert asked == ["block my card"]  # the engine was asked once
        said = [m["text"] for m in await history(api, chat) if m["sender"] == "customer"]
        assert said == ["block my card"]
        assert context(api).after_reply.pending == 0
