"""Engines and sessions for the core-banking DB.

Callers pass the URL (from their own settings); this module reads no
environment, so tests and the ``bankbot seed`` CLI decide where data lives.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from common import sqlite
from corebank.models import Base

__all__ = ["create_schema", "drop_schema", "make_engine", "normalise_url", "session_factory"]

# Plain "postgresql://" (and Heroku-style "postgres://") would load psycopg2,
# which is not installed; psycopg 3 is the driver we ship.
_PG_DRIVER_ALIASES = {"postgres", "postgresql"}


def normalise_url(url: str | URL) -> URL:
    """Parse ``url`` and pin PostgreSQL to the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in _PG_DRIVER_ALIASES:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Build an engine for SQLite or PostgreSQL (psycopg 3).

    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", sqlite.on_connect)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    raise ValueError(f"unsupported database backend {backend!r}: use sqlite or postgresql")


def create_schema(engine: Engine) -> None:
    """Create the core-banking tables and indexes that do not exist yet."""
    Base.metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    """Drop the core-banking tables, and any table that references them.

    The action server's own tables (:mod:`actions.store`) point foreign keys
    at ``customers``; they go too, found in the database itself, or
    PostgreSQL would refuse the drop. Their owner recreates them when
    missing. Unrelated tables in the same database are left alone.
    """
    present = MetaData()
    present.reflect(engine)
    doomed = {name for name in present.tables if name in Base.metadata.tables}
    grew = True
    while grew:
        dependants = {
            table.name
            for table in present.tables.values()
            if table.name not in doomed
            and any(fk.column.table.name in doomed for fk in table.foreign_keys)
        }
        doomed |= dependants
        grew = bool(dependants)
    present.drop_all(engine, tables=[present.tables[name] for name in doomed])


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (we hand out copies anyway)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
