"""Serving a chat: the agent's view, messages both ways, closing (rule 6), who may see what."""

from __future__ import annotations

import httpx
import pytest

from handoff.services.engine import BotReply
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    desk_api_fixture,
    drain,
    handoff_of,
    handoff_reply,
    history,
    login,
    queued_chat,
    real_time_fixture,
    say,
    script_engine,
    start_chat,
)

pytestmark = pytest.mark.asyncio


async def claimed(api: httpx.AsyncClient, username: str = "agent1", language: str = "zh"):  # type: ignore[no-untyped-def]
    chat = await queued_chat(api, language)
    agent = await login(api, username)
    handoff_id = await handoff_of(api, agent, chat)
    response = await api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    assert response.status_code == 200
    return chat, agent, handoff_id


async def test_messages_flow_both_ways_in_real_time(desk_api: httpx.AsyncClient) -> None:
    hub = context(desk_api).hub
    chat, agent, handoff_id = await claimed(desk_api)
    async with (
        hub.subscribe(f"conversation:{chat.id}") as customer_events,
        hub.subscribe("agent:1", "supervisors") as staff_events,
    ):
        sent = await desk_api.post(
            f"/api/agent/handoffs/{handoff_id}/messages",
            json={"text": " 您好，\u200b请问卡号6222021234566789是您的吗？ "},
            headers=agent,
        )
        assert sent.status_code == 201
        message = sent.json()
        assert message["sender"] == "agent" and message["agent_name"] == "王芳"
        assert message["text"] == "您好，请问卡号**** 6789是您的吗？"  # cleaned and masked
        pushed = await drain(customer_events)
        assert [(e["type"], e["message"]["seq"], e["message"]["text"]) for e in pushed] == [
            ("message", message["seq"], message["text"])
        ]

        turn = await say(desk_api, chat, "是的，手机13800138000")
        assert turn.json()["state"] == "agent" and turn.json()["replies"] == []
        events = await drain(staff_events)
        customer = [
            e for e in events if e["type"] == "message" and e["message"]["sender"] == "customer"
        ]
        assert customer and customer[0]["handoff_id"] == handoff_id
        assert customer[0]["message"]["text"] == "是的，手机138****8000"
    assert [m["sender"] for m in await history(desk_api, chat)][-2:] == ["agent", "customer"]


async def test_agent_message_validation(desk_api: httpx.AsyncClient) -> None:
    _, agent, handoff_id = await claimed(desk_api)
    url = f"/api/agent/handoffs/{handoff_id}/messages"
    empty = await desk_api.post(url, json={"text": "\u200b "}, headers=agent)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_message"
    long = await desk_api.post(url, json={"text": "好" * 2001}, headers=agent)
    assert long.status_code == 422 and long.json()["error"]["code"] == "message_too_long"
    extra = await desk_api.post(url, json={"text": "hi", "sender": "bot"}, headers=agent)
    assert extra.status_code == 422


async def test_the_agent_sees_reason_verification_summary_and_a_masked_transcript(
    desk_api: httpx.AsyncClient,
) -> None:
    def engine(text: str) -> list[BotReply] | None:
        if "余额" in text:
            return [
                BotReply(text="您的余额为12,345.67元。"),
                BotReply(custom={"verified": {"at": "2026-11-25T08:00:00Z"}}),
                BotReply(custom={"intent": "check_balance"}),
            ]
        if "开门" in text:
            return [
                BotReply(text="营业时间为09:00-17:00。"),
                BotReply(custom={"intent": "faq/opening_hours"}),
            ]
        if "投诉" in text:
            return handoff_reply("complaint", "high")
        return [BotReply(text="对不起，麻烦您将刚才的问题再描述一遍，好吗？")]

    script_engine(desk_api, engine)
    chat = await start_chat(desk_api, "zh")
    for text in ["我的余额是多少 卡号6222021234566789", "几点开门", "嗯？", "嗯？", "我要投诉"]:
        assert (await say(desk_api, chat, text)).status_code == 200
    agent = await login(desk_api, "agent1")
    handoff_id = await handoff_of(desk_api, agent, chat)
    await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    detail = (await desk_api.get(f"/api/agent/handoffs/{handoff_id}", headers=agent)).json()
    assert detail["reason"] == "complaint" and detail["priority"] == "high"
    assert detail["language"] == "zh"
    # Verified at 08:00 and the action server's 30 minutes have passed since.
    assert detail["verification"] == {
        "verified": True,
        "at": "2026-11-25T08:00:00Z",
        "expired": True,
        "expires_at": "2026-11-25T08:30:00Z",
    }
    summary = detail["summary"]
    assert summary["intents"] == ["check_balance", "faq/opening_hours"]
    assert summary["faq_keys"] == ["opening_hours"]
    assert summary["customer_messages"] == 5
    kinds = [f["kind"] for f in summary["failures"]]
    assert kinds.count("not_understood") == 2 and "repeated_question" in kinds
    assert summary["failed_attempts"] == len(kinds)
    texts = " ".join(m["text"] for m in detail["transcript"])
    assert "6222021234566789" not in texts and "**** 6789" in texts
    assert [m["seq"] for m in detail["transcript"]] == list(range(1, len(detail["transcript"]) + 1))


