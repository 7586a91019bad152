"""Supervisors (rule 15), reassigning, requeueing offline agents' chats, reassurance (rule 23)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from handoff.models import Agent
from handoff.services.clock import clock
from tests.support.desk import (  # noqa: F401 - fixtures
    context,
    desk_api_fixture,
    drain,
    handoff_of,
    history,
    login,
    queue_items,
    queued_chat,
    real_time_fixture,
    runtime,
    say,
)

pytestmark = pytest.mark.asyncio


async def test_a_wait_over_ten_minutes_alerts_supervisors_once(desk_api: httpx.AsyncClient) -> None:
    hub = context(desk_api).hub
    chat = await queued_chat(desk_api)
    supervisor = await login(desk_api, "supervisor1")
    assert [i["alert"] for i in await queue_items(desk_api, supervisor)] == [False]
    async with hub.subscribe("supervisors") as alerts:
        clock.pin(clock.now() + timedelta(minutes=9, seconds=50))
        assert (await runtime(desk_api).sweep())["alerted"] == []
        clock.advance(timedelta(seconds=20))
        items = await queue_items(desk_api, supervisor)
        assert items[0]["alert"] is True and items[0]["waited_s"] > 600
        assert (await runtime(desk_api).sweep())["alerted"] == [items[0]["id"]]
        assert (await runtime(desk_api).sweep())["alerted"] == []  # once
        events = await drain(alerts)
    assert [(e["type"], e["conversation_id"], e["alert"]) for e in events] == [
        ("alert", chat.id, True)
    ]


async def test_a_supervisor_reassigns_a_chat(desk_api: httpx.AsyncClient) -> None:
    hub = context(desk_api).hub
    chat = await queued_chat(desk_api)
    first, second = await login(desk_api, "agent1"), await login(desk_api, "agent2")
    supervisor = await login(desk_api, "supervisor1")
    handoff_id = await handoff_of(desk_api, first, chat)
    await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=first)
    staff = (await desk_api.get("/api/agent/staff", headers=supervisor)).json()["items"]
    agent2 = next(s for s in staff if s["username"] == "agent2")
    assert next(s for s in staff if s["username"] == "agent1")["chats"] == 1
    async with hub.subscribe("agent:1", f"agent:{agent2['id']}") as events:
        moved = await desk_api.post(
            f"/api/agent/handoffs/{handoff_id}/reassign",
            json={"agent_id": agent2["id"]},
            headers=supervisor,
        )
        assert moved.status_code == 200 and moved.json()["agent"]["name"] == "李明"
        kinds = {(e["type"], e["handoff_id"]) for e in await drain(events)}
    assert kinds == {("released", handoff_id), ("assigned", handoff_id)}
    assert (
        await desk_api.get(f"/api/agent/handoffs/{handoff_id}", headers=first)
    ).status_code == 403
    assert (
        await desk_api.get(f"/api/agent/handoffs/{handoff_id}", headers=second)
    ).status_code == 200
    assert (await history(desk_api, chat))[-1]["text"].startswith("客服李明已接入")
    # Only supervisors reassign, and never to an editor or beyond capacity.
    denied = await desk_api.post(
        f"/api/agent/handoffs/{handoff_id}/reassign", json={"agent_id": 1}, headers=second
    )
    assert denied.status_code == 403
    assert all(s["role"] != "editor" for s in staff)  # only people who serve chats
    async with context(desk_api).sessions() as session:
        editor_id = await session.scalar(select(Agent.id).where(Agent.username == "editor1"))
    to_editor = await desk_api.post(
        f"/api/agent/handoffs/{handoff_id}/reassign",
        json={"agent_id": editor_id},
        headers=supervisor,
    )
    assert to_editor.status_code == 422
    assert (
        await desk_api.post(
            f"/api/agent/handoffs/{handoff_id}/reassign", json={"agent_id": 999}, headers=supervisor
        )
    ).status_code == 404


async def test_a_supervisor_can_give_a_waiting_chat_to_an_agent(
    desk_api: httpx.AsyncClient,
) -> None:
    chat = await queued_chat(desk_api)
    supervisor = await login(desk_api, "supervisor1")
    handoff_id = await handoff_of(desk_api, supervisor, chat)
    url = f"/api/agent/handoffs/{handoff_id}/reassign"
    offline = await desk_api.post(url, json={"agent_id": 3}, headers=supervisor)
    assert offline.status_code == 409 and offline.json()["error"]["code"] == "agent_offline"
    await login(desk_api, "agent3")
    moved = await desk_api.post(url, json={"agent_id": 3}, headers=supervisor)
    assert moved.status_code == 200 and moved.json()["status"] == "claimed"
    assert await queue_items(desk_api, supervisor) == []


async def test_an_agent_gone_silent_has_their_chats_requeued_at_the_front(
    desk_api: httpx.AsyncClient,
) -> None:
    hub = context(desk_api).hub
    mine = await queued_chat(desk_api)
    agent = await login(desk_api, "agent1")
    handoff_id = await handoff_of(desk_api, agent, mine)
    await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    newer = [await queued_chat(desk_api) for _ in range(2)]
    supervisor = await login(desk_api, "supervisor1")
    async with hub.subscribe("desk") as desk_events:
        clock.pin(clock.now() + timedelta(seconds=60))
        await login(desk_api, "supervisor1")  # the supervisor stays fresh
        assert (await runtime(desk_api).sweep())["requeued"] == []  # 60 s < 90 s
        clock.advance(timedelta(seconds=45))
        await desk_api.get("/api/agent/me", headers=supervisor)
        assert (await runtime(desk_api).sweep())["requeued"] == [handoff_id]
        events = await drain(desk_events)
    assert ("queue", "requeued", handoff_id) in [
        (e["type"], e.get("event"), e.get("handoff_id")) for e in events
    ]
    items = await queue_items(desk_api, supervisor)
    assert [i["conversation_id"] for i in items] == [mine.id, *(c.id for c in newer)]
    messages = await history(desk_api, mine)
    assert messages[-1]["sender"] == "system" and "重新排队" in messages[-1]["text"]
    turn = (await say(desk_api, mine, "还在吗")).json()
    assert turn["state"] == "queued" and turn["handoff"]["queue_position"] == 1


async def test_logging_out_returns_the_agents_chats_to_the_queue(
    desk_api: httpx.AsyncClient,
) -> None:
    chat = await queued_chat(desk_api)
    agent = await login(desk_api, "agent2")
    handoff_id = await handoff_of(desk_api, agent, chat)
    await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    assert (await desk_api.post("/api/agent/logout", headers=agent)).status_code == 200
    other = await login(desk_api, "agent3")
    items = await queue_items(desk_api, other)
    assert [i["id"] for i in items] == [handoff_id]
    assert (
        await desk_api.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=other)
    ).status_code == 200


async def test_queued_customers_are_reassured_without_filling_the_transcript(
    desk_api: httpx.AsyncClient,
) -> None:
    hub = context(desk_api).hub
    first, second = await queued_chat(desk_api, "zh"), await queued_chat(desk_api, "en")
    before = len(await history(desk_api, second))
    async with hub.subscribe(f"conversation:{first.id}") as events:
        await runtime(desk_api).reassure()
        alone = await drain(events)
    # Nobody online: no estimate is made up.
    assert alone[0]["estimated_wait"] is None and "暂无客服在线" in alone[0]["text"]
    await login(desk_api, "agent1")  # three free seats: both start at once
    async with hub.subscribe(f"conversation:{first.id}", f"conversation:{second.id}") as events:
        assert await runtime(desk_api).reassure() == 2
        pushed = await drain(events)
    by_position = sorted(pushed, key=lambda e: e["queue_position"])
    assert [e["type"] for e in by_position] == ["queue", "queue"]
    assert [e["queue_position"] for e in by_position] == [1, 2]
    assert [e["estimated_wait"]["high_minutes"] for e in by_position] == [1, 1]
    assert "我们没有忘记您" in by_position[0]["text"] and "不到1分钟" in by_position[0]["text"]
    assert "you are number 2 in the queue, under a minute" in by_position[1]["text"]
    assert len(await history(desk_api, second)) == before
