"""The same test on SQLite and on PostgreSQL: a throw-away database of each kind.

PostgreSQL comes from ``BANKBOT_TEST_POSTGRES_URL`` (default: the local
server, user ``postgres``); the test fails, with the reason, when the server
cannot be reached (`make test` starts missing servers first).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get(
    "BANKBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def sync_url(url: str) -> str:
    """A URL SQLAlchemy's synchronous engine opens (psycopg 3 for PostgreSQL)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(name="pg_database")
def pg_database_fixture() -> Iterator[str]:
    """A fresh PostgreSQL database (plain URL), dropped afterwards."""
    admin = create_engine(
        sync_url(make_url(PG_ADMIN_URL).render_as_string(hide_password=False)),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - no server here
        admin.dispose()
        pytest.fail(f"PostgreSQL is needed on 127.0.0.1:5432 and is unreachable: {exc!r}")
    name = f"bankbot_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(
    name="any_database",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def any_database_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both backends (a plain URL, not yet migrated)."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_database"))
    return f"sqlite:///{tmp_path}/gateway.db"
