"""The development SMS outbox: fed by the action server, read by people and tests."""

from __future__ import annotations

import httpx
import pytest

from handoff.main import create_app
from tests.conftest import make_settings

pytestmark = pytest.mark.asyncio


async def test_outbox_takes_sms_with_the_engine_token_and_lists_newest_first(
    api: httpx.AsyncClient,
) -> None:
    headers = {"X-Engine-Token": "test-engine-token"}
    for text in ("first 111111", "second 222222"):
        response = await api.post(
            "/api/dev/sms", json={"phone": "13800138000", "text": text}, headers=headers
        )
        assert response.status_code == 201
    await api.post("/api/dev/sms", json={"phone": "13900139000", "text": "other"}, headers=headers)
    listed = (await api.get("/api/dev/sms", params={"phone": "13800138000"})).json()["messages"]
    assert [m["text"] for m in listed] == ["second 222222", "first 111111"]
    page = await api.get("/dev/sms")
    assert page.status_code == 200 and "second 222222" in page.text


async def test_outbox_refuses_senders_without_the_engine_token(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/dev/sms", json={"phone": "13800138000", "text": "x"})
    assert response.status_code == 401
    response = await api.post(
        "/api/dev/sms",
        json={"phone": "13800138000", "text": "x"},
        headers={"X-Engine-Token": "wrong"},
    )
    assert response.status_code == 401
    assert (await api.get("/api/dev/sms")).json() == {"messages": []}


async def test_outbox_does_not_exist_in_production(tmp_path) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path}/p.db",
        BANKBOT_ENV="production",
        engine_token="e" * 40,
        session_secret="s" * 40,
        otp_digest_key="o" * 40,
    )
    app = create_app(settings)
    routes = {getattr(r, "path", "") for r in app.routes}
    assert "/api/dev/sms" not in routes and "/dev/sms" not in routes
