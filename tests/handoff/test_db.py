"""The gateway's database engine: a ping per checkout only where connections can drop."""

from __future__ import annotations

from handoff.core.db import make_engine


async def test_postgres_connections_are_pinged_and_sqlite_ones_are_not() -> None:
    postgres = make_engine("postgresql://postgres@127.0.0.1:5432/postgres")
    sqlite = make_engine("sqlite:///var/never-opened.db")
    try:
        assert postgres.sync_engine.pool._pre_ping is True
        assert sqlite.sync_engine.pool._pre_ping is False
    finally:
        await postgres.dispose()
        await sqlite.dispose()
