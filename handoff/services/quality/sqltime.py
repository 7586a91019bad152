"""Seconds since the epoch of a timestamp column, in SQL, on SQLite and PostgreSQL.

The quality figures subtract timestamps inside the database (handling time,
queue waits); SQLite has no interval type, so each dialect gets its own
expression: ``julianday`` on SQLite (timestamps are stored as UTC text),
``EXTRACT(EPOCH ...)`` on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class epoch(FunctionElement[float]):  # noqa: N801 - reads like the SQL function it stands for
    """``epoch(column)``: the timestamp as seconds since 1970-01-01 UTC (a float)."""

    type = Float()
    name = "epoch"
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"((julianday({compiler.process(arg, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(arg, **kw)}) AS DOUBLE PRECISION)"