async def test_only_the_holder_and_supervisors_may_read_a_chat(desk_api: httpx.AsyncClient) -> None:
    chat, holder, handoff_id = await claimed(desk_api)
    other = await login(desk_api, "agent2")
    url = f"/api/agent/handoffs/{handoff_id}"
    assert (await desk_api.get(url, headers=holder)).status_code == 200
    denied = await desk_api.get(url, headers=other)
    assert denied.status_code == 403
    assert (
        await desk_api.post(f"{url}/messages", json={"text": "hi"}, headers=other)
    ).status_code == 403
    close = {"resolution": "x", "return_to_bot": False}
    assert (await desk_api.post(f"{url}/close", json=close, headers=other)).status_code == 403
    supervisor = await login(desk_api, "supervisor1")
    assert (await desk_api.get(url, headers=supervisor)).json()["conversation_id"] == chat.id
    # A waiting chat is only a queue line for an agent until they claim it.
    waiting = await queued_chat(desk_api)
    waiting_id = await handoff_of(desk_api, other, waiting)
    assert (
        await desk_api.get(f"/api/agent/handoffs/{waiting_id}", headers=other)
    ).status_code == 403
    listed = (await desk_api.get("/api/agent/handoffs", headers=other)).json()["items"]
    assert listed == []
    assert [
        i["id"] for i in (await desk_api.get("/api/agent/handoffs", headers=holder)).json()["items"]
    ] == [handoff_id]


async def test_close_and_return_to_the_bot_which_answers_again(desk_api: httpx.AsyncClient) -> None:
    chat, agent, handoff_id = await claimed(desk_api)
    script_engine(desk_api, lambda text: [BotReply(text=f"机器人回答：{text}")])
    closed = await desk_api.post(
        f"/api/agent/handoffs/{handoff_id}/close",
        json={"resolution": "已为客户挂失", "return_to_bot": True},
        headers=agent,
    )
    assert closed.status_code == 200
    assert closed.json() == {"id": handoff_id, "status": "closed", "conversation_state": "bot"}
    messages = await history(desk_api, chat)
    prompt = messages[-1]
    assert prompt["sender"] == "system" and "满意" in prompt["text"]
    assert [b["payload"] for b in prompt["buttons"]] == [
        "very_satisfied",
        "neutral",
        "dissatisfied",
    ]
    turn = (await say(desk_api, chat, "几点开门")).json()
    assert turn["state"] == "bot" and turn["replies"][0]["text"] == "机器人回答：几点开门"
    again = await desk_api.post(
        f"/api/agent/handoffs/{handoff_id}/close",
        json={"resolution": "twice", "return_to_bot": True},
        headers=agent,
    )
    assert again.status_code == 409


async def test_close_ends_the_conversation_and_asks_for_a_rating(
    desk_api: httpx.AsyncClient,
) -> None:
    chat, agent, handoff_id = await claimed(desk_api, language="en")
    closed = await desk_api.post(
        f"/api/agent/handoffs/{handoff_id}/close",
        json={"resolution": "card frozen", "return_to_bot": False},
        headers=agent,
    )
    assert closed.json()["conversation_state"] == "closed"
    prompt = (await history(desk_api, chat))[-1]
    assert prompt["text"] == "How satisfied were you with this service?"
    assert [b["title"] for b in prompt["buttons"]] == ["Very satisfied", "Neutral", "Dissatisfied"]
    # The widget posts the rating; a pressed button sent as text is taken as the rating too.
    rated = await say(desk_api, chat, "very_satisfied")
    assert (
        rated.status_code == 200
        and rated.json()["replies"][0]["text"] == "Thank you for your feedback!"
    )
    assert (await say(desk_api, chat, "hello?")).status_code == 409  # closed
    csat = await desk_api.post(
        f"/api/conversations/{chat.id}/csat", json={"score": "neutral"}, headers=chat.auth
    )
    assert csat.status_code == 200


async def test_close_needs_a_resolution(desk_api: httpx.AsyncClient) -> None:
    _, agent, handoff_id = await claimed(desk_api)
    url = f"/api/agent/handoffs/{handoff_id}/close"
    assert (
        await desk_api.post(url, json={"resolution": "", "return_to_bot": True}, headers=agent)
    ).status_code == 422
    assert (
        await desk_api.post(
            url, json={"resolution": "\u200b", "return_to_bot": True}, headers=agent
        )
    ).status_code == 422


async def test_canned_replies_are_the_standard_phrasings(desk_api: httpx.AsyncClient) -> None:
    agent = await login(desk_api, "agent1")
    items = (await desk_api.get("/api/agent/canned-replies", headers=agent)).json()["items"]
    keys = [item["key"] for item in items]
    assert keys[0] == "greeting" and "closing" in keys and len(items) == 15
    assert all(item["zh"] and item["en"] for item in items)
    assert items[-1]["zh"] == "请问还有什么可以帮您？感谢您的咨询，再见！"
