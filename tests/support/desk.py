"""Test helpers for the handoff desk: logins, queued customers, a scripted engine, a gateway.

Test modules import the fixtures by their `*_fixture` names (pytest uses the `name=`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bankbot.stack import WS_MAX_BYTES
from handoff.core.config import Settings
from handoff.main import create_app
from handoff.migrate import upgrade
from handoff.models import Agent, StaffRole
from handoff.services import staff
from handoff.services.clock import clock
from handoff.services.engine import BotReply, EngineUnavailable


def backend_mode(database_url: str) -> dict[str, object]:
    """Development mode refuses PostgreSQL: there the gateway runs in production mode."""
    if database_url.startswith("sqlite"):
        return {}
    return {
        "BANKBOT_ENV": "production", "engine_token": "e" * 40, "session_secret": "s" * 40,
        "otp_digest_key": "o" * 40, "require_totp": False,
    }  # fmt: skip


@contextlib.asynccontextmanager
async def gateway(database_url: str, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process gateway on `database_url` with settings overrides, jobs stopped."""
    from tests.conftest import make_settings

    upgrade(database_url)
    app = create_app(make_settings(database_url, **{**backend_mode(database_url), **overrides}))
    async with app.router.lifespan_context(app):
        await app.state.desk.stop_background()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture(autouse=True, name="real_time")
def real_time_fixture() -> Iterator[None]:
    """Every test starts and ends on the real clock."""
    clock.pin(None)
    yield
    clock.pin(None)


@pytest.fixture(name="desk_api")
async def desk_api_fixture(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The in-process gateway with the desk's background jobs stopped (tests run them by hand)."""
    await api.app.state.desk.stop_background()  # type: ignore[attr-defined]
    yield api


def context(api: httpx.AsyncClient) -> Any:
    return api.app.state.context  # type: ignore[attr-defined]


def runtime(api: httpx.AsyncClient) -> Any:
    return api.app.state.desk  # type: ignore[attr-defined]


async def login(
    api: httpx.AsyncClient, username: str, password: str | None = None
) -> dict[str, str]:
    """Bearer headers for a seeded staff account."""
    response = await api.post(
        "/api/agent/login",
        json={"username": username, "password": password or staff.demo_password(username)},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def add_agents(
    api: httpx.AsyncClient, count: int, role: StaffRole = StaffRole.agent
) -> list[str]:
    """Extra accounts (password: agent1's demo password) for races with many agents."""
    names = [f"extra{uuid.uuid4().hex[:6]}" for _ in range(count)]
    password_hash = await asyncio.to_thread(staff._demo_hash, "agent1")
    async with context(api).sessions() as session:
        for name in names:
            session.add(
                Agent(username=name, display_name=name, role=role, password_hash=password_hash)
            )
        await session.commit()
    return names


@dataclass
class Chat:
    """A customer's conversation as the tests drive it."""

    id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def start_chat(api: httpx.AsyncClient, language: str | None = "zh") -> Chat:
    response = await api.post("/api/conversations", json={"channel": "web", "language": language})
    assert response.status_code == 201
    body = response.json()
    return Chat(body["conversation_id"], body["token"])


async def say(api: httpx.AsyncClient, chat: Chat, text: str) -> httpx.Response:
    return await api.post(
        f"/api/conversations/{chat.id}/messages",
        json={"text": text, "client_message_id": uuid.uuid4().hex},
        headers=chat.auth,
    )


async def history(api: httpx.AsyncClient, chat: Chat) -> list[dict[str, Any]]:
    response = await api.get(f"/api/conversations/{chat.id}/messages", headers=chat.auth)
    assert response.status_code == 200
    return response.json()["messages"]


async def queued_chat(
    api: httpx.AsyncClient, language: str | None = "zh", text: str | None = None
) -> Chat:
    """A customer in the queue: with the engine down, the offered human is accepted."""
    chat = await start_chat(api, language)
    await say(api, chat, text or ("我要转人工" if language != "en" else "I want a person"))
    turn = await say(api, chat, "/request_human")
    assert turn.json()["state"] == "queued", turn.text
    return chat


async def queue_items(api: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await api.get("/api/agent/queue", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def handoff_of(api: httpx.AsyncClient, headers: dict[str, str], chat: Chat) -> int:
    """The queue id of a chat's handoff (it must be waiting)."""
    for item in await queue_items(api, headers):
        if item["conversation_id"] == chat.id:
            return int(item["id"])
    raise AssertionError(f"{chat.id} is not in the queue")


Script = Callable[[str], list[BotReply]]


def script_engine(api: httpx.AsyncClient, script: Script) -> None:
    """Replace the engine with a function of the customer's text (None: the engine is down)."""

    async def send(conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        replies = script(text)
        if replies is None:
            raise EngineUnavailable("scripted outage")
        return replies

    context(api).engine.send = send


def handoff_reply(
    reason: str, priority: str, text: str = "正在为您转接人工客服，请稍候。"
) -> list[BotReply]:
    """What the engine answers when it hands the customer over."""
    return [
        BotReply(text=text),
        BotReply(custom={"handoff": {"reason": reason, "priority": priority}}),
    ]


async def drain(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every event delivered so far (in-memory hub: delivery is synchronous)."""
    await asyncio.sleep(0)
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


# ---- a real gateway on a free port (WebSocket and browser tests) ---------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveGateway:
    url: str
    app: Any

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")


@contextlib.contextmanager
def start_live_gateway(workdir: Path, **overrides: object) -> Iterator[LiveGateway]:
    """The gateway under uvicorn in a thread, on a fresh SQLite database, engine down."""
    from tests.conftest import make_settings

    url = f"sqlite:///{workdir}/live.db"
    upgrade(url)
    settings: Settings = make_settings(url, **overrides)
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio",
            ws_max_size=WS_MAX_BYTES,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the gateway did not start")
        time.sleep(0.05)
    try:
        yield LiveGateway(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(name="live_gateway")
def live_gateway_fixture(tmp_path: Path) -> Iterator[LiveGateway]:
    """The gateway under uvicorn in a thread, on a fresh SQLite database, engine down."""
    with start_live_gateway(tmp_path) as gateway:
        yield gateway
