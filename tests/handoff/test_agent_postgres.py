"""The desk on both backends: migrations, parallel claims, the shared login limit (Redis).

PostgreSQL tests create a throw-away database on the server named by
``BANKBOT_TEST_POSTGRES_URL`` (default: the local server, user ``postgres``)
and drop it afterwards; Redis tests use ``BANKBOT_TEST_REDIS_URL``. They fail,
with the reason, when the server cannot be reached: `make test` starts missing
servers first (scripts/ensure-servers), so a pass always means they ran.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from handoff.migrate import alembic_config, upgrade
from tests.support.databases import any_database_fixture, pg_database_fixture  # noqa: F401
from tests.support.desk import (  # noqa: F401 - fixtures
    add_agents,
    backend_mode,
    gateway,
    handoff_of,
    login,
    queued_chat,
    real_time_fixture,
)

REDIS_URL = os.environ.get("BANKBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DESK_TABLES = {"agents", "staff_sessions", "desk_entries", "conversation_facts", "callback_tickets"}


def test_the_desk_migration_goes_up_and_down(any_database: str) -> None:
    upgrade(any_database)
    sync = any_database.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(sync)
    try:
        assert DESK_TABLES <= set(inspect(engine).get_table_names())
        config = alembic_config(any_database)
        command.downgrade(config, "073469c4f64b")
        inspector = inspect(engine)
        assert not DESK_TABLES & set(inspector.get_table_names())
        command.upgrade(config, "head")
        assert DESK_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


async def test_parallel_claims_have_one_winner_on_both_backends(any_database: str) -> None:
    async with gateway(any_database, **backend_mode(any_database)) as api:
        names = await add_agents(api, 8)
        agents = [await login(api, name, "agent1-demo-password") for name in names]
        for _ in range(3):
            chat = await queued_chat(api)
            handoff_id = await handoff_of(api, agents[0], chat)
            results = await asyncio.gather(
                *(api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=h) for h in agents)
            )
            assert sorted(r.status_code for r in results) == [200] + [409] * (len(agents) - 1)
            winner = next(r for r in results if r.status_code == 200).json()
            assert winner["status"] == "claimed" and winner["conversation_state"] == "agent"
        # One agent grabbing six chats at once still ends with three (rule 16).
        (fresh,) = await add_agents(api, 1)
        grabber = await login(api, fresh, "agent1-demo-password")
        chats = [await queued_chat(api) for _ in range(6)]
        ids = [await handoff_of(api, grabber, chat) for chat in chats]
        results = await asyncio.gather(
            *(api.post(f"/api/agent/handoffs/{i}/claim", headers=grabber) for i in ids)
        )
        assert sorted(r.status_code for r in results) == [200] * 3 + [409] * 3


@pytest.mark.postgres
async def test_the_login_limit_is_shared_through_redis(tmp_path: Path) -> None:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001 - no server here
        await client.aclose()
        pytest.fail(f"Redis unreachable at {REDIS_URL}: {type(exc).__name__}")
    keys = [key async for key in client.scan_iter("bankbot:limit:login:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    url = f"sqlite:///{tmp_path}/gateway.db"
    bad = {"username": "agent3", "password": "nope"}
    async with gateway(url, redis_url=REDIS_URL) as first:
        codes = [(await first.post("/api/agent/login", json=bad)).status_code for _ in range(3)]
    async with gateway(url, redis_url=REDIS_URL) as second:  # another gateway, same Redis
        codes += [(await second.post("/api/agent/login", json=bad)).status_code for _ in range(3)]
        right = {"username": "agent3", "password": "agent3-demo-password"}
        assert (await second.post("/api/agent/login", json=right)).status_code == 429
    assert codes == [401] * 5 + [429]
