"""The gateway's database engine: a PostgreSQL connection the server ended is never handed out.

The check costs no round trip (no `SELECT 1` per checkout); a SQLite file's
connections need none, and are rolled back on their return to the pool only
when a transaction is open.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import PoolResetState

from handoff.core.db import make_engine, make_sessionmaker, rollback_if_open

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



class _Driver:
    def __init__(self, in_transaction: bool) -> None:
        self.in_transaction = in_transaction


class _Adapted:
    """What the pool hands the reset hook: the adapted connection and its driver's."""

    def __init__(self, in_transaction: bool) -> None:
        self.driver_connection = _Driver(in_transaction)
        self.rolled_back = False

    def rollback(self) -> None:
        self.rolled_back = True


def test_a_sqlite_connection_is_rolled_back_on_return_only_with_a_transaction_open() -> None:
    committed, left_open, discarded = _Adapted(False), _Adapted(True), _Adapted(True)
    rollback_if_open(committed, None, PoolResetState(False, False, True))
    rollback_if_open(left_open, None, PoolResetState(False, False, True))
    rollback_if_open(discarded, None, PoolResetState(False, True, False))
    assert (committed.rolled_back, left_open.rolled_back, discarded.rolled_back) == (
        False, True, False,
    )  # fmt: skip


async def test_a_write_left_uncommitted_is_rolled_back_and_releases_the_file(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/reset.db")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
        sessions = make_sessionmaker(engine)
        async with sessions() as session:  # committed, then given back
            await session.execute(text("INSERT INTO t VALUES (1)"))
            await session.commit()
        async with sessions() as session:  # never committed
            await session.execute(text("INSERT INTO t VALUES (2)"))
        async with engine.begin() as conn:  # the file is not left locked
            await conn.execute(text("INSERT INTO t VALUES (3)"))
            assert (await conn.execute(text("SELECT x FROM t"))).scalars().all() == [1, 3]
    finally:
        await engine.dispose()
