"""One leader per periodic job across gateways (issue 14, item 2), on real Redis."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from handoff.main import create_app
from handoff.migrate import upgrade
from handoff.services.leader import STOP_WITHIN_S, LeaderLock
from tests.conftest import make_settings
from tests.support.desk import queued_chat
from tests.support.servers import RedisServer, throwaway_redis

pytestmark = pytest.mark.asyncio


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with throwaway_redis() as server:
        yield server


async def test_one_process_leads_a_job_and_another_takes_over_when_it_stops(
    redis_server: RedisServer,
) -> None:
    first, second = LeaderLock(redis_server.url, ttl_s=1.5), LeaderLock(redis_server.url, ttl_s=1.5)
    await first.start()
    await second.start()
    try:
        assert await first.acquire("sweep")
        assert not await second.acquire("sweep")
        assert await second.acquire("reassure")  # another job has its own leader
        await asyncio.sleep(2.0)  # longer than the TTL: the leader's renewal keeps it
        assert not await second.acquire("sweep")
        await first.stop()  # a clean shutdown hands over at once
        assert await second.acquire("sweep")
    finally:
        await first.stop()
        await second.stop()


async def test_a_leader_that_dies_is_replaced_within_the_ttl(redis_server: RedisServer) -> None:
    first, second = LeaderLock(redis_server.url, ttl_s=1.0), LeaderLock(redis_server.url, ttl_s=1.0)
    await first.start()
    await second.start()
    try:
        assert await first.acquire("sweep")
        assert first._renewer is not None
        first._renewer.cancel()  # the process hangs or dies: no more renewals, no release
        first._redis, dead = None, first._redis
        await dead.aclose()
        await asyncio.sleep(1.2)
        assert await second.acquire("sweep")
    finally:
        await first.stop()
        await second.stop()


async def test_a_shutdown_ends_when_redis_hangs(redis_server: RedisServer) -> None:
    lock = LeaderLock(redis_server.url, ttl_s=30.0)
    await lock.start()
    assert await lock.acquire("sweep") and await lock.acquire("reassure")
    assert redis_server.process is not None
    redis_server.process.send_signal(signal.SIGSTOP)  # Redis alive but silent
    try:
        began = time.monotonic()
        await asyncio.wait_for(lock.stop(), timeout=20)
        assert time.monotonic() - began < STOP_WITHIN_S + 1.0
    finally:
        redis_server.process.send_signal(signal.SIGCONT)


async def test_a_shutdown_ends_when_a_renewal_swallows_the_cancel(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Redis client can turn a cancel that lands mid-call into a connection error."""
    lock = LeaderLock(redis_server.url, ttl_s=0.3)
    await lock.start()
    assert await lock.acquire("sweep")
    in_call = asyncio.Event()

    async def renewal_that_eats_the_cancel(job: str) -> bool:
        in_call.set()
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            return False  # what `acquire` makes of the client's error
        return True

    monkeypatch.setattr(lock, "acquire", renewal_that_eats_the_cancel)
    await asyncio.wait_for(in_call.wait(), timeout=5)
    began = time.monotonic()
    await asyncio.wait_for(lock.stop(), timeout=10)
    assert time.monotonic() - began < STOP_WITHIN_S + 1.0


async def test_without_redis_the_only_gateway_leads() -> None:
    alone = LeaderLock(None)
    await alone.start()
    assert await alone.acquire("sweep")
    await alone.stop()


async def test_with_redis_down_nobody_leads(redis_server: RedisServer) -> None:
    lock = LeaderLock(redis_server.url, ttl_s=1.0)
    await lock.start()
    redis_server.stop()
    try:
        assert not await lock.acquire("sweep")
    finally:
        await lock.stop()


async def test_queued_customers_hear_one_push_per_tick_behind_two_gateways(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    apps = [create_app(make_settings(url, redis_url=redis_server.url)) for _ in range(2)]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        for app in apps:
            await app.state.desk.stop_background()
        transport = httpx.ASGITransport(app=apps[0])
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as api:
            chat = await queued_chat(api, "en")
            hub = apps[0].state.context.hub
            assert hub.available  # listening to Redis
            async with hub.subscribe(f"conversation:{chat.id}") as events:
                for app in apps:  # both gateways run the job every 0.3 s
                    app.state.desk.config.reassure_every_s = 0.3
                    app.state.desk.start_background()
                await asyncio.sleep(2.0)
                for app in apps:
                    await app.state.desk.stop_background()
                await asyncio.sleep(0.2)
                pushes = []
                while not events.empty():
                    event = events.get_nowait()
                    if event.get("type") == "queue":
                        pushes.append(event)
    # One gateway leads: about 2.0 / 0.3 ≈ 6 pushes, where two leaders would send ~12.
    assert 3 <= len(pushes) <= 7, len(pushes)
    assert "waiting" in pushes[0]["text"] or "queue" in pushes[0]["text"]
