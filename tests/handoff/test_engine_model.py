"""The model engines pull from the gateways (GET /api/engine/model, issue 14 item 1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from handoff.main import create_app
from handoff.migrate import upgrade
from handoff.models import ContentLive, ContentModelArchive
from handoff.services.content.runtime import ContentRuntime
from handoff.services.content.settings import ContentSettings
from tests.conftest import make_settings

pytestmark = pytest.mark.asyncio
TOKEN = "test-engine-token"


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    default = tmp_path / "repo-model.tar.gz"
    default.write_bytes(b"repository model bytes")
    app = create_app(make_settings(url))
    async with app.router.lifespan_context(app):
        runtime: ContentRuntime = app.state.content
        runtime.settings = ContentSettings(_env_file=None, default_model=default)  # type: ignore[call-arg]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def test_only_the_engine_token_gets_the_model(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/api/engine/model")).status_code == 401
    wrong = await gateway.get("/api/engine/model", params={"token": "guess"})
    assert wrong.status_code == 401 and b"repository" not in wrong.content


async def test_engines_get_the_repository_model_until_one_goes_live(
    gateway: httpx.AsyncClient,
) -> None:
    first = await gateway.get("/api/engine/model", params={"token": TOKEN})
    assert first.status_code == 200 and first.content == b"repository model bytes"
    assert first.headers["etag"] == "repo-model"
    assert first.headers["filename"] == "repo-model.tar.gz"  # Rasa names the model after it
    again = await gateway.get(
        "/api/engine/model", params={"token": TOKEN}, headers={"If-None-Match": "repo-model"}
    )
    assert again.status_code == 304 and again.content == b""

    ctx = gateway.app.state.context  # type: ignore[attr-defined]
    async with ctx.sessions() as session:  # what pipeline/publish.py writes
        session.add(ContentModelArchive(model_id="m2", data=b"approved model"))
        session.add(ContentLive(id=1, engine_url="http://127.0.0.1:9", model_id="m2", generation=1))
        await session.commit()
    pulled = await gateway.get(
        "/api/engine/model", params={"token": TOKEN}, headers={"If-None-Match": "repo-model"}
    )
    assert pulled.status_code == 200 and pulled.content == b"approved model"
    assert pulled.headers["etag"] == "m2"
