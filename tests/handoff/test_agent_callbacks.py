"""Agent hours and callbacks at a chosen slot (rule 17, issue 18); leaving the queue."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from handoff.core.config import Settings
from handoff.services.clock import clock
from handoff.services.hours import AgentHours
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    desk_api_fixture,
    drain,
    history,
    login,
    queue_items,
    queued_chat,
    real_time_fixture,
    say,
    start_chat,
)

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


def test_agent_hours_follow_the_settings() -> None:
    hours = AgentHours.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert hours.is_open(beijing(8)) and hours.is_open(beijing(21, 59))
    assert not hours.is_open(beijing(22)) and not hours.is_open(beijing(7, 59))
    assert hours.next_opening(beijing(23, 30)) == datetime(2026, 11, 26, 8, tzinfo=BEIJING)
    assert hours.next_opening(beijing(3)) == datetime(2026, 11, 25, 8, tzinfo=BEIJING)
    # Open but nobody online: within half an hour, or the next morning near closing.
    assert hours.callback_time(beijing(10)) == datetime(2026, 11, 25, 10, 30, tzinfo=BEIJING)
    assert hours.callback_time(beijing(21, 45)) == datetime(2026, 11, 26, 8, tzinfo=BEIJING)
    night = AgentHours.from_settings(
        Settings(_env_file=None, agent_hours="20:00-06:00")  # type: ignore[call-arg]
    )
    assert (
        night.is_open(beijing(23)) and night.is_open(beijing(5)) and not night.is_open(beijing(12))
    )


async def test_outside_agent_hours_a_callback_is_offered_and_booked(
    desk_api: httpx.AsyncClient,
) -> None:
    hub = context(desk_api).hub
    await login(desk_api, "agent1")  # online, but the desk is closed
    clock.pin(beijing(23, 30))
    chat = await start_chat(desk_api, "zh")
    await say(desk_api, chat, "我要转人工")
    queued = (await say(desk_api, chat, "/request_human")).json()
    assert queued["state"] == "queued"
    offer = queued["replies"][-1]
    assert "非人工服务时间" in offer["text"] and "08:00-22:00" in offer["text"]
    assert offer["buttons"] == [
        {"title": "继续排队", "payload": "/keep_waiting"},
        {"title": "预约回电", "payload": "/callback"},
        {"title": "留言，稍后看回复", "payload": "/leave_message"},
    ]
    assert queued["replies"][-2]["buttons"] == [{"title": "离开排队", "payload": "/leave_queue"}]

    slots = (await say(desk_api, chat, "/callback")).json()
    assert slots["state"] == "queued" and "选择" in slots["replies"][0]["text"]
    shown = slots["replies"][0]["buttons"]
    # Six half-hour slots from the next opening, titled in Beijing time; then "keep waiting".
    assert [b["title"] for b in shown[:2]] == [
        "11月26日 08:00（北京时间）",
        "11月26日 08:30（北京时间）",
    ]
    assert len(shown) == 7 and shown[-1]["payload"] == "/keep_waiting"
    assert shown[0]["payload"] == "/callback_at 2026-11-26T00:00Z"
    asked = (await say(desk_api, chat, shown[1]["payload"])).json()
    assert asked["state"] == "queued" and "手机号码" in asked["replies"][0]["text"]
    assert "11月26日 08:30（北京时间）" in asked["replies"][0]["text"]
    wrong = (await say(desk_api, chat, "我的号码是1380013")).json()
    assert wrong["state"] == "queued" and "不完整" in wrong["replies"][0]["text"]
    async with hub.subscribe("desk") as desk_events:
        booked = (await say(desk_api, chat, "138 0013 8000")).json()
        events = await drain(desk_events)
    assert booked["state"] == "closed" and booked["handoff"] is None
    text = booked["replies"][0]["text"]
    assert "编号CB20261126-" in text and "11月26日 08:30" in text and "138****8000" in text
    assert [e["event"] for e in events if e["type"] == "queue"] == ["closed"]

    transcript = " ".join(m["text"] for m in await history(desk_api, chat))
    assert "13800138000" not in transcript and "138 0013 8000" not in transcript
    agent = await login(desk_api, "agent1")
    assert await queue_items(desk_api, agent) == []
    tickets = (await desk_api.get("/api/agent/callbacks", headers=agent)).json()["items"]
    assert len(tickets) == 1
    ticket = tickets[0]
    assert ticket["phone"] == "138****8000" and ticket["conversation_id"] == chat.id
    assert ticket["call_at"] == "2026-11-26T00:30:00Z" and ticket["reason"] == "system_error"
    assert re.fullmatch(r"CB20261126-[A-Z]{5}", ticket["reference"])


async def test_inside_hours_with_an_agent_online_and_a_short_wait_nothing_is_offered(
    desk_api: httpx.AsyncClient,
) -> None:
    clock.pin(beijing(10))
    await login(desk_api, "agent1")
    chat = await start_chat(desk_api, "en")
    await say(desk_api, chat, "I want a person")
    queued = (await say(desk_api, chat, "/request_human")).json()
    payloads = [b["payload"] for r in queued["replies"] for b in r["buttons"]]
    assert payloads == ["/leave_queue"]


async def test_inside_hours_with_nobody_online_a_callback_is_offered(
    desk_api: httpx.AsyncClient,
) -> None:
    clock.pin(beijing(10))
    chat = await start_chat(desk_api, "en")
    await say(desk_api, chat, "I want a person")
    queued = (await say(desk_api, chat, "/request_human")).json()
    offer = queued["replies"][-1]
    assert "No agent is available" in offer["text"]
    assert [b["title"] for b in offer["buttons"]] == [
        "Keep waiting",
        "Call me back",
        "Leave a message",
    ]
    slots = (await say(desk_api, chat, "/callback")).json()["replies"][0]["buttons"]
    assert slots[0] == {
        "title": "10:30 on 25 Nov (Beijing time)",
        "payload": "/callback_at 2026-11-25T02:30Z",
    }
    picked = (await say(desk_api, chat, slots[0]["payload"])).json()
    assert picked["replies"][0]["buttons"][0]["payload"] == "/keep_waiting"
    back = (await say(desk_api, chat, "/keep_waiting")).json()
    assert back["state"] == "queued" and back["handoff"]["queue_position"] == 1
    # The phone question is dropped: digits now are just a message in the queue.
    assert (await say(desk_api, chat, "13800138000")).json()["state"] == "queued"


async def test_a_customer_who_leaves_the_queue_cancels_the_handoff(
    desk_api: httpx.AsyncClient,
) -> None:
    hub = context(desk_api).hub
    chat = await queued_chat(desk_api)
    agent = await login(desk_api, "agent1")
    handoff_id = (await queue_items(desk_api, agent))[0]["id"]
    async with (
        hub.subscribe("desk") as desk_events,
        hub.subscribe(f"conversation:{chat.id}") as mine,
    ):
        left = (await say(desk_api, chat, "/leave_queue")).json()
        events, pushed = await drain(desk_events), await drain(mine)
    assert left["state"] == "closed" and "取消人工排队" in left["replies"][0]["text"]
    assert [(e["event"], e["handoff_id"]) for e in events] == [("cancelled", handoff_id)]
    assert {"type": "state", "state": "closed", "handoff": None} in pushed
    assert await queue_items(desk_api, agent) == []
    assert (await say(desk_api, chat, "还在吗")).status_code == 409
