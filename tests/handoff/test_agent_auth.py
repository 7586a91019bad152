"""Staff login, sessions, roles and the demo accounts (docs/architecture.md, the public API)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from handoff.main import create_app
from handoff.migrate import upgrade
from handoff.models import Agent
from handoff.services import staff
from handoff.services.clock import clock
from tests.conftest import make_settings
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    desk_api_fixture,
    login,
    queued_chat,
    real_time_fixture,
)

pytestmark = pytest.mark.asyncio


async def test_login_returns_a_token_and_the_staff_member(desk_api: httpx.AsyncClient) -> None:
    response = await desk_api.post(
        "/api/agent/login", json={"username": "agent1", "password": "agent1-demo-password"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "agent"}
    assert set(body["agent"]) == {"id", "name", "role"} and body["agent"]["role"] == "agent"
    assert len(body["token"]) >= 32
    me = await desk_api.get("/api/agent/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["agent"] == body["agent"]


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "agent1", "password": "wrong"},
        {"username": "nobody", "password": "agent1-demo-password"},
        {"username": "agent1", "password": "agent2-demo-password"},
    ],
)
async def test_wrong_credentials_are_401(desk_api: httpx.AsyncClient, credentials: dict) -> None:
    response = await desk_api.post("/api/agent/login", json=credentials)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


async def test_login_is_rate_limited_per_username_and_ip(desk_api: httpx.AsyncClient) -> None:
    bad = {"username": "agent2", "password": "guess"}
    codes = [(await desk_api.post("/api/agent/login", json=bad)).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    # Even the right password is refused while the limit holds...
    right = {"username": "agent2", "password": "agent2-demo-password"}
    assert (await desk_api.post("/api/agent/login", json=right)).status_code == 429
    # ...but another username from the same address is not affected.
    await login(desk_api, "agent3")


async def test_missing_wrong_and_expired_sessions_are_401(desk_api: httpx.AsyncClient) -> None:
    assert (await desk_api.get("/api/agent/queue")).status_code == 401
    wrong = {"Authorization": "Bearer not-a-session"}
    assert (await desk_api.get("/api/agent/queue", headers=wrong)).status_code == 401
    headers = await login(desk_api, "agent1")
    assert (await desk_api.get("/api/agent/queue", headers=headers)).status_code == 200
    clock.pin(clock.now() + staff.SESSION_TTL + timedelta(minutes=1))
    response = await desk_api.get("/api/agent/queue", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "expired_session"


async def test_logout_ends_the_session(desk_api: httpx.AsyncClient) -> None:
    headers = await login(desk_api, "agent1")
    assert (await desk_api.post("/api/agent/logout", headers=headers)).status_code == 200
    assert (await desk_api.get("/api/agent/me", headers=headers)).status_code == 401


async def test_cookie_sessions_need_the_csrf_header_for_unsafe_requests(
    desk_api: httpx.AsyncClient,
) -> None:
    form = await desk_api.post(
        "/console/login", data={"username": "agent1", "password": "agent1-demo-password"}
    )
    assert form.status_code == 303 and form.headers["location"] == "/console"
    cookie = form.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    token = form.cookies["bankbot_staff"]
    desk_api.cookies.set("bankbot_staff", token)
    try:
        assert (await desk_api.get("/api/agent/queue")).status_code == 200
        chat = await queued_chat(desk_api)
        handoff_id = (await desk_api.get("/api/agent/queue")).json()["items"][0]["id"]
        forged = await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim")
        assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf"
        honest = await desk_api.post(
            f"/api/agent/handoffs/{handoff_id}/claim",
            headers={"X-Requested-With": "bankbot-console"},
        )
        assert honest.status_code == 200
        assert honest.json()["conversation_id"] == chat.id
        page = await desk_api.get("/console")
        assert page.status_code == 200 and "console.js" in page.text
    finally:
        desk_api.cookies.clear()


async def test_console_login_form_refuses_wrong_passwords_and_foreign_sites(
    desk_api: httpx.AsyncClient,
) -> None:
    wrong = await desk_api.post("/console/login", data={"username": "agent1", "password": "x"})
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    assert "用户名或密码不正确" in wrong.text
    foreign = await desk_api.post(
        "/console/login",
        data={"username": "agent1", "password": "agent1-demo-password"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403 and "set-cookie" not in foreign.headers
    assert (await desk_api.get("/console")).status_code == 303  # to the login form


async def test_editors_see_no_customer_data(desk_api: httpx.AsyncClient) -> None:
    await queued_chat(desk_api)
    agent = await login(desk_api, "agent1")
    handoff_id = (await desk_api.get("/api/agent/queue", headers=agent)).json()["items"][0]["id"]
    editor = await login(desk_api, "editor1")
    for method, path in [
        ("GET", "/api/agent/queue"),
        ("GET", "/api/agent/handoffs"),
        ("GET", f"/api/agent/handoffs/{handoff_id}"),
        ("POST", f"/api/agent/handoffs/{handoff_id}/claim"),
        ("GET", "/api/agent/callbacks"),
        ("GET", "/api/agent/callbacks/1"),
        ("GET", "/api/agent/message-queue"),
        ("GET", "/api/agent/staff"),
    ]:
        response = await desk_api.request(method, path, headers=editor)
        assert response.status_code == 403, (method, path, response.text)


async def test_passwords_are_stored_as_argon2id(desk_api: httpx.AsyncClient) -> None:
    async with context(desk_api).sessions() as session:
        hashes = list(await session.scalars(select(Agent.password_hash)))
    assert len(hashes) == 6
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any("demo-password" in h for h in hashes)


async def test_development_seeds_the_demo_accounts_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/seed.db"
    upgrade(url)
    for _ in range(2):  # a second start finds them and adds nothing
        app = create_app(make_settings(url))
        async with app.router.lifespan_context(app):
            async with context_of(app).sessions() as session:
                names = sorted(await session.scalars(select(Agent.username)))
    assert names == ["agent1", "agent2", "agent3", "editor1", "editor2", "supervisor1"]


async def test_production_refuses_to_start_with_a_demo_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/prod.db"
    upgrade(url)
    dev = create_app(make_settings(url))
    async with dev.router.lifespan_context(dev):
        pass  # seeds the demo accounts
    secrets = {"engine_token": "e" * 40, "session_secret": "s" * 40, "otp_digest_key": "o" * 40}
    production = create_app(make_settings(url, BANKBOT_ENV="production", **secrets))
    with pytest.raises(RuntimeError, match="demo password"):
        async with production.router.lifespan_context(production):
            pass
    # Once every demo password is changed, production starts.
    async with context_after_change(dev) as _:
        pass
    prod_ok = create_app(make_settings(url, BANKBOT_ENV="production", **secrets))
    async with prod_ok.router.lifespan_context(prod_ok):
        pass


def context_of(app: object) -> object:
    return app.state.context  # type: ignore[attr-defined]


class context_after_change:  # noqa: N801 - used as an async context manager
    """Change every demo account's password through the development app."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __aenter__(self) -> None:
        app = self.app
        async with app.router.lifespan_context(app):  # type: ignore[attr-defined]
            async with app.state.context.sessions() as session:  # type: ignore[attr-defined]
                new_hash = await staff.hash_password("a-long-private-password")
                for agent in await session.scalars(select(Agent)):
                    agent.password_hash = new_hash
                await session.commit()

    async def __aexit__(self, *_: object) -> None:
        return None


async def test_editors_land_on_the_content_pages(desk_api: httpx.AsyncClient) -> None:
    form = await desk_api.post(
        "/console/login", data={"username": "editor1", "password": "editor1-demo-password"}
    )
    assert form.status_code == 303 and form.headers["location"] == "/content"
    desk_api.cookies.set("bankbot_staff", form.cookies["bankbot_staff"])
    try:
        console = await desk_api.get("/console")
        assert console.status_code == 403 and "内容编辑" in console.text
    finally:
        desk_api.cookies.clear()
