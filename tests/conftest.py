"""Fixtures shared by every test: settings on a throw-away database."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from handoff.core.config import Settings
from handoff.main import create_app
from handoff.migrate import upgrade

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
