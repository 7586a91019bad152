"""The agent console's WebSocket on a real server: auth, queue and message events, heartbeat."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.desk import (  # noqa: F401 - fixtures
    LiveGateway,
    live_gateway_fixture,
    real_time_fixture,
)


def staff_token(client: httpx.Client, username: str) -> str:
    response = client.post(
        "/api/agent/login", json={"username": username, "password": f"{username}-demo-password"}
    )
    assert response.status_code == 200
    return str(response.json()["token"])


def queued_customer(client: httpx.Client) -> dict[str, Any]:
    conv = client.post("/api/conversations", json={"channel": "web", "language": "zh"}).json()
    headers = {"Authorization": f"Bearer {conv['token']}"}
    for text in ("我要转人工", "/request_human"):
        turn = client.post(
            f"/api/conversations/{conv['conversation_id']}/messages",
            json={"text": text, "client_message_id": uuid.uuid4().hex},
            headers=headers,
        )
    assert turn.json()["state"] == "queued"
    return {**conv, "headers": headers}


def next_event(ws: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:
    """The next frame of type `kind`, skipping pings and others."""
    while True:
        frame = json.loads(ws.recv(timeout=timeout))
        if frame["type"] == kind:
            return frame


def open_agent_socket(gateway: LiveGateway, token: str | None, **kwargs: Any) -> ClientConnection:
    ws = connect(gateway.ws_url + "/ws/agent", **kwargs)
    ws.send(json.dumps({"type": "auth", **({"token": token} if token else {})}))
    return ws


def test_queue_and_message_events_reach_the_agent(live_gateway: LiveGateway) -> None:
    with httpx.Client(base_url=live_gateway.url, timeout=10) as client:
        token = staff_token(client, "agent1")
        with open_agent_socket(live_gateway, token) as agent_ws:
            ready = next_event(agent_ws, "ready")
            assert ready["agent"]["role"] == "agent"
            customer = queued_customer(client)
            new = next_event(agent_ws, "queue")
            assert new["event"] == "new" and new["conversation_id"] == customer["conversation_id"]

            with connect(
                live_gateway.ws_url + f"/ws/conversations/{customer['conversation_id']}"
            ) as customer_ws:
                customer_ws.send(json.dumps({"type": "auth", "token": customer["token"]}))
                next_event(customer_ws, "ready")
                claimed = client.post(
                    f"/api/agent/handoffs/{new['handoff_id']}/claim",
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert claimed.status_code == 200
                joined = next_event(customer_ws, "message")["message"]
                assert joined["sender"] == "system" and "王芳" in joined["text"]
                assert next_event(customer_ws, "state")["state"] == "agent"
                assert next_event(agent_ws, "queue")["event"] == "claimed"

                client.post(
                    f"/api/agent/handoffs/{new['handoff_id']}/messages",
                    json={"text": "您好，请问有什么可以帮您？"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                reply = next_event(customer_ws, "message")["message"]
                assert reply["sender"] == "agent" and reply["agent_name"] == "王芳"

            client.post(
                f"/api/conversations/{customer['conversation_id']}/messages",
                json={"text": "我的卡被锁了", "client_message_id": uuid.uuid4().hex},
                headers=customer["headers"],
            )
            event = next_event(agent_ws, "message")
            while event["message"]["sender"] != "customer":
                event = next_event(agent_ws, "message")
            assert event["handoff_id"] == new["handoff_id"]
            assert event["message"]["text"] == "我的卡被锁了"

            agent_ws.send(json.dumps({"type": "ping"}))
            assert next_event(agent_ws, "pong")["type"] == "pong"


@pytest.mark.parametrize("token", [None, "not-a-session"])
def test_the_socket_refuses_a_missing_or_wrong_session(
    live_gateway: LiveGateway, token: str | None
) -> None:
    with open_agent_socket(live_gateway, token) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "error"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    assert ws.close_code == 4401


def test_editors_are_refused(live_gateway: LiveGateway) -> None:
    with httpx.Client(base_url=live_gateway.url, timeout=10) as client:
        token = staff_token(client, "editor1")
    with open_agent_socket(live_gateway, token) as ws:
        assert json.loads(ws.recv(timeout=5))["error"]["code"] == "forbidden"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    assert ws.close_code == 4403


def test_the_console_cookie_works_only_from_the_gateways_own_origin(
    live_gateway: LiveGateway,
) -> None:
    with httpx.Client(base_url=live_gateway.url, timeout=10) as client:
        form = client.post(
            "/console/login",
            data={"username": "supervisor1", "password": "supervisor1-demo-password"},
            follow_redirects=False,
        )
        cookie = f"bankbot_staff={form.cookies['bankbot_staff']}"
    host = live_gateway.url.removeprefix("http://")
    own = {"Cookie": cookie}
    with open_agent_socket(
        live_gateway, None, additional_headers=own, origin=f"http://{host}"
    ) as ws:
        assert next_event(ws, "ready")["agent"]["role"] == "supervisor"
    with open_agent_socket(
        live_gateway, None, additional_headers=own, origin="https://evil.example"
    ) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "error"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    assert ws.close_code == 4401


def test_logout_closes_the_console_socket(live_gateway: LiveGateway) -> None:
    with httpx.Client(base_url=live_gateway.url, timeout=10) as client:
        token = staff_token(client, "agent2")
        with open_agent_socket(live_gateway, token) as ws:
            next_event(ws, "ready")
            client.post("/api/agent/logout", headers={"Authorization": f"Bearer {token}"})
            assert next_event(ws, "logout")["type"] == "logout"
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
        assert ws.close_code == 4401
