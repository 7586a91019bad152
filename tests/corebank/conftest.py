"""Fixtures for the core-banking tests: a fresh database per test, on SQLite or PostgreSQL.

PostgreSQL tests create a throw-away database on the server named by
``BANKBOT_TEST_POSTGRES_URL`` (default: the local server, user ``postgres``)
and drop it afterwards. When that server cannot be reached they fail, and the
reason is printed once at the top of the run (`make test` starts it first).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from corebank.db import make_engine
from corebank.demo.seed import seed
from corebank.repository import CoreBankRepository

PG_ADMIN_URL = os.environ.get(
    "BANKBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FIXED_NOW = datetime(2026, 11, 1, 2, 30, tzinfo=UTC)
SMALL = 20  # synthetic customers in per-test seeds: enough variety, well under a second


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A brand-new SQLite file for this test."""
    engine = make_engine(f"sqlite:///{tmp_path / 'corebank.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_admin(request: pytest.FixtureRequest) -> Iterator[Engine | str]:
    """An AUTOCOMMIT engine on the PostgreSQL server, or the reason there is none."""
    engine = make_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "no server here"
        engine.dispose()
        safe_url = make_url(PG_ADMIN_URL).render_as_string(hide_password=True)
        reason = f"PostgreSQL unreachable at {safe_url}: {type(exc).__name__}: {exc}".splitlines()[
            0
        ]
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():  # say it even with output captured
                reporter.write_line(f"\ncorebank: PostgreSQL tests will FAIL. {reason}", red=True)
        yield reason
        return
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_admin: Engine | str) -> Iterator[Engine]:
    """A brand-new PostgreSQL database for this test, dropped afterwards."""
    if isinstance(pg_admin, str):  # never a silent skip (scripts/ensure-servers starts it)
        pytest.fail(pg_admin)
    name = f"corebank_test_{uuid.uuid4().hex[:16]}"
    quoted = pg_admin.dialect.identifier_preparer.quote(name)
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    engine = make_engine(make_url(PG_ADMIN_URL).set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with pg_admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on both backends."""
    name = "pg_engine" if request.param == "postgresql" else "sqlite_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """A small seeded demo DB (both named customers plus ``SMALL`` synthetic ones)."""
    seed(engine, customers=SMALL)
    return engine


@pytest.fixture
def fixed_now() -> datetime:
    """What the repository's clock says in these tests."""
    return FIXED_NOW


@pytest.fixture
def repo(seeded: Engine) -> CoreBankRepository:
    """The repository over the seeded DB, with a fixed clock."""
    return CoreBankRepository(seeded, clock=lambda: FIXED_NOW)
