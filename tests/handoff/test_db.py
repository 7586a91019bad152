"""The gateway's database engine: a PostgreSQL connection the server ended is never handed out.

The check costs no round trip (no `SELECT 1` per checkout); a SQLite file's
connections need none.
"""

from __future__ import annotations

import asyncio
import os

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from handoff.core.db import make_engine

PG_URL = os.environ.get("BANKBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def test_no_ping_round_trip_on_either_backend() -> None:
    postgres = make_engine(PG_URL)
    sqlite = make_engine("sqlite:///var/never-opened.db")
    try:
        assert postgres.sync_engine.pool._pre_ping is False
        assert sqlite.sync_engine.pool._pre_ping is False
    finally:
        await postgres.dispose()
        await sqlite.dispose()


async def test_a_connection_the_server_ended_is_replaced_without_an_error() -> None:
    engine = make_engine(PG_URL)
    plain = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        async with engine.connect() as conn:  # pooled once used
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        with psycopg.connect(plain, autocommit=True, connect_timeout=5) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        await asyncio.sleep(0.2)  # the farewell reaches the pooled socket
        async with engine.connect() as conn:  # as the next request would: no error
            second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()
