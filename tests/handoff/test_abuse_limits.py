"""Abuse limits (issue 15): login attempts, password hashing, customers' requests, handoffs.

Each limit is tested in memory (one gateway) and through a real Redis shared
by two gateways (`REDIS_URL`), where the count must span both.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from handoff.models import SecurityEvent
from tests.support.desk import (  # noqa: F401 - fixtures
    add_agents,
    context,
    gateway,
    login,
    queue_items,
    real_time_fixture,
    say,
    start_chat,
)

pytestmark = pytest.mark.asyncio
REDIS_URL = os.environ.get("BANKBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.postgres)])
async def redis_url(request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    """No Redis (in-memory counts), or the real Redis with this test's keys cleared."""
    if request.param == "memory":
        yield None
        return
    yield await _cleared_redis()


@pytest.fixture(name="real_redis")
async def real_redis_fixture() -> str:
    """The real Redis (marked `postgres`, like every test of the production services)."""
    return await _cleared_redis()


async def _cleared_redis() -> str:
    """The test Redis with the limits' keys cleared; the test fails if there is none."""
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001 - no server here
        await client.aclose()
        pytest.fail(f"Redis is needed on 127.0.0.1:6379 and is unreachable: {exc!r}")
    keys = [key async for key in client.scan_iter("bankbot:limit:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    return REDIS_URL


def limits(redis_url: str | None, **overrides: object) -> dict[str, Any]:
    # A fresh secret per test: client digests (and so Redis keys) never repeat across runs.
    return {"redis_url": redis_url, "session_secret": secrets.token_urlsafe(32), **overrides}


async def events(api: httpx.AsyncClient, kind: str) -> list[SecurityEvent]:
    await asyncio.sleep(0.05)  # rows are stored once the response has gone
    async with context(api).sessions() as session:
        return list(await session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind)))


async def test_parallel_wrong_passwords_are_counted_before_checking(
    tmp_path: Path, redis_url: str | None
) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    settings = limits(redis_url, login_failures_per_account=5)
    bad = {"username": "agent2", "password": "not-the-password"}
    async with gateway(url, **settings) as api:
        results = await asyncio.gather(*(api.post("/api/agent/login", json=bad) for _ in range(12)))
        codes = sorted(r.status_code for r in results)
        # Counting first: no burst gets more than 5 guesses, however parallel.
        assert codes == [401] * 5 + [429] * 7
        locked = next(r for r in results if r.status_code == 429).json()["error"]
        assert locked["code"] == "account_locked" and "locked" in locked["message"]
        # The right password is refused too while the lock holds.
        right = {"username": "agent2", "password": "agent2-demo-password"}
        assert (await api.post("/api/agent/login", json=right)).status_code == 429
        # Another account is not affected.
        assert (await api.post("/api/agent/login", json={
            "username": "agent1", "password": "agent1-demo-password"})).status_code == 200
        failed = await events(api, "login_failed")
        assert len(failed) == 5 and {e.actor for e in failed} == {"agent2"}
        assert len(await events(api, "lockout")) == 1
        assert len(await events(api, "login_limited")) >= 6
        assert all(e.client and len(e.client) == 32 for e in failed)  # a digest, not 127.0.0.1


async def guesses(api: httpx.AsyncClient, names: list[str]) -> list[httpx.Response]:
    return [
        await api.post("/api/agent/login", json={"username": n, "password": "guess"})
        for n in names
    ]


async def test_one_client_guessing_many_accounts_is_stopped(
    tmp_path: Path, redis_url: str | None
) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    settings = limits(redis_url, login_failures_per_client=4)
    names = ["agent1", "agent2", "agent3", "supervisor1", "editor1"]
    async with gateway(url, **settings) as first:
        if redis_url is None:
            answers = await guesses(first, names)
        else:
            answers = await guesses(first, names[:3])
            # Another gateway on the same Redis carries on the same count.
            async with gateway(url, **settings) as second:
                answers += await guesses(second, names[3:])
    assert [r.status_code for r in answers] == [401] * 4 + [429]
    assert answers[-1].json()["error"]["code"] == "too_many_logins"


