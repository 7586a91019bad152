"""SQLAlchemy's aiosqlite adapter, making one trip to SQLite's thread per statement.

aiosqlite runs every call on a thread of the connection's own, and the event
loop waits for the answer: a trip there and back (two thread wake-ups).
SQLAlchemy's adapter makes up to four trips per statement: it opens an
aiosqlite cursor, executes, fetches the rows, closes the cursor. A customer's
turn runs about twelve statements, so the trips, not SQLite, were most of the
gateway's database time (a statement 3 µs in sqlite3, 190 µs through
aiosqlite). Here the four calls run together, in one trip, on the same thread
and the same sqlite3 connection, in the same order: the rows, the row count,
the last row id and the description are read before the cursor is closed,
and errors are SQLite's own, raised where they were.

Only the plain (buffered) cursor changes; server-side cursors, transactions,
commits and the connection's life are SQLAlchemy's and aiosqlite's as before.
`handoff.core.db.make_engine` passes `one_trip_dbapi()` as the engine's module.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

Outcome = tuple[Any, list[Any] | None, int, int | None]
"""What a statement left on its cursor: (description, rows or None, rowcount, lastrowid)."""


def _run(connection: aiosqlite.Connection, operation: str, parameters: Any) -> Outcome:
    """On aiosqlite's thread: the whole statement on a cursor of its own."""
    cursor = connection._conn.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(connection: aiosqlite.Connection, operation: str, parameters: Any) -> Outcome:
    """On aiosqlite's thread: one statement for each set of parameters."""
    cursor = connection._conn.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, None, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose every statement is one trip (no aiosqlite cursor kept)."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")

    def __init__(self, adapt_connection: Any) -> None:
        # Not the parent's: it opens an aiosqlite cursor, a trip of its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # no aiosqlite cursor: see _run
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        """The last statement's columns (None for a statement without rows)."""
        return self._description

    @property
    def rowcount(self) -> int:
        """Rows the last statement changed, as sqlite3 counts them."""
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        """The row id of the last row inserted, as sqlite3 reports it."""
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        """sqlite3's default; the rows are all fetched already."""
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        """Ignored: the rows are all fetched already."""

    async def _async_soft_close(self) -> None:
        """Nothing is open on aiosqlite's side."""

    def close(self) -> None:
        """Forget the rows (the sqlite3 cursor closed with its statement)."""
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            await self._apply(_run, operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        async with self._adapt_connection._execute_mutex:
            await self._apply(_run_many, operation, seq_of_parameters)

    async def _apply(self, function: Any, operation: Any, parameters: Any) -> None:
        connection = self._connection
        outcome: Outcome = await connection._execute(function, connection, operation, parameters)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows or ())


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, handing out `OneTripCursor`s."""

    __slots__ = ()
    _cursor_cls = OneTripCursor


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite module adapter, connecting `OneTripConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        """The aiosqlite connection, connected as SQLAlchemy connects it."""
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    """The module to give `create_async_engine` for an aiosqlite URL."""
    return OneTripDBAPI(aiosqlite, sqlite3)
