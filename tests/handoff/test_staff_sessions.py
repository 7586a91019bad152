"""Staff sessions and access (issue 15): idle timeout, revocation, disable, cookies, TOTP,
and an agent losing a chat's later messages once it is closed or reassigned."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from sqlalchemy import select

from common.paths import ROOT
from handoff.models import Agent, SecurityEvent, StaffRole
from handoff.services import staff
from handoff.services.clock import clock
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    desk_api_fixture,
    gateway,
    handoff_of,
    login,
    queued_chat,
    real_time_fixture,
    say,
)

pytestmark = pytest.mark.asyncio
STRONG = {"session_secret": "s" * 40, "engine_token": "e" * 40, "otp_digest_key": "o" * 40}


async def test_a_session_ends_after_the_idle_timeout(tmp_path: Path) -> None:
    async with gateway(f"sqlite:///{tmp_path}/g.db", staff_idle_timeout_s=1800) as api:
        await _idle_timeout(api)


async def _idle_timeout(desk_api: httpx.AsyncClient) -> None:
    agent = await login(desk_api, "agent1")
    clock.pin(clock.now() + timedelta(minutes=29))
    assert (await desk_api.get("/api/agent/me", headers=agent)).status_code == 200
    # Each request restarts the idle time; 30 minutes of silence end the session.
    clock.advance(timedelta(minutes=30, seconds=1))
    ended = await desk_api.get("/api/agent/me", headers=agent)
    assert ended.status_code == 401
    assert ended.json()["error"]["code"] == "session_ended"
    assert "away too long" in ended.json()["error"]["message"]
    assert (await desk_api.get("/api/agent/me", headers=agent)).status_code == 401


async def test_a_password_change_ends_every_other_session(desk_api: httpx.AsyncClient) -> None:
    here, elsewhere = await login(desk_api, "agent2"), await login(desk_api, "agent2")
    change = {"current": "agent2-demo-password", "new": "a much better passphrase"}
    wrong = await desk_api.post(
        "/api/agent/me/password", headers=here, json={**change, "current": "nope"}
    )
    assert wrong.status_code == 401
    short = await desk_api.post("/api/agent/me/password", headers=here, json={**change, "new": "x"})
    assert short.status_code == 422
    done = await desk_api.post("/api/agent/me/password", headers=here, json=change)
    assert done.status_code == 200, done.text
    assert (await desk_api.get("/api/agent/me", headers=here)).status_code == 200
    assert (await desk_api.get("/api/agent/me", headers=elsewhere)).status_code == 401
    old = {"username": "agent2", "password": "agent2-demo-password"}
    assert (await desk_api.post("/api/agent/login", json=old)).status_code == 401
    await login(desk_api, "agent2", change["new"])
    async with context(desk_api).sessions() as session:
        kinds = list(await session.scalars(select(SecurityEvent.kind)))
    assert "password_changed" in kinds


async def test_staff_disable_ends_sessions_and_refuses_logins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url) as api:
        agent = await login(api, "agent3")
        env = {**os.environ, "DATABASE_URL": url}
        run = lambda *args: subprocess.run(  # noqa: E731
            [sys.executable, "-m", "bankbot", "staff", *args],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        disabled = run("disable", "agent3")
        assert disabled.returncode == 0, disabled.stderr
        assert "disabled" in run("list").stdout
        assert (await api.get("/api/agent/me", headers=agent)).status_code == 401
        again = {"username": "agent3", "password": "agent3-demo-password"}
        refused = await api.post("/api/agent/login", json=again)
        assert refused.status_code == 401
        assert run("enable", "agent3").returncode == 0
        assert (await api.post("/api/agent/login", json=again)).status_code == 200
        assert run("disable", "nobody").returncode != 0


async def test_production_uses_a_host_only_secure_cookie_and_hsts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url, BANKBOT_ENV="production", **STRONG) as api:
        async with context(api).sessions() as session:
            session.add(
                Agent(
                    username="lily", display_name="Lily", role=StaffRole.agent,
                    password_hash=await staff.hash_password("correct horse battery"),
                )
            )  # fmt: skip
            await session.commit()
        form = await api.post(
            "/console/login", data={"username": "lily", "password": "correct horse battery"}
        )
        assert form.status_code == 303, form.text
        cookie = form.headers["set-cookie"]
        assert cookie.startswith("__Host-bankbot_staff=")
        assert "Secure" in cookie and "Path=/" in cookie and "HttpOnly" in cookie
        assert "Domain" not in cookie
        hsts = form.headers["strict-transport-security"]
        assert hsts.startswith("max-age=31536000")
        token = cookie.split(";")[0].split("=", 1)[1]
        # The old cookie name means nothing in production.
        api.cookies.clear()
        api.cookies.set("bankbot_staff", token)
        assert (await api.get("/api/agent/me")).status_code == 401
        api.cookies.clear()
        api.cookies.set("__Host-bankbot_staff", token)
        assert (await api.get("/api/agent/me")).status_code == 200
    async with gateway(f"sqlite:///{tmp_path}/dev.db") as dev:
        assert "strict-transport-security" not in (await dev.get("/health")).headers


async def test_an_agent_loses_a_chat_once_closed_or_reassigned(
    desk_api: httpx.AsyncClient,
) -> None:
    agent1, agent2 = await login(desk_api, "agent1"), await login(desk_api, "agent2")
    supervisor = await login(desk_api, "supervisor1")
    chat = await queued_chat(desk_api)
    handoff_id = await handoff_of(desk_api, agent1, chat)
    base = f"/api/agent/handoffs/{handoff_id}"
    assert (await desk_api.post(f"{base}/claim", headers=agent1)).status_code == 200
    await say(desk_api, chat, "我的卡被吞了")
    closed = await desk_api.post(
        f"{base}/close", headers=agent1, json={"resolution": "已处理", "return_to_bot": True}
    )
    assert closed.status_code == 200, closed.text
    await say(desk_api, chat, "后来的悄悄话")
    mine = (await desk_api.get(base, headers=agent1)).json()["transcript"]
    texts = [m["text"] for m in mine]
    assert "我的卡被吞了" in texts and "后来的悄悄话" not in texts
    everything = (await desk_api.get(base, headers=supervisor)).json()["transcript"]
    assert "后来的悄悄话" in [m["text"] for m in everything]
    # Reassigned: the first agent can neither read, write nor close it any more.
    chat2 = await queued_chat(desk_api)
    second = await handoff_of(desk_api, agent1, chat2)
    base2 = f"/api/agent/handoffs/{second}"
    assert (await desk_api.post(f"{base2}/claim", headers=agent1)).status_code == 200
    agent2_id = (await desk_api.get("/api/agent/me", headers=agent2)).json()["agent"]["id"]
    moved = await desk_api.post(
        f"{base2}/reassign", headers=supervisor, json={"agent_id": agent2_id}
    )
    assert moved.status_code == 200, moved.text
    for method, path, body in [
        ("GET", base2, None),
        ("POST", f"{base2}/messages", {"text": "还在吗"}),
        ("POST", f"{base2}/close", {"resolution": "done", "return_to_bot": True}),
    ]:
        response = await desk_api.request(method, path, headers=agent1, json=body)
        assert response.status_code == 403, (path, response.text)
    assert (await desk_api.post(f"{base2}/messages", headers=agent2, json={"text": "您好"})
            ).status_code == 201  # fmt: skip
    async with context(desk_api).sessions() as session:
        reads = list(
            await session.scalars(
                select(SecurityEvent).where(SecurityEvent.kind == "transcript_read")
            )
        )
        forbidden = list(
            await session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "forbidden"))
        )
    assert {e.actor for e in reads} >= {"agent1", "supervisor1"}
    assert all(e.detail["handoff_id"] in (handoff_id, second) for e in reads)
    assert len(forbidden) >= 3


async def test_supervisors_enrol_totp_and_then_need_a_code(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url, require_totp=True) as api:
        supervisor = await login(api, "supervisor1")
        blocked = await api.get("/api/agent/queue", headers=supervisor)
        assert blocked.status_code == 403
        assert blocked.json()["error"]["code"] == "totp_enrolment_required"
        # Agents are not asked for a second factor.
        agent = await login(api, "agent1")
        assert (await api.get("/api/agent/queue", headers=agent)).status_code == 200
        status = (await api.get("/api/agent/me/totp", headers=supervisor)).json()
        assert status == {"required": True, "enrolled": False}
        started = await api.post("/api/agent/me/totp", headers=supervisor)
        assert started.status_code == 200
        secret = started.json()["secret"]
        assert started.json()["uri"].startswith("otpauth://totp/bankbot:supervisor1?")
        wrong = await api.post("/api/agent/me/totp/confirm", headers=supervisor,
                               json={"code": "000000"})  # fmt: skip
        assert wrong.status_code == 422
        now = clock.now()
        clock.pin(now)
        code = pyotp.TOTP(secret).at(now)
        confirmed = await api.post(
            "/api/agent/me/totp/confirm", headers=supervisor, json={"code": code}
        )
        assert confirmed.status_code == 200 and confirmed.json()["enrolled"] is True
        assert (await api.get("/api/agent/queue", headers=supervisor)).status_code == 200
        password = {"username": "supervisor1", "password": "supervisor1-demo-password"}
        missing = await api.post("/api/agent/login", json=password)
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "totp_required"
        # The code already used to confirm does not work twice.
        replay = await api.post("/api/agent/login", json={**password, "totp": code})
        assert replay.json()["error"]["code"] == "invalid_totp"
        clock.advance(timedelta(seconds=30))
        fresh = pyotp.TOTP(secret).at(clock.now())
        assert (await api.post("/api/agent/login", json={**password, "totp": fresh})
                ).status_code == 200  # fmt: skip
        # The console's form takes the code too; the two-factor page says it is on.
        clock.advance(timedelta(seconds=30))
        form = await api.post(
            "/console/login",
            data={**password, "totp": pyotp.TOTP(secret).at(clock.now())},
        )
        assert form.status_code == 303 and form.headers["location"] == "/console"
        api.cookies.set("bankbot_staff", form.cookies["bankbot_staff"])
        page = await api.get("/console/two-factor")
        assert "已开启两步验证" in page.text
        # An operator resets it for a lost phone: enrolment is required again.
        env = {**os.environ, "DATABASE_URL": url}
        reset = subprocess.run(
            [sys.executable, "-m", "bankbot", "staff", "reset-totp", "supervisor1"],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        assert reset.returncode == 0, reset.stderr
        again = await login(api, "supervisor1")
        api.cookies.set("bankbot_staff", again["Authorization"][7:])
        console = await api.get("/console")
        assert console.status_code == 303 and console.headers["location"] == "/console/two-factor"


async def test_csrf_rejections_and_403s_are_security_events(desk_api: httpx.AsyncClient) -> None:
    form = await desk_api.post(
        "/console/login", data={"username": "agent1", "password": "agent1-demo-password"}
    )
    desk_api.cookies.set("bankbot_staff", form.cookies["bankbot_staff"])
    forged = await desk_api.post("/api/agent/logout")  # a cookie, but no CSRF header
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf"
    editor = await login(desk_api, "editor1")
    desk_api.cookies.clear()
    assert (await desk_api.get("/api/agent/queue", headers=editor)).status_code == 403
    async with context(desk_api).sessions() as session:
        rows = list(await session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)))
    kinds = [(row.kind, row.path) for row in rows]
    assert ("csrf_rejected", "/api/agent/logout") in kinds
    assert ("forbidden", "/api/agent/queue") in kinds
    assert all(row.client and "127.0.0.1" not in row.client for row in rows)
