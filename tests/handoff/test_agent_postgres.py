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
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from handoff.migrate import alembic_config, upgrade
from tests.support.desk import (  # noqa: F401 - fixtures
    add_agents,
    backend_mode,
    gateway,
    handoff_of,
    login,
    queued_chat,
    real_time_fixture,
)

PG_ADMIN_URL = os.environ.get(
    "BANKBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BANKBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DESK_TABLES = {"agents", "staff_sessions", "desk_entries", "conversation_facts", "callback_tickets"}


def _pg_admin_url() -> str:
    return (
        make_url(PG_ADMIN_URL)
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database (plain URL, as operators give it), dropped afterwards."""
    admin = create_engine(
        _pg_admin_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - no server here
        admin.dispose()
        pytest.fail(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {type(exc).__name__}")
    name = f"desk_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both backends."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path}/gateway.db"


def test_the_desk_migration_goes_up_and_down(database_url: str) -> None:
    upgrade(database_url)
    sync = database_url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(sync)
    try:
        assert DESK_TABLES <= set(inspect(engine).get_table_names())
        config = alembic_config(database_url)
        command.downgrade(config, "073469c4f64b")
        inspector = inspect(engine)
        assert not DESK_TABLES & set(inspector.get_table_names())
        command.upgrade(config, "head")
        assert DESK_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


async def test_parallel_claims_have_one_winner_on_both_backends(database_url: str) -> None:
    async with gateway(database_url, **backend_mode(database_url)) as api:
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
