"""Long queues through the API (issue 18): the offer, its three choices, fraud, callbacks.

The in-process gateway with the engine down: "/request_human" queues a
customer as it would after the bot's offer of a person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from handoff.services.clock import clock
from handoff.services.engine import BotReply
from tests.support.desk import (  # noqa: F401 - fixtures
    Chat,
    context,
    desk_api_fixture,
    drain,
    handoff_reply,
    history,
    login,
    queue_items,
    real_time_fixture,
    runtime,
    say,
    script_engine,
    start_chat,
)

BEIJING = ZoneInfo("Asia/Shanghai")
LEAVE = {
    "zh": {"title": "离开排队", "payload": "/leave_queue"},
    "en": {"title": "Leave the queue", "payload": "/leave_queue"},
}
WORDS = {
    "zh": {
        "ask": "我要转人工",
        "offer": "目前排队人数较多",
        "buttons": ["继续排队", "预约回电", "留言，稍后看回复"],
        "left": "您可以先关闭页面",
        "noted": "您的留言已收到",
        "kept": "您前面还有",
        "slots": "请选择方便接听电话的时段",
        "booked": "已为您预约回电",
    },
    "en": {
        "ask": "I want a person",
        "offer": "The queue is long right now",
        "buttons": ["Keep waiting", "Call me back", "Leave a message"],
        "left": "You can close the page",
        "noted": "Your message is with our team",
        "kept": "ahead of you",
        "slots": "Please choose a time for our call",
        "booked": "Your callback is booked",
    },
}


def beijing(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 25, hour, minute, tzinfo=BEIJING).astimezone(UTC)


async def queue(api: httpx.AsyncClient, language: str) -> tuple[Chat, dict]:
    chat = await start_chat(api, language)
    await say(api, chat, WORDS[language]["ask"])
    turn = (await say(api, chat, "/request_human")).json()
    assert turn["state"] == "queued", turn
    return chat, turn


async def busy_desk(api: httpx.AsyncClient) -> dict[str, str]:
    """agent1 online at 10:00 holding three chats: nobody starts at once."""
    clock.pin(beijing(10))
    agent = await login(api, "agent1")
    for _ in range(3):
        await queue(api, "zh")
        head = (await queue_items(api, agent))[0]["id"]
        assert (await api.post(f"/api/agent/handoffs/{head}/claim", headers=agent)).is_success
    return agent


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_long_wait_offers_three_ways_on_and_each_works(
    desk_api: httpx.AsyncClient, language: str
) -> None:
    words = WORDS[language]
    agent = await busy_desk(desk_api)
    # One agent at the prior pace (12 chats an hour): 5, 10, 15 minutes... no offer up to 15.
    for _ in range(3):
        _, turn = await queue(desk_api, language)
        assert [r["buttons"] for r in turn["replies"]] == [[LEAVE[language]]]
    waiting, offered = await queue(desk_api, language)
    assert offered["handoff"]["estimated_wait"]["minutes"] == 20
    offer = offered["replies"][-1]
    assert words["offer"] in offer["text"]
    assert [b["title"] for b in offer["buttons"]] == words["buttons"]
    assert [b["payload"] for b in offer["buttons"]] == [
        "/keep_waiting",
        "/callback",
        "/leave_message",
    ]

    # 1. Keep waiting: still in the queue, told the place again.
    kept = (await say(desk_api, waiting, "/keep_waiting")).json()
    assert kept["state"] == "queued" and words["kept"] in kept["replies"][0]["text"]
    assert kept["handoff"]["queue_position"] == 4

    # 2. A callback at a chosen slot: slots shown, one picked, a number, a ticket.
    caller, _ = await queue(desk_api, language)
    slots = (await say(desk_api, caller, "/callback")).json()["replies"][0]
    assert words["slots"] in slots["text"] and len(slots["buttons"]) == 7
    picked = slots["buttons"][2]
    assert (await say(desk_api, caller, picked["payload"])).json()["state"] == "queued"
    booked = (await say(desk_api, caller, "13900139000")).json()
    assert booked["state"] == "closed" and words["booked"] in booked["replies"][0]["text"]
    assert picked["title"] in booked["replies"][0]["text"]
    tickets = (await desk_api.get("/api/agent/callbacks", headers=agent)).json()["items"]
    assert [t["conversation_id"] for t in tickets] == [caller.id]
    assert tickets[0]["call_at"] == "2026-11-25T03:30:00Z"  # 11:30 Beijing, the third slot

    # 3. Leave a message: out of the live queue, into the message queue.
    writer, _ = await queue(desk_api, language)
    left = (await say(desk_api, writer, "/leave_message")).json()
    assert left["state"] == "queued" and words["left"] in left["replies"][0]["text"]
    assert left["handoff"]["mode"] == "message"
    noted = (
        await say(
            desk_api,
            writer,
            "我的转账一直没到账" if language == "zh" else "My transfer never arrived",
        )
    ).json()
    assert words["noted"] in noted["replies"][0]["text"]
    live = [item["conversation_id"] for item in await queue_items(desk_api, agent)]
    assert writer.id not in live and waiting.id in live
    messages = (await desk_api.get("/api/agent/message-queue", headers=agent)).json()["items"]
    assert [(m["conversation_id"], m["mode"]) for m in messages] == [(writer.id, "message")]
    assert messages[0]["due_at"] == "2026-11-25T06:00:00Z"  # 4 hours after 10:00 Beijing


async def test_a_left_message_is_answered_while_the_customer_is_away(
    desk_api: httpx.AsyncClient,
) -> None:
    agent = await busy_desk(desk_api)
    writer, _ = await queue(desk_api, "en")
    await say(desk_api, writer, "/leave_message")
    await say(desk_api, writer, "Why was I charged twice?")
    handoff_id = (await desk_api.get("/api/agent/message-queue", headers=agent)).json()["items"][0][
        "id"
    ]
    # At three live chats the agent can still take a message: it holds no seat.
    claimed = await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    assert claimed.status_code == 200, claimed.text
    detail = claimed.json()
    assert detail["mode"] == "message" and detail["reason"] == "system_error"
    assert "Why was I charged twice?" in [m["text"] for m in detail["transcript"]]
    clock.advance(timedelta(hours=2))
    sent = await desk_api.post(
        f"/api/agent/handoffs/{handoff_id}/messages",
        json={"text": "The second charge is a pre-authorisation and will drop off in 3 days."},
        headers=agent,
    )
    assert sent.status_code == 201
    # The customer comes back hours later: the reply is in the same conversation.
    clock.advance(timedelta(hours=60))
    back = await history(desk_api, writer)
    assert back[-1]["sender"] == "agent" and "pre-authorisation" in back[-1]["text"]
    agent = await login(desk_api, "agent1")  # the agent is at work again
    assert (await runtime(desk_api).sweep())["expired"] == []  # 60 h < 72 h after the reply
    reply = (await say(desk_api, writer, "Thanks, that explains it")).json()
    assert reply["state"] == "agent"
    # Left alone past the open time (72 h after the last reply), the chat ends politely.
    clock.advance(timedelta(hours=13))
    agent = await login(desk_api, "agent1")
    assert (await runtime(desk_api).sweep())["expired"] == [writer.id]
    end = await history(desk_api, writer)
    assert "reached the end of the time we keep it open" in end[-1]["text"]
    assert (await say(desk_api, writer, "hello?")).status_code == 409


async def test_an_unanswered_message_shows_as_overdue_for_its_own_sla(
    desk_api: httpx.AsyncClient,
) -> None:
    hub = context(desk_api).hub
    agent = await busy_desk(desk_api)
    writer, _ = await queue(desk_api, "zh")
    await say(desk_api, writer, "/leave_message")
    message_id = (await desk_api.get("/api/agent/message-queue", headers=agent)).json()["items"][
        0
    ]["id"]
    clock.advance(timedelta(minutes=239))
    async with hub.subscribe("supervisors") as supervisors:
        # (The agent, silent for hours, is swept offline: their three chats wait again.)
        assert message_id not in (await runtime(desk_api).sweep())["alerted"]
        agent = await login(desk_api, "agent1")
        items = (await desk_api.get("/api/agent/message-queue", headers=agent)).json()["items"]
        assert items[0]["sla_overdue"] is False
        clock.advance(timedelta(minutes=2))
        items = (await desk_api.get("/api/agent/message-queue", headers=agent)).json()["items"]
        assert items[0]["sla_overdue"] is True
        # The live queue's 10-minute alert is not for left messages; their own SLA's is, once.
        assert items[0]["alert"] is False
        assert (await runtime(desk_api).sweep())["alerted"] == [message_id]
        assert (await runtime(desk_api).sweep())["alerted"] == []
        alerts = [a for a in await drain(supervisors) if a.get("kind") == "message_overdue"]
    assert [a["conversation_id"] for a in alerts] == [writer.id]


async def test_fraud_goes_to_the_front_is_never_offered_to_wait_and_alerts_supervisors(
    desk_api: httpx.AsyncClient,
) -> None:
    hub = context(desk_api).hub
    clock.pin(beijing(23, 30))  # the desk is closed and nobody is online: others get the offer
    earlier, turn = await queue(desk_api, "zh")
    assert turn["replies"][-1]["buttons"][-1]["payload"] == "/leave_message"
    script_engine(
        desk_api,
        lambda text: handoff_reply("fraud_risk", "urgent", "请立即停止转账。"),
    )
    victim = await start_chat(desk_api, "zh")
    async with hub.subscribe("supervisors") as supervisors:
        urgent = (await say(desk_api, victim, "有人让我把钱转到安全账户")).json()
        alerts = await drain(supervisors)
    assert urgent["state"] == "queued" and urgent["handoff"]["priority"] == "urgent"
    assert urgent["handoff"]["queue_position"] == 1
    assert all(reply["buttons"] == [] for reply in urgent["replies"])
    assert "值班主管" in urgent["replies"][-1]["text"]
    assert [(a["type"], a["kind"], a["conversation_id"]) for a in alerts] == [
        ("alert", "urgent", victim.id)
    ]
    # Pressing an old offer's button does not make the urgent chat a left message.
    await say(desk_api, victim, "/leave_message")
    supervisor = await login(desk_api, "supervisor1")
    items = await queue_items(desk_api, supervisor)
    assert [i["conversation_id"] for i in items] == [victim.id, earlier.id]


async def test_the_callback_agent_finds_the_same_conversation(
    desk_api: httpx.AsyncClient,
) -> None:
    def engine(text: str) -> list[BotReply] | None:
        if "余额" in text:
            return [
                BotReply(text="您的余额为12,345.67元。"),
                BotReply(custom={"verified": {"at": "2026-11-25T02:00:00Z"}}),
            ]
        return handoff_reply("complaint", "high")

    script_engine(desk_api, engine)
    clock.pin(beijing(10, 5))  # nobody online: the offer comes
    chat = await start_chat(desk_api, "zh")
    await say(desk_api, chat, "我的余额是多少")
    await say(desk_api, chat, "我要投诉")
    slot = (await say(desk_api, chat, "/callback")).json()["replies"][0]["buttons"][0]
    await say(desk_api, chat, slot["payload"])
    assert (await say(desk_api, chat, "13800138000")).json()["state"] == "closed"
    agent = await login(desk_api, "agent1")
    ticket_id = (await desk_api.get("/api/agent/callbacks", headers=agent)).json()["items"][0]["id"]

    detail = (await desk_api.get(f"/api/agent/callbacks/{ticket_id}", headers=agent)).json()
    assert detail["conversation_id"] == chat.id and detail["phone"] == "138****8000"
    assert detail["reason"] == "complaint" and detail["priority"] == "high"
    assert "我的余额是多少" in [m["text"] for m in detail["transcript"]]
    # Verified at 10:00, called back at 10:40: the verification has not expired yet ...
    clock.pin(beijing(10, 20))
    fresh = (await desk_api.get(f"/api/agent/callbacks/{ticket_id}", headers=agent)).json()
    assert fresh["verification"]["verified"] and not fresh["verification"]["expired"]
    # ... but after 30 minutes it has: the agent must verify the caller again.
    clock.pin(beijing(10, 45))
    late = (await desk_api.get(f"/api/agent/callbacks/{ticket_id}", headers=agent)).json()
    assert late["verification"] == {
        "verified": True,
        "at": "2026-11-25T02:00:00Z",
        "expired": True,
        "expires_at": "2026-11-25T02:30:00Z",
    }

    done = await desk_api.post(
        f"/api/agent/callbacks/{ticket_id}/done",
        json={"note": "Called back, 13800138000 confirmed, complaint explained"},
        headers=agent,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = (await desk_api.get(f"/api/agent/callbacks/{ticket_id}", headers=agent)).json()
    assert "13800138000" not in again["note"] and "138****8000" in again["note"]
    twice = await desk_api.post(
        f"/api/agent/callbacks/{ticket_id}/done", json={"note": "again"}, headers=agent
    )
    assert twice.status_code == 409
    assert (await desk_api.get("/api/agent/callbacks", headers=agent)).json()["items"] == []


async def test_bad_callback_input_gets_a_clear_answer_and_loses_nothing(
    desk_api: httpx.AsyncClient,
) -> None:
    clock.pin(beijing(10))
    chat, _ = await queue(desk_api, "en")
    stale = (await say(desk_api, chat, "/callback_at 2020-01-01T00:00Z")).json()
    assert stale["state"] == "queued" and "no longer available" in stale["replies"][0]["text"]
    garbled = await say(desk_api, chat, "/callback_at tomorrow please")
    assert garbled.status_code == 200 and garbled.json()["state"] == "queued"
    agent = await login(desk_api, "agent1")
    missing = await desk_api.get("/api/agent/callbacks/999", headers=agent)
    assert missing.status_code == 404
    empty = await desk_api.post("/api/agent/callbacks/999/done", json={"note": " "}, headers=agent)
    assert empty.status_code == 422
    assert (
        await desk_api.post("/api/agent/callbacks/999/done", json={}, headers=agent)
    ).status_code == 422
    texts = [m["text"] for m in await history(desk_api, chat)]
    assert "/callback_at tomorrow please" in texts
