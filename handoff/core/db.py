"""The gateway's database: one async engine per process, SQLite or PostgreSQL.

The same URL drives Alembic (sync drivers) and the app (async drivers), so
operators give one `DATABASE_URL` and never name a driver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from common import sqlite


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

    A server's connections can drop, so PostgreSQL's are pinged when taken from
    the pool; a SQLite file's cannot, and a ping would be one more round trip on
    every request.
    """
    sqlite_file = make_url(url).get_backend_name() == "sqlite"
    engine = create_async_engine(async_url(url), pool_pre_ping=not sqlite_file)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", sqlite.on_connect)
    return engine


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
