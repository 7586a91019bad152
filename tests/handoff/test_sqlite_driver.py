"""The gateway's SQLite driver: one trip to aiosqlite's thread per statement, same results.

Every statement kind the gateway runs (a query, INSERT ... RETURNING, an
UPDATE's row count, an INSERT's row id, several rows at once, PRAGMAs) gives
what SQLAlchemy's own aiosqlite adapter gives, errors included, each in one
trip.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from handoff.core.db import make_engine
from handoff.core.sqlite_driver import OneTripDBAPI, one_trip_dbapi


@contextmanager
def _trips() -> Iterator[list[str]]:
    """Names of the calls sent to aiosqlite's thread meanwhile."""
    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    aiosqlite.Connection._execute = counted  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        aiosqlite.Connection._execute = original  # type: ignore[method-assign]


async def _session_of_statements(connection: AsyncConnection) -> list[Any]:
    """What each statement kind gives back, in order."""
    seen: list[Any] = []
    await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    returned = await connection.execute(text("INSERT INTO t (v) VALUES ('a') RETURNING id, v"))
    seen.append(returned.all())
    inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
    seen.append((inserted.lastrowid, inserted.rowcount))
    many = await connection.execute(
        text("INSERT INTO t (v) VALUES (:v)"), [{"v": "c"}, {"v": "d"}, {"v": "e"}]
    )
    seen.append(many.rowcount)
    updated = await connection.execute(text("UPDATE t SET v = v || '!' WHERE id > :n"), {"n": 2})
    seen.append(updated.rowcount)
    claimed = await connection.execute(
        text("UPDATE t SET v = v || '?' WHERE id = :i RETURNING v"), {"i": 1}
    )
    seen.append(claimed.scalar_one())
    rows = await connection.execute(text("SELECT id, v FROM t ORDER BY id"))
    seen.append((list(rows.keys()), rows.all()))
    nothing = await connection.execute(text("SELECT v FROM t WHERE id = 99"))
    seen.append(nothing.all())
    seen.append((await connection.execute(text("PRAGMA foreign_keys"))).scalar())
    with pytest.raises(IntegrityError) as duplicate:
        await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
    seen.append(type(duplicate.value.orig).__name__)
    return seen


async def _results(engine: AsyncEngine) -> list[Any]:
    try:
        async with engine.begin() as connection:
            seen = await _session_of_statements(connection)
        async with engine.connect() as connection:  # the error left the file usable
            seen.append((await connection.execute(text("SELECT count(*) FROM t"))).scalar())
        return seen
    finally:
        await engine.dispose()


async def test_every_statement_kind_gives_what_sqlalchemys_own_adapter_gives(
    tmp_path: Path,
) -> None:
    own = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'own.db'}")
    ours = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'ours.db'}", module=one_trip_dbapi()
    )
    expected = await _results(own)
    assert expected[0] == [(1, "a")] and expected[-1] == 5  # the comparison compares something
    assert await _results(ours) == expected


async def test_a_statement_is_one_trip_to_aiosqlites_thread(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            statements = [
                (text("INSERT INTO t (v) VALUES ('a') RETURNING id"), None),
                (text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}]),
                (text("UPDATE t SET v = 'x' WHERE id = :i"), {"i": 1}),
                (text("SELECT id, v FROM t"), None),
            ]
            for statement, parameters in statements:
                with _trips() as sent:
                    await connection.execute(statement, parameters)
                assert len(sent) == 1, (str(statement), sent)
    finally:
        await engine.dispose()


def test_the_gateways_sqlite_engine_uses_it_and_postgresql_is_untouched() -> None:
    sqlite = make_engine("sqlite:///var/never-opened.db")
    postgres = make_engine("postgresql://postgres@127.0.0.1:5432/postgres")
    assert isinstance(sqlite.dialect.dbapi, OneTripDBAPI)
    assert not isinstance(postgres.dialect.dbapi, OneTripDBAPI)
