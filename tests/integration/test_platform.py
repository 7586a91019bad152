"""The spine end to end: the real gateway, engine and action server (issue 3)."""

from __future__ import annotations

import json
import threading
import time
import uuid

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from bankbot.local_stack import RunningStack
from tests.support.customer import Customer, reply_text

pytestmark = pytest.mark.integration


def test_health_reports_every_service(gateway: httpx.Client) -> None:
    body = gateway.get("/health").json()
    assert body == {
        "status": "ok", "database": "ok", "engine": "ok", "actions": "ok", "events": "in-process",
    }  # fmt: skip


def test_opening_hours_in_chinese(gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="zh")
    turn = customer.say("你们几点开门")
    text = reply_text(turn)
    assert "09:00" in text and "17:00" in text, text
    assert turn["state"] == "bot" and turn["handoff"] is None


def test_opening_hours_in_english(gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="en")
    text = reply_text(customer.say("what are your opening hours"))
    assert "09:00" in text and "Monday" in text, text


def test_greet_and_goodbye_in_both_languages(gateway: httpx.Client) -> None:
    zh = Customer(gateway, language="zh")
    assert "您好" in reply_text(zh.say("你好"))
    assert "再见" in reply_text(zh.say("再见"))
    en = Customer(gateway, language="en")
    assert "Hello" in reply_text(en.say("hello"))
    assert "bye" in reply_text(en.say("bye")).lower()


def test_every_message_is_stored_in_order(gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="zh")
    customer.say("你好")
    customer.say("你们几点开门")
    history = customer.history()
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    assert [m["sender"] for m in history[:2]] == ["bot", "customer"]
    assert history[3]["text"] == "你们几点开门"


def test_websocket_pushes_messages_after_auth(stack: RunningStack, gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="en")
    ws_url = stack.gateway_url.replace("http", "ws") + f"/ws/conversations/{customer.id}"
    with connect(ws_url) as ws:
        ws.send(json.dumps({"type": "auth", "token": customer.token}))
        ready = json.loads(ws.recv(timeout=5))
        assert ready["type"] == "ready" and ready["last_seq"] == 1
        customer.say("what are your opening hours")
        events = [json.loads(ws.recv(timeout=10)) for _ in range(2)]
    assert [e["message"]["sender"] for e in events] == ["customer", "bot"]
    assert "09:00" in events[1]["message"]["text"]


def test_websocket_refuses_a_wrong_token(stack: RunningStack, gateway: httpx.Client) -> None:
    customer = Customer(gateway)
    ws_url = stack.gateway_url.replace("http", "ws") + f"/ws/conversations/{customer.id}"
    with connect(ws_url) as ws:
        ws.send(json.dumps({"type": "auth", "token": "not-the-token"}))
        assert json.loads(ws.recv(timeout=5))["type"] == "error"
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    assert ws.close_code == 4401


def test_simultaneous_messages_of_one_conversation_are_serialised(gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="zh")
    results: list[dict] = []

    def send(text: str) -> None:
        results.append(customer.say(text))

    threads = [threading.Thread(target=send, args=(t,)) for t in ("你好", "你们几点开门", "谢谢")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r["replies"] for r in results)
    history = customer.history()
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    assert sum(1 for m in history if m["sender"] == "customer") == 3


def test_retried_message_is_answered_once(gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="zh")
    key = uuid.uuid4().hex
    first = customer.say("你们几点开门", client_message_id=key)
    second = customer.say("你们几点开门", client_message_id=key)
    assert first == second
    assert sum(1 for m in customer.history() if m["sender"] == "customer") == 1


def test_engine_down_gets_an_apology_within_3_s_and_keeps_the_message(
    stack: RunningStack, gateway: httpx.Client
) -> None:
    customer = Customer(gateway, language="zh")
    stack.services["engine"].kill()
    try:
        started = time.monotonic()
        turn = customer.say("你们几点开门")
        assert time.monotonic() - started < 3
        text = reply_text(turn)
        assert "非常抱歉" in text and "95-000" in text
        assert turn["replies"][-1]["buttons"][0]["payload"] == "/request_human"
        assert any(m["text"] == "你们几点开门" for m in customer.history())
        assert gateway.get("/health").json()["engine"] == "down"
    finally:
        stack.restart("engine")
    assert "09:00" in reply_text(customer.say("你们几点开门"))


def test_action_server_down_gets_an_apology(stack: RunningStack, gateway: httpx.Client) -> None:
    customer = Customer(gateway, language="en")
    stack.services["action server"].kill()
    try:
        started = time.monotonic()
        turn = customer.say("what are your opening hours")
        assert time.monotonic() - started < 3
        assert "very sorry" in reply_text(turn) and "95-000" in reply_text(turn)
    finally:
        stack.restart("action server")
    assert "09:00" in reply_text(customer.say("what are your opening hours"))