async def test_password_hashing_is_capped_and_a_flood_is_refused_at_once(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    async with gateway(url, hashing_slots=1, hashing_queue=2) as api:
        names = await add_agents(api, 10)
        results = await asyncio.gather(
            *(api.post("/api/agent/login", json={"username": n, "password": "wrong-password"})
              for n in names)
        )  # fmt: skip
        codes = [r.status_code for r in results]
        gate = api.app.state.desk.hashing  # type: ignore[attr-defined]
        assert gate.peak == 1  # never two hashes at once
        busy = [r.json()["error"]["code"] for r in results if r.status_code == 429]
        assert busy and set(busy) == {"login_busy"}
        assert codes.count(401) >= 3  # one running, two waiting got their answer
        # Once the flood is over, logins work again.
        assert (await api.post("/api/agent/login", json={
            "username": "agent1", "password": "agent1-demo-password"})).status_code == 200


async def test_customers_are_limited_per_client_and_per_conversation(
    tmp_path: Path, redis_url: str | None
) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    settings = limits(
        redis_url, conversations_per_client=3, messages_per_conversation=4, messages_per_client=6
    )
    async with gateway(url, **settings) as first, gateway(url, **settings) as second:
        # With Redis the two gateways share one count; without, one gateway does it all.
        other = second if redis_url else first
        chats = [await start_chat(first), await start_chat(first), await start_chat(other)]
        over = await other.post("/api/conversations", json={"channel": "web", "language": "en"})
        assert over.status_code == 429
        assert over.json()["error"]["code"] == "too_many_conversations"
        codes = [(await say(first, chats[0], f"hello {n}")).status_code for n in range(3)]
        codes.append((await say(other, chats[0], "hello 3")).status_code)
        limited = await say(other, chats[0], "hello again")
        assert codes == [200] * 4 and limited.status_code == 429
        assert limited.json()["error"]["code"] == "too_many_messages"
        assert "wait a moment" in limited.json()["error"]["message"]
        # Per client (6 a minute, refused attempts included): one more, then no more.
        more = [(await say(first, chats[n], "hi")).status_code for n in (1, 2)]
        assert more == [200, 429]
        assert len(await events(first, "rate_limited")) >= 3


async def test_open_handoffs_per_client_are_capped_politely(
    tmp_path: Path, redis_url: str | None
) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    settings = limits(redis_url, open_handoffs_per_client=2)
    async with gateway(url, **settings) as api:
        queued = []
        for _ in range(3):
            chat = await start_chat(api, "zh")
            await say(api, chat, "我要转人工")
            queued.append(await say(api, chat, "/request_human"))
        assert [t.json()["state"] for t in queued] == ["queued", "queued", "bot"]
        refusal = queued[2].json()["replies"][-1]["text"]
        assert refusal.startswith("非常抱歉") and "95-000" in refusal
        agent = await login(api, "agent1")
        assert len(await queue_items(api, agent)) == 2
        assert [e.detail["limit"] for e in await events(api, "rate_limited")] == ["open_handoffs"]


async def test_limits_still_count_in_the_gateway_while_redis_is_unreachable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from handoff.services.ratelimit import Counters

    counters = Counters("redis://127.0.0.1:1/0")  # nothing listens on port 1
    await counters.start()
    try:
        results = [await counters.hit("client:x", limit=2, window_s=60) for _ in range(3)]
        assert results == [True, True, False]
        assert await counters.claim("job", ttl_s=60) is True
        assert await counters.claim("job", ttl_s=60) is False
    finally:
        await counters.stop()
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1  # one line per outage, not one per request


@pytest.mark.postgres
async def test_a_shared_window_starts_at_its_first_hit_and_ends_on_time(real_redis: str) -> None:
    """Two gateways' counters share one count; a window is not stretched by later hits."""
    from handoff.services.ratelimit import Counters

    first, second = Counters(real_redis), Counters(real_redis)
    await first.start()
    await second.start()
    try:
        name = f"window:{secrets.token_hex(4)}"
        assert await first.hit_all([(name, 3, 1), (name + ":long", 9, 60)])
        await asyncio.sleep(0.6)
        assert await second.hit_all([(name, 3, 1), (name + ":long", 9, 60)])
        assert await first.count(name) == 2 and await second.count(name + ":long") == 2
        await asyncio.sleep(0.6)  # 1.2 s after the first hit: the 1 s window has ended
        assert await first.count(name) == 0
        assert await second.count(name + ":long") == 2  # its own window runs on
        counted = [await second.hit_all([(name, 1, 1)]) for _ in range(2)]
        assert counted == [True, False]  # a new window, limited again
    finally:
        await first.stop()
        await second.stop()
