"""Fixtures shared by every test.

Settings on a throw-away database for in-process gateway tests, and the real
stack (engine, action server, gateway) started once per session for the
integration and browser tests, with a model cached by content hash.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bankbot.local_stack import LOOPBACK_LOAD_LIMITS, RunningStack, start_stack
from common.paths import ROOT
from corebank.db import create_schema, make_engine
from corebank.demo.seed import seed
from handoff.core.config import Settings
from handoff.main import create_app
from handoff.migrate import upgrade
from pipeline.checkout import ensure_model

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# A port nothing listens on: the engine is "down" for tests that do not start it.
DEAD_ENGINE = "http://127.0.0.1:9"


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Gateway settings isolated from the developer's `.env`."""
    values: dict[str, object] = {
        "database_url": database_url,
        "engine_url": DEAD_ENGINE,
        "engine_token": "test-engine-token",
        "session_secret": "test-session-secret",
        "otp_digest_key": "test-otp-digest-key",
        "redis_url": None,
        "action_server_url": DEAD_ENGINE + "/webhook",
        **{name.lower(): int(value) for name, value in LOOPBACK_LOAD_LIMITS.items()},
        # Tests travel in time with staff logged in; the idle timeout is tested on its own.
        "staff_idle_timeout_s": 12 * 3600,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def gateway_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    return make_settings(url)


@pytest.fixture
async def api(gateway_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in-process, on a fresh database, with no engine behind it."""
    app = create_app(gateway_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the repository's current data; trained only if its inputs changed."""
    return ensure_model(ROOT / "var" / "log" / "test-train.log", say=print)


@pytest.fixture(scope="session")
def core_bank(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small deterministic demo bank (the two named customers plus a few hundred)."""
    path = tmp_path_factory.mktemp("corebank") / "corebank.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    create_schema(engine)
    seed(engine, customers=200)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def stack(
    trained_model: Path, core_bank: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """Engine, action server and gateway, real processes, for the whole session."""
    workdir = tmp_path_factory.mktemp("stack")
    upgrade(f"sqlite:///{workdir}/gateway.db")
    running = start_stack(
        trained_model,
        workdir,
        core_database_url=core_bank,
        # Many tests verify the same demo customers within the hour.
        extra_env={
            **LOOPBACK_LOAD_LIMITS,
            "OTP_MAX_SENDS_PER_HOUR": "1000",
            "AGENT_HOURS": "00:00-23:59:59",  # the desk is open whenever CI runs
        },
    )
    yield running
    running.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the
    main thread until the session ends, which async tests cannot share."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))
