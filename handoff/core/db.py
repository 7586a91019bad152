"""The gateway's database: one async engine per process, SQLite or PostgreSQL.

The same URL drives Alembic (sync drivers) and the app (async drivers), so
operators give one `DATABASE_URL` and never name a driver.
"""

from __future__ import annotations

import select
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState

from common import sqlite
from handoff.core.sqlite_driver import one_trip_dbapi

T = TypeVar("T")
LOCKED_RETRY_S = 0.0005
"""How long a blocking writer waits before trying a locked SQLite database again."""


def async_url(url: str) -> str:
    """Map a plain URL to the async driver this project installs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+aiosqlite"))
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database: {backend}")


def sync_url(url: str) -> str:
    """Map a plain URL to the sync driver Alembic uses."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite"))
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database: {backend}")


def make_engine(url: str) -> AsyncEngine:
    """Create the async engine for `url` with per-backend tuning.

    A server's connections can drop, so a PostgreSQL connection is checked
    when taken from the pool, without a round trip (`server_hung_up`); a
    SQLite file's cannot drop. A SQLite connection is rolled back on its
    return to the pool only when a transaction is open (`rollback_if_open`),
    and each statement is one trip to aiosqlite's thread (`sqlite_driver`).
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(
            async_url(url), pool_reset_on_return=None, module=one_trip_dbapi()
        )
        event.listen(engine.sync_engine, "connect", sqlite.on_connect)
        event.listen(engine.sync_engine.pool, "reset", rollback_if_open)
    else:
        engine = create_async_engine(async_url(url))
        event.listen(engine.sync_engine.pool, "checkout", server_hung_up)
    return engine


def make_sync_engine(url: str) -> Engine:
    """A blocking engine on the same database, for work run whole on a worker thread.

    `services/turn_store.py` runs a customer turn's transactions this way.
    SQLite: the same pragmas as the async engine's connections, except that a
    locked database fails at once (the caller retries, `retry_when_locked`),
    and a connection may be used by whichever worker thread takes it.
    PostgreSQL: the same check of a pooled connection as the async engine's.
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(sync_url(url), connect_args={"check_same_thread": False})
        event.listen(engine, "connect", sqlite.on_connect)
        event.listen(engine, "connect", _fail_when_locked)
    else:
        engine = create_engine(sync_url(url))
        event.listen(engine.pool, "checkout", server_hung_up)
    return engine


def _fail_when_locked(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=0")
    finally:
        cursor.close()


def retry_when_locked(work: Callable[[], T], within_s: float = 10.0) -> T:
    """Run `work` (a whole transaction) again while SQLite says the database is locked.

    SQLite's own wait sleeps 1, 2, 5, 10 … up to 100 ms between tries; a
    thread that writes every customer turn would stall them all that long
    once another connection holds the lock. Trying again every half
    millisecond ends the wait as soon as the lock is free.
    """
    deadline = time.monotonic() + within_s
    while True:
        try:
            return work()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(LOCKED_RETRY_S)


def rollback_if_open(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """The pool's reset of a SQLite connection, without the needless rollback after a commit.

    The pool rolls back every connection given back, also one whose
    transaction was just committed; on aiosqlite each rollback is a trip to
    its thread, two per customer turn. Only an open transaction is rolled back.
    """
    if state.terminate_only or not state.asyncio_safe:
        return  # the connection is being discarded: nothing to reset
    if dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


def server_hung_up(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled PostgreSQL connection the server has ended; the pool opens another.

    An idle connection has nothing to read. Once the server ends it (a restart,
    a terminated backend, an idle timeout) its socket turns readable: the
    farewell message, then the end of the stream. Looking costs no round trip,
    unlike a `SELECT 1` on every checkout; `DisconnectionError` makes the pool
    replace the connection and check out again.
    """
    raw = getattr(dbapi_connection, "driver_connection", dbapi_connection)  # async: adapted
    try:
        if raw.closed or raw.broken:
            raise DisconnectionError("the connection is closed")
        readable, _, _ = select.select([raw.pgconn.socket], [], [], 0)
    except DisconnectionError:
        raise
    except Exception as exc:  # noqa: BLE001 - no usable socket: a dead connection
        raise DisconnectionError(type(exc).__name__) from exc
    if readable:
        raise DisconnectionError("the server ended the connection")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions keep loaded objects usable after commit (no lazy reloads in async)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def session_scope(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session per request, rolled back if the request fails."""
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
