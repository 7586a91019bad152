"""How every SQLite database of bankbot is opened, and where a relative path points.

WAL lets readers go on while a message or a seed is written; the busy timeout
makes concurrent writers queue instead of failing with "database is locked";
foreign keys are off by default in SQLite and would silently accept orphans;
WAL + NORMAL is durable against application crashes and much faster to commit.
"""

from __future__ import annotations

from typing import Any, Protocol

from common.paths import ROOT

PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


class _Cursor(Protocol):
    def execute(self, sql: str) -> Any: ...

    def close(self) -> Any: ...


class _Connection(Protocol):
    def cursor(self) -> _Cursor: ...


def on_connect(dbapi_connection: _Connection, _record: object = None) -> None:
    """Apply :data:`PRAGMAS` to a new connection (an SQLAlchemy ``connect`` listener)."""
    cursor = dbapi_connection.cursor()
    try:
        for statement in PRAGMAS:
            cursor.execute(statement)
    finally:
        cursor.close()


def absolute_sqlite_url(url: str) -> str:
    """Anchor a relative SQLite path at the checkout's root, whatever the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        return prefix + str(ROOT / url[len(prefix) :])
    return url
