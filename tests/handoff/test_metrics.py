"""Prometheus metrics at GET /metrics (issue 14, item 7): loopback only, `bankbot_` series."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from handoff.migrate import upgrade
from tests.conftest import make_settings
from tests.support.desk import queued_chat
from tests.support.servers import serve_gateway


def _value(text: str, series: str) -> float:
    """The value of one exact series line, e.g. `bankbot_queue_length{priority="normal"}`."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not in the metrics")


@pytest.mark.asyncio
async def test_metrics_cover_routes_engine_queue_and_handoffs(api: httpx.AsyncClient) -> None:
    chat = await queued_chat(api, "en")  # the engine is down: apology, then a person
    await api.get("/health")  # probes the (dead) action server
    response = await api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    names = set(re.findall(r"^# TYPE (\w+) ", text, flags=re.M))
    assert names and all(name.startswith("bankbot_") for name in names)
    route = '/api/conversations/{conversation_id}/messages'
    assert _value(
        text, f'bankbot_http_request_duration_seconds_count{{method="POST",route="{route}",'
        'status="2xx"}',
    ) == 2  # fmt: skip
    assert chat.id not in text  # templates, never raw paths
    assert _value(text, 'bankbot_engine_request_duration_seconds_count{outcome="error"}') >= 1
    assert _value(text, 'bankbot_action_server_probe_duration_seconds_count{outcome="error"}') >= 1
    assert _value(text, 'bankbot_handoffs_total{priority="normal",reason="system_error"}') == 1
    assert _value(text, 'bankbot_queue_length{priority="normal"}') == 1
    assert _value(text, "bankbot_queue_oldest_wait_seconds") >= 0
    assert _value(text, "bankbot_events_listener_up") == 1
    assert "# TYPE bankbot_trainings gauge" in text and "# TYPE bankbot_deploys gauge" in text
    assert "# TYPE bankbot_queue_wait_seconds histogram" in text


@pytest.mark.asyncio
async def test_metrics_are_refused_to_anyone_but_loopback(api: httpx.AsyncClient) -> None:
    app = api.app  # type: ignore[attr-defined]
    remote = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://gateway") as stranger:
        assert (await stranger.get("/metrics")).status_code == 404
    proxied = await api.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert proxied.status_code == 404
    assert "bankbot_" not in proxied.text


def test_open_websockets_are_counted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/gateway.db"
    upgrade(url)
    with serve_gateway(make_settings(url)) as base, httpx.Client(base_url=base) as client:
        conv = client.post("/api/conversations", json={"channel": "web"}).json()
        ws_url = base.replace("http", "ws") + f"/ws/conversations/{conv['conversation_id']}"
        with connect(ws_url) as ws:
            ws.send(json.dumps({"type": "auth", "token": conv["token"]}))
            assert json.loads(ws.recv(timeout=5))["type"] == "ready"
            during = client.get("/metrics").text
        assert _value(during, 'bankbot_websockets_open{kind="customer"}') == 1
